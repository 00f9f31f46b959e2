"""The order actions (DESIGN §7.3): allocate, pick, deliver, cancel — their codes and
members in two languages, what a delivery makes by process, all or nothing, a constant
number of statements however many lines, and concurrent requests."""

from __future__ import annotations

import asyncio

from tests.orders.helpers import (
    ORDERS,
    equipment_rows,
    make,
    receive,
    rule,
    stock_levels,
    work_order_rows,
    world,
)


async def order_of(client, tenant, w, lines) -> dict:
    return await make(client, tenant, ORDERS, {"customer_id": w["customer"], "lines": lines})


async def level(client, tenant, item_id) -> dict:
    found = (await client.get("/v1/stock", params={"item_id": item_id},
                              headers=tenant.headers)).json()
    return {k: found[0][k] for k in ("on_hand", "allocated", "available")}


async def test_allocate_reserves_and_reports_shortage(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 5)
    await receive(client, acme, w["oil"], 1)
    order = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 2}, {"item_id": w["goods"], "quantity": 4},
        {"item_id": w["oil"], "quantity": 0.5}])
    url = f"{ORDERS}/{order['id']}"
    for language, message in ((1, "Quantity requested: 4; available: 3."),
                              (0, "Ønsket antall: 4; tilgjengelig: 3.")):
        response = await client.post(f"{url}/allocate", params={"language_code": language},
                                     headers=acme.headers)
        assert rule(response, "3008") == [(["lines[1].quantity"], message)]
    assert await level(client, acme, w["goods"]) == {"on_hand": 5, "allocated": 0,
                                                     "available": 5}
    await receive(client, acme, w["goods"], 1)
    allocated = await make(client, acme, f"{url}/allocate", {})
    assert allocated["status"] == "allocated"
    assert [li["allocated_quantity"] for li in allocated["lines"]] == [2, 4, 0.5]
    assert await level(client, acme, w["goods"]) == {"on_hand": 6, "allocated": 6,
                                                     "available": 0}
    # Allocating again reserves nothing more.
    again = await make(client, acme, f"{url}/allocate", {})
    assert [li["allocated_quantity"] for li in again["lines"]] == [2, 4, 0.5]
    # Cancelling releases it all.
    cancelled = await make(client, acme, f"{url}/cancel", {})
    assert cancelled["status"] == "cancelled"
    assert [li["allocated_quantity"] for li in cancelled["lines"]] == [0, 0, 0]
    assert await level(client, acme, w["goods"]) == {"on_hand": 6, "allocated": 0,
                                                     "available": 6}
    response = await client.post(f"{url}/allocate", headers=acme.headers)
    assert rule(response, "30")[0][0] == ["status"]
    response = await client.post(f"{url}/cancel", headers=acme.headers)
    assert rule(response, "30")[0][0] == ["status"]


