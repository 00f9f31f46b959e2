"""/v1/orders and /v1/orders/{order_id}/lines (DESIGN §7.3): defaults, amounts, line
rules with their codes and members in two languages, grouped lines, the editing rules
on every write path. CRUD, filters, sorts, import_id, tenancy and 401 run from the
contract kit (tests/test_contract.py)."""

from __future__ import annotations

from datetime import date

from tests.orders.helpers import ORDERS, make, receive, rule, world


async def test_create_with_defaults_and_amounts(client, acme):
    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_external_id": "EXT-C",
                                              "contact_external_id": "EXT-K", "lines": [
        {"item_number": "BOLT", "quantity": 3},
        {"item_id": w["oil"], "quantity": 2.5, "unit_price": 9.99, "tax_rate": 15},
    ]})
    assert (order["number"], order["customer_id"], order["contact_id"],
            order["warehouse_id"], order["status"]) == (
        "1", w["customer"], w["contact"], w["main"], "open")
    assert order["order_date"] == date.today().isoformat()
    lines = order["lines"]
    assert [(li["position"], li["item_id"], li["description"], li["quantity"],
             li["unit_price"], li["tax_rate"], li["process"], li["process_name"])
            for li in lines] == [
        (1, w["goods"], "Bolt", 3, 2.5, 25, 1, "No action"),
        (2, w["oil"], "Oil", 2.5, 9.99, 15, 1, "No action")]
    # net 7.5 + 24.975 = 32.475 → 32.48; tax 1.875 + 3.74625 = 5.62125 → 5.62
    assert (order["net_amount"], order["tax_amount"], order["gross_amount"]) == (
        32.48, 5.62, 38.1)
    workflows = (await client.get("/v1/workflows", headers=acme.headers)).json()
    first = {wf["type"]: wf["statuses"][0]["id"] for wf in workflows}
    assert order["workflow_status_id"] == first["order"]
    assert {li["workflow_status_id"] for li in lines} == {first["order_line"]}
    norwegian = (await client.get(f"{ORDERS}/{order['id']}", params={"language_code": 0},
                                  headers=acme.headers)).json()
    assert norwegian["lines"][0]["process_name"] == "Ingen handling"


async def test_nested_lines(client, acme):
    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 2}]})
    url = f"{ORDERS}/{order['id']}/lines"
    line = await make(client, acme, url, {"item_number": "PUMP", "quantity": 1,
                                          "process": 2, "serial_numbers": ["P-1"]})
    assert (line["position"], line["description"], line["process_name"]) == (
        2, "Pump", "Create equipment")
    again = (await client.get(f"{ORDERS}/{order['id']}", headers=acme.headers)).json()
    assert again["net_amount"] == 305 and len(again["lines"]) == 2
    changed = await client.patch(f"{url}/{line['id']}", json={"quantity": 2},
                                 headers=acme.headers)
    assert changed.status_code == 200, changed.text
    again = (await client.get(f"{ORDERS}/{order['id']}", headers=acme.headers)).json()
    assert again["net_amount"] == 605
    gone = await client.delete(f"{url}/{line['id']}", headers=acme.headers)
    assert gone.status_code == 200
    again = (await client.get(f"{ORDERS}/{order['id']}", headers=acme.headers)).json()
    assert again["net_amount"] == 5 and len(again["lines"]) == 1
    # Another order's line is not found on this order's route.
    second = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 1}]})
    response = await client.get(f"{url}/{second['lines'][0]['id']}", headers=acme.headers)
    assert response.status_code == 404


async def test_simple_flow(client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 2, ["P-1", "P-2"])
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 3, "process": 2},
        {"item_id": w["pump"], "quantity": 1, "process": 2, "serial_numbers": ["P-2"]}]})
    allocated = await client.post(f"{ORDERS}/{order['id']}/allocate", headers=acme.headers)
    assert allocated.status_code == 200, allocated.text
    assert allocated.json()["status"] == "allocated"
    delivered = await client.post(f"{ORDERS}/{order['id']}/deliver", headers=acme.headers)
    assert delivered.status_code == 200, delivered.text
    body = delivered.json()
    assert len(body["equipment_ids"]) == 2 and body["work_order_ids"] == []
    order = (await client.get(f"{ORDERS}/{order['id']}", headers=acme.headers)).json()
    assert order["status"] == "delivered"
    listed = (await client.get(f"{ORDERS}/{order['id']}/deliveries",
                               headers=acme.headers)).json()
    assert [d["id"] for d in listed] == [body["id"]]
    response = await client.patch(f"{ORDERS}/{order['id']}", json={"comment": "x"},
                                  headers=acme.headers)
    rule(response, "3025")
