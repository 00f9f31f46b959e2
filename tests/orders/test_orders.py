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


async def test_customer_and_contact(client, acme):
    w = await world(client, acme)
    missing = await client.post(ORDERS, json={"lines": []}, headers=acme.headers)
    assert missing.status_code == 400 and "customer_id" in missing.json()["errors"]
    for language, message in ((1, "The contact is not a contact of the order's customer."),
                              (0, "Kontaktpersonen tilhører ikke ordrens kunde.")):
        response = await client.post(
            ORDERS, params={"language_code": language},
            json={"customer_id": w["customer"], "contact_id": w["stranger_contact"]},
            headers=acme.headers)
        assert rule(response, "30") == [(["contact_id"], message)]
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"],
                                              "contact_id": w["contact"]})
    # Changing the customer alone leaves a contact of the old one: refused too.
    response = await client.patch(f"{ORDERS}/{order['id']}",
                                  json={"customer_id": w["stranger"]}, headers=acme.headers)
    assert rule(response, "30")[0][0] == ["contact_id"]
    moved = await client.patch(f"{ORDERS}/{order['id']}", json={
        "customer_id": w["stranger"], "contact_id": w["stranger_contact"]},
        headers=acme.headers)
    assert moved.status_code == 200, moved.text
    unknown = await client.post(ORDERS, json={"customer_external_id": "NOPE"},
                                headers=acme.headers)
    assert rule(unknown, "30")[0][0] == ["customer_external_id"]


async def test_workflow_statuses(client, acme):
    w = await world(client, acme)
    workflows = {wf["type"]: wf for wf in
                 (await client.get("/v1/workflows", headers=acme.headers)).json()}
    line_status = workflows["order_line"]["statuses"][1]["id"]
    order_status = workflows["order"]["statuses"][1]["id"]
    for language, message in ((1, "Invalid Workflow Status Id"),
                              (7, "ID de estado del flujo de trabajo no válido")):
        response = await client.post(ORDERS, params={"language_code": language}, json={
            "customer_id": w["customer"], "workflow_status_id": line_status},
            headers=acme.headers)
        assert rule(response, "30") == [(["workflow_status_id"], message)]
        response = await client.post(ORDERS, params={"language_code": language}, json={
            "customer_id": w["customer"], "lines": [
                {"item_id": w["goods"], "quantity": 1},
                {"item_id": w["goods"], "quantity": 1, "workflow_status_id": order_status}]},
            headers=acme.headers)
        assert rule(response, "30") == [(["lines[1].workflow_status_id"], message)]
    order = await make(client, acme, ORDERS, {
        "customer_id": w["customer"], "workflow_status_id": order_status,
        "lines": [{"item_id": w["goods"], "quantity": 1, "workflow_status_id": line_status}]})
    assert order["workflow_status_id"] == order_status
    # A status in use cannot leave its workflow (422 code 3 naming the order).
    for wf, used in ((workflows["order"], order_status),
                     (workflows["order_line"], line_status)):
        keep = [{"id": s["id"]} for s in wf["statuses"] if s["id"] != used]
        response = await client.patch(f"/v1/workflows/{wf['id']}", json={"statuses": keep},
                                      headers=acme.headers)
        assert response.status_code == 422 and response.json()["code"] == "3", response.text
        assert f"order {order['number']}" in response.json()["reason"]