async def test_pick(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 2, ["P-1", "P-2"])
    order = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 3},
        {"item_id": w["pump"], "quantity": 2, "process": 2}])
    url = f"{ORDERS}/{order['id']}"
    goods, pump = (line["id"] for line in order["lines"])
    # Unique lines name their serials: one per unit, each in stock here.
    response = await client.post(f"{url}/pick", json={"lines": [
        {"id": pump, "quantity": 2, "serial_numbers": ["P-1"]}]}, headers=acme.headers)
    assert rule(response, "3013") == [(["lines[1].serial_numbers"],
                                       "Serial numbers needed: 2; given: 1.")]
    response = await client.post(f"{url}/pick", params={"language_code": 3}, json={"lines": [
        {"id": pump, "quantity": 2, "serial_numbers": ["P-1"]}]}, headers=acme.headers)
    assert rule(response, "3013") == [(["lines[1].serial_numbers"],
                                       "Antal serienummer som krävs: 2; angivna: 1.")]
    response = await client.post(f"{url}/pick", params={"language_code": 0}, json={"lines": [
        {"id": pump, "quantity": 2, "serial_numbers": ["P-1", "P-9"]}]}, headers=acme.headers)
    assert rule(response, "3008") == [(["lines[1].serial_numbers"],
                                       "Serienummeret 'P-9' er ikke på lager på dette lageret.")]
    response = await client.post(f"{url}/pick", json={"lines": [{"id": goods, "quantity": 0}]},
                                 headers=acme.headers)
    assert rule(response, "3019")[0][0] == ["lines[0].quantity"]
    response = await client.post(f"{url}/pick", json={"lines": [{"id": goods, "quantity": 4}]},
                                 headers=acme.headers)
    assert response.status_code == 400 and "lines[0].quantity" in response.json()["errors"]
    # A partial pick reserves what it picked.
    partial = await make(client, acme, f"{url}/pick", {"lines": [{"id": goods, "quantity": 2}]})
    assert partial["status"] == "allocated"
    assert [(li["picked_quantity"], li["allocated_quantity"]) for li in partial["lines"]] == [
        (2, 2), (0, 0)]
    picked = await make(client, acme, f"{url}/pick", {"lines": [
        {"id": goods}, {"id": pump, "serial_numbers": ["P-2", "P-1"]}]})
    assert picked["status"] == "picked"
    assert [(li["picked_quantity"], li["allocated_quantity"]) for li in picked["lines"]] == [
        (3, 3), (2, 2)]
    assert picked["lines"][1]["serial_numbers"] == ["P-2", "P-1"]
    # The delivery without a body delivers the picked serials.
    delivery = await make(client, acme, f"{url}/deliver", {})
    assert [(dl["order_line_id"], dl["quantity"], dl["serial_numbers"])
            for dl in delivery["lines"]] == [(goods, 3, []), (pump, 2, ["P-2", "P-1"])]
    assert await level(client, acme, w["pump"]) == {"on_hand": 0, "allocated": 0,
                                                    "available": 0}


async def test_deliver_by_process(app, client, acme):
    """Process 1: unique units sold; 2: equipment at the customer (units by serial with the
    line's properties; one record per non-unique line); groups: main equipment."""
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["oil"], 10)
    await receive(client, acme, w["pump"], 4, ["P-1", "P-2", "P-3", "P-4"])
    order = await order_of(client, acme, w, [
        {"item_id": w["pump"], "quantity": 1, "process": 1, "serial_numbers": ["P-1"]},
        {"item_id": w["pump"], "quantity": 1, "process": 2, "serial_numbers": ["P-2"],
         "properties": {"colour": "red"}, "group": "G", "main": True},
        {"item_id": w["goods"], "quantity": 3, "process": 2, "group": "G",
         "properties": {"size": "M"}},
        {"item_id": w["oil"], "quantity": 2.5, "process": 2, "group": "G"},
        {"item_id": w["goods"], "quantity": 1, "process": 1},
        {"item_id": w["pump"], "quantity": 2, "process": 2}])
    url = f"{ORDERS}/{order['id']}"
    lines = [line["id"] for line in order["lines"]]
    before = {row[2]: row for row in await equipment_rows(app, acme)}
    # The last line names no serials: 3013 naming it, nothing delivered.
    response = await client.post(f"{url}/deliver", headers=acme.headers)
    assert rule(response, "3013") == [(["lines[5].serial_numbers"],
                                       "Serial numbers needed: 2; given: 0.")]
    delivery = await make(client, acme, f"{url}/deliver", {"lines": [
        {"id": line} for line in lines[:5]] + [{"id": lines[5], "quantity": 1,
                                                  "serial_numbers": ["P-4"]}]})
    assert delivery["order_id"] == order["id"] and delivery["work_order_ids"] == []
    rows = {row[0]: row for row in await equipment_rows(app, acme)}
    by_serial = {row[2]: row for row in rows.values() if row[2]}
    customer = w["customer"]
    p1, p2, p4 = by_serial["P-1"], by_serial["P-2"], by_serial["P-4"]
    assert (p1[4], p1[5], p1[6], p1[7]) == ("sold", None, customer, lines[0])
    assert (p2[4], p2[5], p2[6], p2[7], p2[9]) == ("at_customer", None, customer, lines[1],
                                                   {"colour": "red"})
    assert (p4[4], p4[6], p4[7]) == ("at_customer", customer, lines[5])
    assert by_serial["P-3"] == before["P-3"]  # not delivered: still in stock
    made = [row for row in rows.values() if row[2] is None]
    assert sorted((row[1], row[3], row[4], row[7], row[8], row[9]) for row in made) == sorted([
        (w["goods"], 3, "at_customer", lines[2], p2[0], {"size": "M"}),
        (w["oil"], 2.5, "at_customer", lines[3], p2[0], {})])
    assert sorted(delivery["equipment_ids"]) == sorted(
        [p1[0], p2[0], p4[0], *(row[0] for row in made)])
    assert p2[8] is None  # the main unit is nobody's sub
    order = (await client.get(url, headers=acme.headers)).json()
    assert order["status"] == "partially_delivered"
    assert [li["delivered_quantity"] for li in order["lines"]] == [1, 1, 3, 2.5, 1, 1]
    assert await level(client, acme, w["pump"]) == {"on_hand": 1, "allocated": 0,
                                                    "available": 1}
    # Nothing may change now, and cancelling is too late; the rest can still be delivered.
    rule(await client.post(f"{url}/cancel", headers=acme.headers), "3025")
    rest = await make(client, acme, f"{url}/deliver", {"lines": [
        {"id": lines[5], "serial_numbers": ["P-3"]}]})
    assert rest["lines"] == [{"order_line_id": lines[5], "quantity": 1,
                              "serial_numbers": ["P-3"]}]
    order = (await client.get(url, headers=acme.headers)).json()
    assert order["status"] == "delivered"
    assert order["lines"][5]["serial_numbers"] == ["P-4", "P-3"]
    for language, title in ((1, "The order has been partially or fully delivered."),
                            (4, None)):
        response = await client.post(f"{url}/deliver", params={"language_code": language},
                                     headers=acme.headers)
        rule(response, "3025")
        if title:
            assert response.json()["title"] == title
    listed = (await client.get(f"{url}/deliveries", headers=acme.headers)).json()
    assert [d["id"] for d in listed] == [delivery["id"], rest["id"]]
    one = (await client.get(f"{url}/deliveries/{rest['id']}", headers=acme.headers)).json()
    assert one == listed[1]
    movements = (await client.get("/v1/stock-movements", params={
        "type": "delivery", "order_line_id": lines[5]}, headers=acme.headers)).json()
    assert [(m["quantity"], m["serial_numbers"]) for m in movements] == [
        (-1, ["P-4"]), (-1, ["P-3"])]


