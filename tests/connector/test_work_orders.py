"""The connector's work-order functions (seed 003): ``PostWorkorders`` (upsert by
``WorkorderNo``), ``GetWorkorder``, ``UpdateWorkorder``, ``GetWorkorders`` with the
status filter and Compleet → Afgehandeld on fetch, the safe two-step flow, the codes
1500/1501/1504, all or nothing, and another company's work orders out of reach."""

from __future__ import annotations

from tests.equipment.helpers import adjust, item

EMPLOYEES = [{"number": "T-07", "firstname": "Sanne", "lastname": "de Vries"},
             {"number": "T-08", "firstname": "Jan", "lastname": "Bakker"}]


async def v1(client, tenant, row_id: int) -> dict:
    response = await client.get(f"/v1/work-orders/{row_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_post_get_and_update_a_work_order(client, acme, connector):
    wb = await connector(acme)
    await wb.call("PostEmployees", EMPLOYEES)
    await item(client, acme, "consumable", number="R32-10", sales_price=12.5, unit="kg")
    posted = await wb.call("PostWorkorders", [{
        "WorkorderNo": "WB-1001", "TypeOfWork": "maintenance", "PlannedDate": "02-12-2026",
        "PlannedTime": "08:30", "Deadline": "2026-12-09", "DurationMinutes": 90,
        "Description": "Yearly service of the heat pump", "EmployeeNumbers": ["T-07"],
        "WorkPeriods": [{"EmployeeNumber": "T-07", "Date": "02-12-2026",
                         "BeginTime": "08:30", "EndTime": "10:00", "BreakMinutes": 0}],
        "Materials": [{"ItemNo": "R32-10", "Quantity": 1.5}],
    }])
    [entry] = posted
    number, row_id = entry["workorder_no"], entry["row_id"]
    assert number == "WB-1001"
    # row_id is the id on /v1, where the same work order shows in /v1's names.
    same = await v1(client, acme, row_id)
    assert (same["number"], same["type_of_work"], same["planned_date"], same["deadline"],
            same["status"]) == ("WB-1001", "maintenance", "2026-12-02", "2026-12-09", "ready")
    assert same["materials"][0]["unit_price"] == 12.5

    shown = await wb.call("GetWorkorder", row_id=row_id)
    assert shown == await wb.call("GetWorkorder", workorder_no="WB-1001")
    assert {k: shown[k] for k in (
        "row_id", "WorkorderNo", "Status", "Kind", "TypeOfWork", "PlannedDate", "PlannedTime",
        "Deadline", "DurationMinutes", "EmployeeNumbers", "WorkPeriods", "Materials",
        "CompletedAt", "HandledAt")} == {
        "row_id": row_id, "WorkorderNo": "WB-1001", "Status": "Klaargezet", "Kind": "manual",
        "TypeOfWork": "maintenance", "PlannedDate": "02-12-2026", "PlannedTime": "08:30",
        "Deadline": "09-12-2026", "DurationMinutes": 90, "EmployeeNumbers": ["T-07"],
        "WorkPeriods": [{"EmployeeNumber": "T-07", "Date": "02-12-2026", "BeginTime": "08:30",
                         "EndTime": "10:00", "BreakMinutes": 0, "HourType": "", "Remark": ""}],
        "Materials": [{"ItemNo": "R32-10", "Name": "Name R32-10", "Quantity": 1.5,
                       "Unit": "kg", "UnitPrice": 12.5}],
        "CompletedAt": None, "HandledAt": None}
    assert len(shown["CreatedAt"]) == len("30-11-2026 21:05:00")

    # Posting the number again updates it: members left out stay, lists are replaced.
    again = await wb.call("PostWorkorders", [{"WorkorderNo": "WB-1001", "Status": "Opgehaald",
                                              "EmployeeNumbers": ["T-08", "T-07"]}])
    assert again == posted
    shown = await wb.call("GetWorkorder", row_id=row_id)
    assert (shown["Status"], sorted(shown["EmployeeNumbers"]), shown["DurationMinutes"]) == (
        "Opgehaald", ["T-07", "T-08"], 90)

    # A GetWorkorder answer may be posted back as it is: read-only fields are ignored.
    body = {k: v for k, v in shown.items() if k != "Form"} | {"Description": "Changed"}
    assert await wb.call("PostWorkorders", [body]) == posted

    updated = await wb.call("UpdateWorkorder", {"row_id": row_id, "work_status":
                                                "Parts ordered", "planned_date": "03-12-2026",
                                                "employee_number": "T-08"})
    assert (updated["WorkStatus"], updated["PlannedDate"], updated["EmployeeNumbers"],
            updated["Description"]) == ("Parts ordered", "03-12-2026", ["T-08"], "Changed")
    # Parameters in the query string work as well; an empty employee_number unassigns.
    updated = await wb.call("UpdateWorkorder", workorder_no="WB-1001", employee_number="")
    assert updated["EmployeeNumbers"] == []


async def test_codes_and_all_or_nothing(client, acme, connector):
    wb = await connector(acme)
    await wb.call("PostEmployees", EMPLOYEES)
    good = {"WorkorderNo": "WB-1"}
    cases = [
        ([good, {"Description": "no number"}], 1501, ["work order 2: WorkorderNo is missing"]),
        ([good, {"WorkorderNo": "WB-2", "PlannedDate": "31-02-2026"}], 1504, None),
        ([good, {"WorkorderNo": "WB-2", "PlannedTime": "8 o'clock"}], 1504, None),
        ([good, {"WorkorderNo": "WB-2", "Status": "Done"}], 1504, [
            "work order 2: Status: expected one of Klaargezet, Opgehaald, Compleet, "
            "Afgehandeld"]),
        ([good, {"WorkorderNo": "WB-2", "EmployeeNumbers": ["T-99"]}], 1504, [
            "work order 2: EmployeeNumbers[0]: no employee with number 'T-99'"]),
        ([good, {"WorkorderNo": "WB-2", "Materials": [{"ItemNo": "R32", "Colour": "red"}]}],
         1504, ["work order 2: Materials[0].Colour: unknown field"]),
        ([good, {"WorkorderNo": "WB-2", "Materials": [{"Quantity": "lots"}]}], 1504, None),
        ([good, {"WorkorderNo": "WB-2", "Urgent": True}], 1504, [
            "work order 2: Urgent: unknown field"]),
        ([good, {"WorkorderNo": "WB-1"}], 1504, ["WorkorderNo WB-1 is sent twice"]),
    ]
    for body, code, messages in cases:
        status, got, said = await wb.refused("PostWorkorders", body)
        assert (status, got) == (400, code), (body, said)
        if messages:
            assert said == messages
    # A rule of /v1 (the status table) answers 422 with the rule; nothing is stored.
    status, code, said = await wb.refused("PostWorkorders", [
        good, {"WorkorderNo": "WB-2", "Status": "Afgehandeld"}])
    assert (status, code) == (422, 422) and said[0].startswith("30: ")
    assert any("status" in message for message in said[1:]), said
    assert await wb.call("GetWorkorders", status="Alle") == []
    listed = await client.get("/v1/work-orders", headers=acme.headers)
    assert listed.json() == []

    assert (await wb.refused("GetWorkorder"))[:2] == (400, 1501)
    assert (await wb.refused("GetWorkorder", row_id="abc"))[:2] == (400, 1504)
    assert (await wb.refused("GetWorkorder", row_id=999_999))[:2] == (404, 1500)
    assert (await wb.refused("GetWorkorder", workorder_no="nope"))[:2] == (404, 1500)
    assert (await wb.refused("GetWorkorders", status="Klaar"))[:2] == (400, 1504)
    assert (await wb.refused("GetWorkorders", limit=0))[:2] == (400, 1504)
    assert (await wb.refused("GetWorkorders", limit=1001))[:2] == (400, 1504)
    assert (await wb.refused("GetWorkorders", update_status="maybe"))[:2] == (400, 1504)
    [made] = await wb.call("PostWorkorders", [good])
    assert (await wb.refused("UpdateWorkorder", row_id=made["row_id"]))[:2] == (400, 1501)
    assert (await wb.refused("UpdateWorkorder", row_id=made["row_id"],
                             employee_number="T-99"))[:2] == (400, 1504)
    # Both ways of naming it must name the same work order.
    assert (await wb.refused("GetWorkorder", row_id=made["row_id"],
                             workorder_no="WB-other"))[:2] == (404, 1500)


async def test_get_workorders_hands_over_compleet_once(client, acme, connector):
    wb = await connector(acme)
    posted = await wb.call("PostWorkorders", [
        {"WorkorderNo": f"WB-{n}", "Status": "Compleet" if n % 2 else "Klaargezet"}
        for n in range(1, 8)])
    complete = [p["row_id"] for p in posted if int(p["workorder_no"][3:]) % 2]
    assert len(complete) == 4

    # update_status=false: listed, nothing changes.
    listed = await wb.call("GetWorkorders", update_status=False)
    assert [w["row_id"] for w in listed] == complete
    assert {w["Status"] for w in listed} == {"Compleet"}
    assert [w["row_id"] for w in await wb.call("GetWorkorders", status="Klaargezet")] == [
        p["row_id"] for p in posted if p["row_id"] not in complete]
    assert len(await wb.call("GetWorkorders", status="Alle", limit=5)) == 5
    page = await wb.call("GetWorkorders", status="Alle", after_row_id=posted[4]["row_id"])
    assert [w["row_id"] for w in page] == [posted[5]["row_id"], posted[6]["row_id"]]

    # The default: Compleet ones are returned once, as Afgehandeld, then never again.
    first = await wb.call("GetWorkorders", limit=3)
    assert [w["row_id"] for w in first] == complete[:3]
    assert {w["Status"] for w in first} == {"Afgehandeld"}
    assert all(w["HandledAt"] for w in first)
    second = await wb.call("GetWorkorders", method="GET")
    assert [w["row_id"] for w in second] == complete[3:]
    assert await wb.call("GetWorkorders") == []
    assert (await v1(client, acme, complete[0]))["status"] == "handled"
    assert len(await wb.call("GetWorkorders", status="Afgehandeld")) == 4


async def test_the_safe_flow_confirms_each_one(client, acme, connector):
    wb = await connector(acme)
    posted = await wb.call("PostWorkorders", [{"WorkorderNo": f"S-{n}", "Status": "Compleet"}
                                              for n in range(3)])
    todo = await wb.call("GetWorkorders", update_status=False)
    assert len(todo) == 3
    # The package processes each, then confirms it: it becomes Afgehandeld.
    confirmed = await wb.call("GetWorkorder", row_id=todo[0]["row_id"], update_status=True)
    assert confirmed["Status"] == "Afgehandeld"
    # Reading without update_status=false's opposite leaves it as it is.
    peek = await wb.call("GetWorkorder", row_id=todo[1]["row_id"], update_status=False)
    assert peek["Status"] == "Compleet"
    remaining = await wb.call("GetWorkorders", update_status=False)
    assert [w["row_id"] for w in remaining] == [p["row_id"] for p in posted[1:]]


async def test_another_company_is_out_of_reach(client, acme, other, connector):
    mine, theirs = await connector(acme), await connector(other)
    [their_order] = await theirs.call("PostWorkorders", [{"WorkorderNo": "WB-1",
                                                          "Status": "Compleet"}])
    await theirs.call("PostEmployees", EMPLOYEES[:1])
    for function, params in (("GetWorkorder", {"row_id": their_order["row_id"]}),
                             ("UpdateWorkorder", {"row_id": their_order["row_id"],
                                                  "work_status": "x"})):
        assert (await mine.refused(function, **params))[:2] == (404, 1500)
    assert await mine.call("GetWorkorders") == []
    # Their employee numbers name nothing here.
    assert (await mine.refused("PostWorkorders", [{"WorkorderNo": "X",
                                                   "EmployeeNumbers": ["T-07"]}]))[:2] == (
        400, 1504)
    # The same WorkorderNo in this company is another work order.
    [mine_order] = await mine.call("PostWorkorders", [{"WorkorderNo": "WB-1"}])
    assert mine_order["row_id"] != their_order["row_id"]
    assert (await theirs.call("GetWorkorder", row_id=their_order["row_id"],
                              update_status=False))["Status"] == "Compleet"


async def test_completion_books_materials_and_a_short_stock_refuses(client, acme, connector):
    wb = await connector(acme)
    item_id = await item(client, acme, "consumable", number="GAS")
    await adjust(client, acme, item_id, 2)
    [made] = await wb.call("PostWorkorders", [{"WorkorderNo": "M-1", "Materials": [
        {"ItemNo": "GAS", "Quantity": 3}]}])
    status, code, said = await wb.refused("PostWorkorders", [{"WorkorderNo": "M-1",
                                                              "Status": "Compleet"}])
    assert (status, code) == (422, 422) and said[0].startswith("3008: "), said
    assert (await wb.call("GetWorkorder", row_id=made["row_id"]))["Status"] == "Klaargezet"
    await wb.call("PostWorkorders", [{"WorkorderNo": "M-1", "Materials": [
        {"ItemNo": "GAS", "Quantity": 2}], "Status": "Compleet"}])
    levels = (await client.get(f"/v1/stock?item_id={item_id}", headers=acme.headers)).json()
    assert sum(level["on_hand"] for level in levels) == 0