async def test_line_rules_name_their_member_in_two_languages(client, acme):
    w = await world(client, acme)
    base = {"customer_id": w["customer"]}

    async def post(lines, language=1):
        return await client.post(ORDERS, params={"language_code": language},
                                 json={**base, "lines": lines}, headers=acme.headers)

    ok = {"item_id": w["goods"], "quantity": 1}
    titles = set()
    for language in (1, 3):
        response = await post([ok, {"item_id": w["goods"], "quantity": 0}], language)
        assert rule(response, "3019")[0][0] == ["lines[1].quantity"]
        titles.add(response.json()["title"])
    assert len(titles) == 2, titles  # English and Swedish
    response = await post([ok, {"item_id": w["goods"], "quantity": -2}])
    assert rule(response, "3019")[0][0] == ["lines[1].quantity"]
    # Whole units for countable kinds; a consumable may be split.
    response = await post([{"item_id": w["part"], "quantity": 1.5}])
    assert rule(response, "30") == [(["lines[0].quantity"],
                                     "Items of kind 'part' are counted in whole units.")]
    response = await post([{"item_id": w["part"], "quantity": 1.5}], 0)
    assert rule(response, "30") == [(["lines[0].quantity"],
                                     "Varer av typen 'part' telles i hele enheter.")]
    assert (await post([{"item_id": w["oil"], "quantity": 1.5}])).status_code == 200
    # Serial numbers: unique items only, at most quantity, each once (400).
    for lines in ([{"item_id": w["goods"], "quantity": 1, "serial_numbers": ["X"]}],
                  [{"item_id": w["pump"], "quantity": 1, "serial_numbers": ["A", "B"]}],
                  [{"item_id": w["pump"], "quantity": 2, "serial_numbers": ["A", "A"]}]):
        response = await post(lines)
        assert response.status_code == 400, response.text
        assert "lines[0].serial_numbers" in response.json()["errors"]
    response = await post([{"item_id": w["pump"], "quantity": 1, "serial_numbers": ["A"]},
                           {"item_id": w["pump"], "quantity": 1, "serial_numbers": ["A"]}])
    assert response.status_code == 400, response.text
    assert "lines[1].serial_numbers" in response.json()["errors"]
    # Items by number; an unknown number or item id is code 30 naming it.
    response = await post([ok, {"item_number": "NOPE", "quantity": 1}])
    assert rule(response, "30")[0][0] == ["lines[1].item_number"]
    response = await post([{"item_id": 2**40, "quantity": 1}])
    assert rule(response, "30")[0][0] == ["lines[0].item_id"]
    response = await post([{"quantity": 1}])
    assert response.status_code == 400 and "lines[0].item_id" in response.json()["errors"]
    # process 1-4 only (400).
    response = await post([{"item_id": w["goods"], "quantity": 1, "process": 5}])
    assert response.status_code == 400


async def test_grouped_lines(client, acme):
    w = await world(client, acme)

    def line(group, main, process=2):
        return {"item_id": w["pump"], "quantity": 1, "process": process, "group": group,
                "main": main}

    async def post(lines, language=1):
        return await client.post(ORDERS, params={"language_code": language}, json={
            "customer_id": w["customer"], "lines": lines}, headers=acme.headers)

    response = await post([line("A", False), line("A", False)])
    assert rule(response, "30") == [(["lines[0].main"],
                                     "Exactly one line of group 'A' must be main.")]
    response = await post([line("A", True), line("B", True), line("A", True)], 4)
    assert rule(response, "30") == [(["lines[2].main"],
                                     "Præcis én linje i gruppen 'A' skal være hovedlinje.")]
    response = await post([line("A", True), line("A", False, process=1)])
    assert rule(response, "30")[0][0] == ["lines[1].group"]
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        line("A", True), line("A", False, process=3), line("B", True)]})
    # The nested route keeps the rule: deleting a group's main line is refused.
    main_id = order["lines"][0]["id"]
    response = await client.delete(f"{ORDERS}/{order['id']}/lines/{main_id}",
                                   headers=acme.headers)
    assert rule(response, "30")[0][0] == ["lines[0].main"]