async def test_a_main_delivered_later_still_becomes_the_main(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 1, ["M-1"])
    order = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 2, "process": 2, "group": "G"},
        {"item_id": w["pump"], "quantity": 1, "process": 2, "group": "G", "main": True,
         "serial_numbers": ["M-1"]}])
    url = f"{ORDERS}/{order['id']}"
    sub_line, main_line = (line["id"] for line in order["lines"])
    first = await make(client, acme, f"{url}/deliver", {"lines": [{"id": sub_line}]})
    await make(client, acme, f"{url}/deliver", {"lines": [{"id": main_line}]})
    rows = {row[0]: row for row in await equipment_rows(app, acme)}
    main = next(row for row in rows.values() if row[2] == "M-1")
    assert rows[first["equipment_ids"][0]][8] == main[0]


async def test_delivering_too_much_is_3008_with_nothing_changed(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 2)
    order = await order_of(client, acme, w, [{"item_id": w["goods"], "quantity": 3}])
    url = f"{ORDERS}/{order['id']}"
    for language, message in ((1, "Quantity requested: 3; available: 2."),
                              (7, "Cantidad solicitada: 3; disponible: 2.")):
        response = await client.post(f"{url}/deliver", params={"language_code": language},
                                     headers=acme.headers)
        assert rule(response, "3008") == [(["lines[0].quantity"], message)]
    assert (await client.get(url, headers=acme.headers)).json() == order


async def snapshot(app, client, tenant, url) -> tuple:
    return (await stock_levels(client, tenant), await equipment_rows(app, tenant),
            await work_order_rows(app, tenant),
            (await client.get(url, headers=tenant.headers)).json(),
            (await client.get(f"{url}/deliveries", headers=tenant.headers)).json(),
            (await client.get("/v1/stock-movements", params={"per_page": 500},
                              headers=tenant.headers)).json())


