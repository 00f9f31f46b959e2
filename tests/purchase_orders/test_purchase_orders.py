"""/v1/purchase-orders (DESIGN §7.3): defaults, line rules with their codes and members
in two languages, incoming stock kept on every write, and the receive and cancel
actions — all or nothing, a constant number of statements however many lines. CRUD,
filters, sorts, import_id, tenancy (every route and action) run from the contract kit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.stock.test_stock_service import counting_statements
from workledger.models import Equipment

POS = "/v1/purchase-orders"


async def make(client, tenant, url, body) -> dict:
    response = await client.post(url, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def world(client, tenant) -> dict:
    """A supplier (with a supplier link EXT-S), three items (goods, a consumable, a
    unique one) and the default warehouse."""
    supplier = await make(client, tenant, "/v1/suppliers", {"company_name": "Parts Ltd"})
    await make(client, tenant, "/v1/company-links", {"link_type": "supplier",
                                                     "external_id": "EXT-S",
                                                     "supplier_id": supplier["id"]})
    goods = await make(client, tenant, "/v1/items", {"number": "BOLT", "name": "Bolt",
                                                     "purchase_price": 1.25})
    oil = await make(client, tenant, "/v1/items", {"number": "OIL", "name": "Oil",
                                                   "kind": "consumable"})
    pump = await make(client, tenant, "/v1/items", {"number": "PUMP", "name": "Pump",
                                                    "kind": "unique", "purchase_price": 300})
    [main] = (await client.get("/v1/warehouses", headers=tenant.headers)).json()
    return {"supplier": supplier["id"], "goods": goods["id"], "oil": oil["id"],
            "pump": pump["id"], "main": main["id"]}


async def incoming(client, tenant) -> dict[tuple[int, int], float]:
    found = (await client.get("/v1/stock", params={"per_page": 500},
                              headers=tenant.headers)).json()
    return {(s["item_id"], s["warehouse_id"]): s["incoming"] for s in found if s["incoming"]}


async def levels(client, tenant) -> list[dict]:
    return (await client.get("/v1/stock", params={"per_page": 500},
                             headers=tenant.headers)).json()


async def units(app, tenant) -> list[tuple]:
    async with app.state.database.session() as session:
        rows = (await session.scalars(select(Equipment).where(
            Equipment.company_id == tenant.id).order_by(Equipment.id))).all()
        return [(r.item_id, r.serial_number, r.status, r.warehouse_id) for r in rows]


def rule(response, code: str) -> list[tuple[list[str], str]]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code, problem
    return [(v["memberNames"], v["errorMessage"]) for v in problem["violations"]]


async def test_create_with_defaults_and_incoming(client, acme):
    w = await world(client, acme)
    po = await make(client, acme, POS, {"supplier_external_id": "EXT-S", "lines": [
        {"item_number": "BOLT", "quantity": 10},
        {"item_id": w["oil"], "quantity": 2.5, "unit_price": 4},
    ]})
    assert (po["number"], po["supplier_id"], po["warehouse_id"], po["status"]) == (
        "1", w["supplier"], w["main"], "open")
    assert po["order_date"] == date.today().isoformat()
    assert [(li["position"], li["item_id"], li["quantity"], li["unit_price"],
             li["received_quantity"]) for li in po["lines"]] == [
        (1, w["goods"], 10, 1.25, 0), (2, w["oil"], 2.5, 4, 0)]
    second = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 5}]})
    assert second["number"] == "2"
    assert await incoming(client, acme) == {(w["goods"], w["main"]): 15,
                                            (w["oil"], w["main"]): 2.5}


async def test_line_rules_name_their_members(client, acme):
    w = await world(client, acme)

    async def post(body, query=""):
        return await client.post(f"{POS}{query}", json={"supplier_id": w["supplier"], **body},
                                 headers=acme.headers)

    line = {"item_id": w["goods"], "quantity": 1}
    assert rule(await post({"lines": [line, {**line, "quantity": 0}]}), "3019") == [
        (["lines[1].quantity"], "Amount should be strictly positive.")]
    response = await post({"lines": [line, {**line, "quantity": -2}]}, "?language_code=0")
    assert rule(response, "3019") == [(["lines[1].quantity"],
                                       "Beløpet må være større enn null.")]
    assert response.json()["title"] == "Beløpet må være større enn null."
    response = await client.post(POS, json={"lines": [line]}, headers=acme.headers)
    assert response.status_code == 400 and "supplier_id" in response.json()["errors"]
    assert rule(await post({"lines": [{**line, "quantity": 1.5}]}), "30") == [
        (["lines[0].quantity"], "Items of kind 'stock_goods' are counted in whole units.")]
    assert rule(await post({"lines": [line, {"item_number": "NOPE", "quantity": 1}]}),
                "30") == [(["lines[1].item_number"], "Invalid Item Number")]
    response = await post({"lines": [{"item_number": "OIL", "item_id": w["goods"],
                                      "quantity": 1}]})
    assert response.status_code == 400 and "lines[0].item_number" in response.json()["errors"]
    response = await post({"lines": [{"quantity": 1}]})
    assert response.status_code == 400 and "lines[0].item_id" in response.json()["errors"]
    response = await post({"lines": [{**line, "received_quantity": 1}]})
    assert response.status_code == 400
    assert "lines[0].received_quantity" in response.json()["errors"]
    response = await post({"lines": [{**line, "serial_numbers": ["X"]}]})
    assert response.status_code == 400 and "lines[0].serial_numbers" in response.json()["errors"]
    for member, value in (("number", "77"), ("status", "received")):
        response = await post({member: value})
        assert response.status_code == 400 and member in response.json()["errors"]
    assert rule(await post({"supplier_external_id": "NOPE"}), "30") == [
        (["supplier_external_id"], "No supplier link with external id 'NOPE'.")]
    assert await levels(client, acme) == []  # nothing was written


async def test_incoming_follows_every_write(client, acme):
    w = await world(client, acme)
    van = await make(client, acme, "/v1/warehouses", {"code": "VAN"})
    po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 4}, {"item_id": w["oil"], "quantity": 1}]})
    url = f"{POS}/{po['id']}"
    bolt_line = po["lines"][0]
    response = await client.patch(url, json={"lines": [{"id": bolt_line["id"], "quantity": 6}]},
                                  headers=acme.headers)
    assert response.status_code == 200, response.text
    assert [li["id"] for li in response.json()["lines"]] == [bolt_line["id"]]
    assert await incoming(client, acme) == {(w["goods"], w["main"]): 6}
    response = await client.patch(url, json={"warehouse_id": van["id"]}, headers=acme.headers)
    assert response.status_code == 200, response.text
    assert await incoming(client, acme) == {(w["goods"], van["id"]): 6}
    response = await client.delete(url, headers=acme.headers)
    assert response.status_code == 200, response.text
    assert await incoming(client, acme) == {}


async def test_receive_books_stock_and_units_once(app, client, acme):
    w = await world(client, acme)
    po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 10},
        {"item_id": w["pump"], "quantity": 2, "serial_numbers": ["P-1"]},
    ]})
    url = f"{POS}/{po['id']}"
    pump_line = po["lines"][1]["id"]

    # The stored serials do not cover the line: 3013 naming it, in two languages.
    assert rule(await client.post(f"{url}/receive", headers=acme.headers), "3013") == [
        (["lines[1].serial_numbers"], "Serial numbers needed: 2; given: 1.")]
    response = await client.post(f"{url}/receive?language_code=0", headers=acme.headers)
    assert response.json()["title"] == "Et obligatorisk felt mangler."
    assert rule(response, "3013") == [(["lines[1].serial_numbers"],
                                       "Antall serienumre som kreves: 2; oppgitt: 1.")]
    response = await client.post(f"{url}/receive", json={"lines": [{"id": 2**40}]},
                                 headers=acme.headers)
    assert response.status_code == 400 and "lines[0].id" in response.json()["errors"]

    response = await client.post(f"{url}/receive", headers=acme.headers, json={
        "lines": [{"id": pump_line, "serial_numbers": ["P-1", "P-2"]}]})
    assert response.status_code == 200, response.text
    received = response.json()
    assert received["status"] == "received" and received["received_at"]
    assert [li["received_quantity"] for li in received["lines"]] == [10, 2]
    assert received["lines"][1]["serial_numbers"] == ["P-1", "P-2"]
    assert {(s["item_id"], s["on_hand"], s["available"], s["incoming"])
            for s in await levels(client, acme)} == {(w["goods"], 10, 10, 0),
                                                     (w["pump"], 2, 2, 0)}
    assert await units(app, acme) == [(w["pump"], "P-1", "in_stock", w["main"]),
                                      (w["pump"], "P-2", "in_stock", w["main"])]
    moved = (await client.get("/v1/stock-movements", headers=acme.headers, params={
        "purchase_order_line_id": pump_line})).json()
    assert [(m["type"], m["quantity"], m["serial_numbers"]) for m in moved] == [
        ("receipt", 2, ["P-1", "P-2"])]

    # Once: receiving again, editing or deleting is 3027.
    for language, title in ((1, "The order has already been received."),
                            (0, "Ordren er allerede mottatt.")):
        response = await client.post(f"{url}/receive?language_code={language}",
                                     headers=acme.headers)
        assert rule(response, "3027")[0][0] == ["status"]
        assert response.json()["title"] == title
    assert rule(await client.patch(url, json={"comment": "x"}, headers=acme.headers), "3027")
    assert rule(await client.delete(url, headers=acme.headers), "3027")
    assert len(await units(app, acme)) == 2


async def test_a_receive_failing_on_its_last_line_changes_nothing(app, client, acme):
    w = await world(client, acme)
    await make(client, acme, "/v1/stock-movements", {"item_id": w["pump"], "quantity": 1,
                                                     "serial_numbers": ["KNOWN"]})
    po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 3},
        {"item_id": w["pump"], "quantity": 1, "serial_numbers": ["NEW-1"]},
        {"item_id": w["pump"], "quantity": 1, "serial_numbers": ["KNOWN"]},
    ]})
    url = f"{POS}/{po['id']}"
    before = (await levels(client, acme), await units(app, acme),
              (await client.get(url, headers=acme.headers)).json())
    response = await client.post(f"{url}/receive", headers=acme.headers)
    assert rule(response, "30") == [(["lines[2].serial_numbers"],
                                     "Serial number 'KNOWN' is already known for this item.")]
    response = await client.post(f"{url}/receive?language_code=0", headers=acme.headers)
    assert rule(response, "30") == [(["lines[2].serial_numbers"],
                                     "Serienummeret 'KNOWN' er allerede registrert på denne "
                                     "varen.")]
    after = (await levels(client, acme), await units(app, acme),
             (await client.get(url, headers=acme.headers)).json())
    assert after == before
    assert before[2]["status"] == "open"


async def test_cancel_releases_incoming(client, acme):
    w = await world(client, acme)
    po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 4}]})
    url = f"{POS}/{po['id']}"
    response = await client.post(f"{url}/cancel", headers=acme.headers)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert await incoming(client, acme) == {}
    assert rule(await client.post(f"{url}/receive", headers=acme.headers), "30") == [
        (["status"], "Cannot receive while status is 'cancelled'.")]
    assert rule(await client.patch(url, json={"comment": "x"}, headers=acme.headers), "30") == [
        (["status"], "The order is cancelled and cannot be changed.")]
    assert (await client.delete(url, headers=acme.headers)).status_code == 200


async def test_receive_costs_the_same_statements_for_1_or_40_lines(app, client, acme):
    w = await world(client, acme)
    counts = []
    for size in (1, 40):
        lines = [{"item_id": w["goods"], "quantity": 1} for _ in range(size)]
        lines += [{"item_id": w["pump"], "quantity": 1, "serial_numbers": [f"S{size}-{n}"]}
                  for n in range(size)]
        po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": lines})
        with counting_statements(app.state.database.engine) as statements:
            response = await client.post(f"{POS}/{po['id']}/receive", headers=acme.headers)
        assert response.status_code == 200, response.text
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def test_concurrent_receipts_receive_once(app, client, acme):
    """Four receives of one purchase order at once: one 200, three 3027, stock once."""
    import asyncio

    w = await world(client, acme)
    po = await make(client, acme, POS, {"supplier_id": w["supplier"], "lines": [
        {"item_id": w["goods"], "quantity": 7},
        {"item_id": w["pump"], "quantity": 1, "serial_numbers": ["ONLY-1"]}]})
    responses = await asyncio.gather(*(
        client.post(f"{POS}/{po['id']}/receive", headers=acme.headers) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 422, 422, 422], [
        r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"3027"}
    assert {(s["item_id"], s["on_hand"]) for s in await levels(client, acme)} == {
        (w["goods"], 7), (w["pump"], 1)}
    assert len(await units(app, acme)) == 1