async def test_lines_list_replace_and_import_ids(client, acme):
    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 1, "import_id": "L-1"},
        {"item_id": w["oil"], "quantity": 2}]})
    first, second = order["lines"]
    response = await client.patch(f"{ORDERS}/{order['id']}", json={"lines": [
        {"id": second["id"], "quantity": 4}, {"item_number": "PART", "quantity": 3}]},
        headers=acme.headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert [(li["id"], li["quantity"], li["position"]) for li in changed["lines"]] == [
        (second["id"], 4, 2), (changed["lines"][1]["id"], 3, 3)]
    assert changed["net_amount"] == 4 * 10 + 3 * 7
    # A line import id belongs to one line of the company.
    other = await client.post(ORDERS, json={"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 1, "import_id": "L-2"}]}, headers=acme.headers)
    assert other.status_code == 200
    response = await client.patch(f"{ORDERS}/{order['id']}", json={"lines": [
        {"item_id": w["goods"], "quantity": 1, "import_id": "L-2"}]}, headers=acme.headers)
    assert rule(response, "30")[0][0] == ["lines[0].import_id"]
    response = await client.post(f"{ORDERS}/{order['id']}/lines", json={
        "item_id": w["goods"], "quantity": 1, "import_id": "L-2"}, headers=acme.headers)
    assert rule(response, "30")[0][0] == ["import_id"]
    # Read-only members: sent back unchanged is fine, changed is a 400.
    response = await client.patch(f"{ORDERS}/{order['id']}/lines/{second['id']}", json={
        "delivered_quantity": 1}, headers=acme.headers)
    assert response.status_code == 400
    response = await client.patch(f"{ORDERS}/{order['id']}", json={"net_amount": 1},
                                  headers=acme.headers)
    assert response.status_code == 400
    assert first["id"] not in {li["id"] for li in changed["lines"]}


async def test_editing_rules_on_every_write_path(client, acme):
    """allocated/picked → 3026, partially_delivered/delivered → 3025, cancelled → code 30,
    on every way of changing an order or its lines."""
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 100)

    async def order_in(state: str) -> dict:
        order = await make(client, acme, ORDERS, {
            "customer_id": w["customer"], "import_id": f"edit-{state}",
            "lines": [{"item_id": w["goods"], "quantity": 2},
                      {"item_id": w["goods"], "quantity": 1}]})
        url = f"{ORDERS}/{order['id']}"
        if state == "allocated":
            await make(client, acme, f"{url}/allocate", {})
        elif state == "picked":
            await make(client, acme, f"{url}/pick", {})
        elif state == "partially_delivered":
            await make(client, acme, f"{url}/deliver",
                       {"lines": [{"id": order["lines"][0]["id"]}]})
        elif state == "delivered":
            await make(client, acme, f"{url}/deliver", {})
        elif state == "cancelled":
            await make(client, acme, f"{url}/cancel", {})
        read = (await client.get(url, headers=acme.headers)).json()
        assert read["status"] == state
        return read

    expected = {"allocated": ("3026", "The order has been prepared or is already in "
                              "preparation."),
                "picked": ("3026", None),
                "partially_delivered": ("3025", "The order has been partially or fully "
                                        "delivered."),
                "delivered": ("3025", None),
                "cancelled": ("30", None)}
    for state, (code, title) in expected.items():
        order = await order_in(state)
        url = f"{ORDERS}/{order['id']}"
        line_url = f"{url}/lines/{order['lines'][0]['id']}"
        line = {"item_id": w["goods"], "quantity": 1}
        calls = [("PATCH", url, {"comment": "x"}), ("PUT", url, {"comment": "x"}),
                 ("PATCH", url, {"lines": []}), ("DELETE", url, None),
                 ("POST", f"{url}/lines", line), ("PATCH", line_url, {"quantity": 5}),
                 ("PUT", line_url, {"quantity": 5}), ("DELETE", line_url, None),
                 ("POST", ORDERS, {"import_id": order["import_id"], "comment": "x"})]
        for method, target, body in calls:
            response = await client.request(method, target, json=body, headers=acme.headers)
            assert response.status_code == 422, (state, method, target, response.text)
            problem = response.json()
            assert problem["code"] == code, (state, method, target, problem)
            if title:
                assert problem["title"] == title
            if code == "30":
                assert problem["violations"][0]["errorMessage"] == \
                    "The order is cancelled and cannot be changed."
        bulk = await client.delete(f"{ORDERS}?ids={order['id']}", headers=acme.headers)
        result = bulk.json()
        assert result["success_count"] == 0, result
        assert result["errors"][0]["error"]["code"] == code
        assert (await client.get(url, headers=acme.headers)).json() == order
    # In Norwegian.
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 1}]})
    await make(client, acme, f"{ORDERS}/{order['id']}/allocate", {})
    response = await client.patch(f"{ORDERS}/{order['id']}", params={"language_code": 0},
                                  json={"comment": "x"}, headers=acme.headers)
    assert response.json()["code"] == "3026"
    assert response.json()["title"] != expected["allocated"][1]


async def test_amounts_that_do_not_fit_are_400(client, acme):
    w = await world(client, acme)
    response = await client.post(ORDERS, json={"customer_id": w["customer"], "lines": [
        {"item_id": w["oil"], "quantity": 9_999_999_999, "unit_price": 9_999_999_999}]},
        headers=acme.headers)
    assert response.status_code == 400 and "lines" in response.json()["errors"]