async def test_a_delivery_failing_on_its_last_line_changes_nothing(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["oil"], 3)
    await receive(client, acme, w["pump"], 3, ["U-1", "U-2", "U-3"])
    order = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 4, "process": 2},
        {"item_id": w["pump"], "quantity": 1, "process": 2, "serial_numbers": ["U-1"]},
        {"item_id": w["oil"], "quantity": 2, "process": 2},
        {"item_id": w["pump"], "quantity": 2, "process": 2,
         "serial_numbers": ["U-2", "U-404"]}])
    url = f"{ORDERS}/{order['id']}"
    await make(client, acme, f"{url}/allocate", {})
    before = await snapshot(app, client, acme, url)
    # The last line's second serial is not in stock.
    response = await client.post(f"{url}/deliver", headers=acme.headers)
    assert rule(response, "3008") == [
        (["lines[3].serial_numbers"], "Serial number 'U-404' is not in stock at this warehouse.")]
    assert await snapshot(app, client, acme, url) == before
    # The last line short of stock: the oil is taken by another order's delivery first.
    other = await order_of(client, acme, w, [{"item_id": w["oil"], "quantity": 3}])
    response = await client.post(f"{ORDERS}/{other['id']}/deliver", headers=acme.headers)
    assert rule(response, "3008")[0][0] == ["lines[0].quantity"]  # 2 of 3 are reserved
    fix = await client.patch(f"{ORDERS}/{other['id']}", json={"lines": [
        {"id": other["lines"][0]["id"], "quantity": 1}]}, headers=acme.headers)
    assert fix.status_code == 200, fix.text
    await make(client, acme, f"{ORDERS}/{other['id']}/deliver", {})
    # Now deliver with a body that asks for more oil than is left (2 reserved, 0 free)
    # on the last line named; an earlier line would have gone through.
    before = await snapshot(app, client, acme, url)
    third = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 1, "process": 2},
        {"item_id": w["oil"], "quantity": 1, "process": 2}])
    third_url = f"{ORDERS}/{third['id']}"
    third_before = await snapshot(app, client, acme, third_url)
    response = await client.post(f"{third_url}/deliver", headers=acme.headers)
    assert rule(response, "3008") == [(["lines[1].quantity"],
                                       "Quantity requested: 1; available: 0.")]
    assert await snapshot(app, client, acme, third_url) == third_before
    assert await snapshot(app, client, acme, url) == before


async def test_concurrent_deliveries_deliver_once(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 2, ["C-1", "C-2"])
    order = await order_of(client, acme, w, [
        {"item_id": w["goods"], "quantity": 4, "process": 2},
        {"item_id": w["pump"], "quantity": 2, "process": 2, "serial_numbers": ["C-1", "C-2"]}])
    url = f"{ORDERS}/{order['id']}"
    responses = await asyncio.gather(*(client.post(f"{url}/deliver", headers=acme.headers)
                                       for _ in range(4)))
    codes = sorted((r.status_code, r.json().get("code")) for r in responses)
    assert codes == [(200, None)] + [(422, "3025")] * 3, [r.text for r in responses]
    assert await level(client, acme, w["goods"]) == {"on_hand": 6, "allocated": 0,
                                                     "available": 6}
    assert len((await client.get(f"{url}/deliveries", headers=acme.headers)).json()) == 1
    rows = await equipment_rows(app, acme)
    assert len([row for row in rows if row[7] is not None]) == 3  # 2 units + 1 record


async def test_concurrent_allocations_beyond_stock_fail_once(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 5)
    orders = [await order_of(client, acme, w, [{"item_id": w["goods"], "quantity": 3}])
              for _ in range(2)]
    responses = await asyncio.gather(*(client.post(f"{ORDERS}/{o['id']}/allocate",
                                                   headers=acme.headers) for o in orders))
    codes = sorted((r.status_code, r.json().get("code")) for r in responses)
    assert codes == [(200, None), (422, "3008")], [r.text for r in responses]
    assert await level(client, acme, w["goods"]) == {"on_hand": 5, "allocated": 3,
                                                     "available": 2}


