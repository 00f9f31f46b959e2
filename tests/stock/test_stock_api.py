"""/v1/stock and /v1/stock-movements over HTTP (DESIGN §7.2): adjustments move the
levels; each rule answers its code naming the member, in the caller's language; unique
items are adjusted unit by unit, by serial. CRUD, 405s, filters, sorts and tenancy run
from the contract kit (tests/test_contract.py)."""

from __future__ import annotations

from sqlalchemy import select

from workledger.models import Equipment

MOVEMENTS = "/v1/stock-movements"


async def item(client, tenant, kind="stock_goods", number="I-1") -> int:
    response = await client.post("/v1/items", json={"number": number, "name": number,
                                                    "kind": kind}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def adjust(client, tenant, query: str = "", **body):
    return await client.post(f"{MOVEMENTS}{query}", json={"type": "adjustment", **body},
                             headers=tenant.headers)


async def level(client, tenant, item_id) -> dict:
    [found] = (await client.get("/v1/stock", params={"item_id": item_id},
                                headers=tenant.headers)).json()
    return {k: found[k] for k in ("on_hand", "allocated", "available", "incoming")}


def rule(response, code: str) -> list[tuple[list[str], str]]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code, problem
    return [(v["memberNames"], v["errorMessage"]) for v in problem["violations"]]


async def units(app, tenant, item_id) -> list[tuple[str, str, int | None]]:
    async with app.state.database.session() as session:
        rows = (await session.scalars(select(Equipment).where(
            Equipment.company_id == tenant.id, Equipment.item_id == item_id
        ).order_by(Equipment.serial_number))).all()
        return [(r.serial_number, r.status, r.warehouse_id) for r in rows]


async def test_adjustments_move_the_level_in_the_default_warehouse(client, acme):
    item_id = await item(client, acme)
    made = await adjust(client, acme, item_id=item_id, quantity=12, comment="counted")
    assert made.status_code == 200, made.text
    movement = made.json()
    [main] = (await client.get("/v1/warehouses", headers=acme.headers)).json()
    assert movement["warehouse_id"] == main["id"]
    assert (movement["type"], movement["quantity"], movement["comment"]) == (
        "adjustment", 12, "counted")
    assert (await adjust(client, acme, item_id=item_id, quantity=-5)).status_code == 200
    assert await level(client, acme, item_id) == {"on_hand": 7, "allocated": 0,
                                                  "available": 7, "incoming": 0}
    found = (await client.get("/v1/stock", params={"available": "gt:6 AND lt:8"},
                              headers=acme.headers)).json()
    assert [s["item_id"] for s in found] == [item_id]
    listed = (await client.get(MOVEMENTS, params={"item_id": item_id, "quantity": "lt:0"},
                               headers=acme.headers)).json()
    assert [m["quantity"] for m in listed] == [-5]


async def test_only_adjustments_can_be_created(client, acme):
    item_id = await item(client, acme)
    response = await adjust(client, acme, item_id=item_id, quantity=1, type="receipt")
    assert rule(response, "30") == [(["type"], "Only adjustments can be created; 'receipt' "
                                     "movements are written by the actions that cause them.")]
    response = await adjust(client, acme, item_id=item_id, quantity=1, type="bogus")
    assert response.status_code == 400 and "type" in response.json()["errors"]


async def test_quantity_rules(client, acme):
    goods, fluid = await item(client, acme), await item(client, acme, "consumable", "OIL")
    assert rule(await adjust(client, acme, item_id=goods, quantity=0), "3019") == [
        (["quantity"], "Amount should be strictly positive.")]
    assert rule(await adjust(client, acme, item_id=goods, quantity=1.5), "30") == [
        (["quantity"], "Items of kind 'stock_goods' are counted in whole units.")]
    assert rule(await adjust(client, acme, "?language_code=0", item_id=goods, quantity=1.5),
                "30") == [(["quantity"], "Varer av typen 'stock_goods' telles i hele enheter.")]
    assert (await adjust(client, acme, item_id=fluid, quantity=2.25)).status_code == 200
    assert (await level(client, acme, fluid))["on_hand"] == 2.25
    response = await adjust(client, acme, item_id=goods, quantity=1, serial_numbers=["S"])
    assert response.status_code == 400 and "serial_numbers" in response.json()["errors"]


async def test_an_adjustment_below_zero_is_3023_and_changes_nothing(client, acme):
    item_id = await item(client, acme)
    await adjust(client, acme, item_id=item_id, quantity=2)
    response = await adjust(client, acme, item_id=item_id, quantity=-3)
    assert rule(response, "3023") == [(["quantity"], "The inventory quantity is too low.")]
    response = await adjust(client, acme, "?language_code=0", item_id=item_id, quantity=-3)
    assert response.json()["title"] == "Lagerbeholdningen er for lav."
    assert await level(client, acme, item_id) == {"on_hand": 2, "allocated": 0,
                                                  "available": 2, "incoming": 0}
    listed = (await client.get(MOVEMENTS, params={"item_id": item_id},
                               headers=acme.headers)).json()
    assert len(listed) == 1


async def test_unique_items_are_adjusted_by_serial(app, client, acme):
    item_id = await item(client, acme, "unique", "PUMP")
    assert rule(await adjust(client, acme, item_id=item_id, quantity=2,
                             serial_numbers=["A"]), "3013") == [
        (["serial_numbers"], "Serial numbers needed: 2; given: 1.")]
    assert rule(await adjust(client, acme, "?language_code=0", item_id=item_id, quantity=2),
                "3013") == [(["serial_numbers"], "Antall serienumre som kreves: 2; oppgitt: 0.")]

    made = await adjust(client, acme, item_id=item_id, quantity=2, serial_numbers=["A", "B"])
    assert made.status_code == 200, made.text
    warehouse = made.json()["warehouse_id"]
    assert made.json()["serial_numbers"] == ["A", "B"]
    assert await units(app, acme, item_id) == [("A", "in_stock", warehouse),
                                               ("B", "in_stock", warehouse)]
    assert (await level(client, acme, item_id))["on_hand"] == 2

    assert rule(await adjust(client, acme, item_id=item_id, quantity=1,
                             serial_numbers=["B"]), "30") == [
        (["serial_numbers"], "Serial number 'B' is already known for this item.")]
    assert rule(await adjust(client, acme, item_id=item_id, quantity=-1,
                             serial_numbers=["Z"]), "3008") == [
        (["serial_numbers"], "Serial number 'Z' is not in stock at this warehouse.")]
    response = await adjust(client, acme, "?language_code=0", item_id=item_id, quantity=-1,
                            serial_numbers=["Z"])
    assert response.json()["title"] == "Det er ikke nok på lager."

    assert (await adjust(client, acme, item_id=item_id, quantity=-1,
                         serial_numbers=["A"])).status_code == 200
    assert await units(app, acme, item_id) == [("A", "scrapped", None),
                                               ("B", "in_stock", warehouse)]
    assert (await level(client, acme, item_id))["on_hand"] == 1
    # A scrapped unit is not in stock any more.
    assert rule(await adjust(client, acme, item_id=item_id, quantity=-1,
                             serial_numbers=["A"]), "3008")


async def test_a_warehouse_with_stock_or_movements_cannot_be_deleted(client, acme):
    item_id = await item(client, acme)
    van = (await client.post("/v1/warehouses", json={"code": "VAN"},
                             headers=acme.headers)).json()
    await adjust(client, acme, item_id=item_id, warehouse_id=van["id"], quantity=1)
    response = await client.delete(f"/v1/warehouses/{van['id']}", headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3"
    assert response.json()["reason"] == ("The warehouse VAN holds stock (on hand, allocated "
                                         "or incoming).")
    await adjust(client, acme, item_id=item_id, warehouse_id=van["id"], quantity=-1)
    response = await client.delete(f"/v1/warehouses/{van['id']}", headers=acme.headers)
    assert response.status_code == 422, response.text
    assert "named by stock movements" in response.json()["reason"]
    empty = (await client.post("/v1/warehouses", json={"code": "EMPTY"},
                               headers=acme.headers)).json()
    response = await client.delete(f"/v1/warehouses/{empty['id']}", headers=acme.headers)
    assert response.status_code == 200, response.text


async def test_another_companys_item_or_warehouse_is_refused(client, acme, other):
    theirs = await item(client, other)
    mine = await item(client, acme)
    their_main = (await client.get("/v1/warehouses", headers=other.headers)).json()[0]
    assert rule(await adjust(client, acme, item_id=theirs, quantity=1), "30") == [
        (["item_id"], "Invalid Item Id")]
    assert rule(await adjust(client, acme, item_id=mine, warehouse_id=their_main["id"],
                             quantity=1), "30") == [(["warehouse_id"], "Invalid Warehouse Id")]


async def test_concurrent_adjustments_never_take_stock_below_zero(client, acme):
    """Two −3 adjustments of 5 units at once: exactly one is refused (3023)."""
    import asyncio

    item_id = await item(client, acme)
    await adjust(client, acme, item_id=item_id, quantity=5)
    responses = await asyncio.gather(*(adjust(client, acme, item_id=item_id, quantity=-3)
                                       for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [200, 422], [r.text for r in responses]
    assert [r.json()["code"] for r in responses if r.status_code == 422] == ["3023"]
    assert (await level(client, acme, item_id))["on_hand"] == 2