async def test_picking_unique_units_in_two_steps(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["pump"], 3, ["T-1", "T-2", "T-3"])
    order = await order_of(client, acme, w, [
        {"item_id": w["pump"], "quantity": 3, "serial_numbers": ["T-1", "T-2", "T-3"]}])
    url = f"{ORDERS}/{order['id']}"
    line = order["lines"][0]["id"]
    first = await make(client, acme, f"{url}/pick", {"lines": [
        {"id": line, "quantity": 1, "serial_numbers": ["T-3"]}]})
    assert first["lines"][0]["serial_numbers"] == ["T-3", "T-1", "T-2"]
    second = await make(client, acme, f"{url}/pick", {"lines": [{"id": line, "quantity": 1}]})
    assert (second["status"], second["lines"][0]["picked_quantity"]) == ("allocated", 2)
    assert second["lines"][0]["serial_numbers"] == ["T-3", "T-1", "T-2"]
    delivery = await make(client, acme, f"{url}/deliver", {"lines": [{"id": line,
                                                                      "quantity": 2}]})
    assert delivery["lines"][0]["serial_numbers"] == ["T-3", "T-1"]
    rest = await make(client, acme, f"{url}/deliver", {})
    assert rest["lines"][0]["serial_numbers"] == ["T-2"]


async def test_nothing_to_deliver(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 5)
    empty = await order_of(client, acme, w, [])
    response = await client.post(f"{ORDERS}/{empty['id']}/deliver", params={
        "language_code": 0}, headers=acme.headers)
    assert rule(response, "30") == [(["lines"], "Ordren har ingenting igjen å levere.")]
    order = await order_of(client, acme, w, [{"item_id": w["goods"], "quantity": 1},
                                             {"item_id": w["goods"], "quantity": 1}])
    url = f"{ORDERS}/{order['id']}"
    first = order["lines"][0]["id"]
    await make(client, acme, f"{url}/deliver", {"lines": [{"id": first}]})
    response = await client.post(f"{url}/deliver", json={"lines": [{"id": first}]},
                                 headers=acme.headers)
    assert response.status_code == 400 and "lines[0].id" in response.json()["errors"]
    response = await client.post(f"{url}/deliver", json={"lines": [{"id": 2**40}]},
                                 headers=acme.headers)
    assert response.status_code == 400 and "lines[0].id" in response.json()["errors"]


async def test_the_orders_messages_are_in_the_callers_language(client, acme):
    """The order service's own words (issue 11): the refused lines of a pick, the 404 of
    a line and an order, a prepared order's detail, the lines' required members."""
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    order = await order_of(client, acme, w, [{"item_id": w["goods"], "quantity": 3}])
    url = f"{ORDERS}/{order['id']}"
    [goods] = (line["id"] for line in order["lines"])

    refused = await client.post(f"{url}/pick", params={"language_code": 7}, json={"lines": [
        {"id": goods, "quantity": 4}, {"id": goods}, {"id": 999999}]}, headers=acme.headers)
    assert refused.status_code == 400 and refused.headers["Content-Language"] == "es"
    assert refused.json()["detail"] == "Líneas no válidas para preparar."
    assert refused.json()["errors"] == {
        "lines[0].quantity": [f"a la línea {goods} le quedan 3 por preparar"],
        "lines[1].id": [f"la línea {goods} aparece dos veces"],
        "lines[2].id": ["la línea 999999 no es una línea de este pedido"]}

    missing = await client.post(ORDERS, params={"language_code": 3}, headers=acme.headers,
                                json={"customer_id": w["customer"], "lines": [{}]})
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Obligatoriska fält saknas."
    assert missing.json()["errors"] == {"lines[0].item_id": ["item_id krävs (eller item_number)"],
                                        "lines[0].quantity": ["quantity krävs"]}

    nowhere = await client.get(f"{ORDERS}/999999?language_code=3", headers=acme.headers)
    assert nowhere.json()["detail"] == "Det finns ingen order med id 999999."

    await make(client, acme, f"{url}/allocate", {})
    changed = await client.patch(url, params={"language_code": 7}, headers=acme.headers,
                                 json={"reference": "X"})
    assert rule(changed, "3026")
    assert changed.json()["detail"] == "El pedido está en allocated: ya no se puede modificar."
