"""``PostEmployees`` / ``GetEmployees`` (seed 003): upsert by number, all or nothing,
the connector's codes; the same employees on ``/v1/employees``."""

from __future__ import annotations


async def test_post_employees_upserts_by_number(client, acme, other, connector):
    wb = await connector(acme)
    stored = await wb.call("PostEmployees", [
        {"number": "T-07", "firstname": "Sanne", "lastname": "de Vries"},
        {"number": 8, "firstname": "Jan", "email": "jan@example.com", "phone": "+31 6 1"},
    ])
    assert stored == 2
    assert await wb.call("GetEmployees", method="GET") == [
        {"number": "8", "firstname": "Jan", "lastname": "", "email": "jan@example.com",
         "phone": "+31 6 1", "active": True},
        {"number": "T-07", "firstname": "Sanne", "lastname": "de Vries", "email": "",
         "phone": "", "active": True},
    ]
    # Posting a number again updates that employee; members left out stay.
    assert await wb.call("PostEmployees", {"number": "T-07", "lastname": "Jansen",
                                           "active": False}) == 1
    listed = (await client.get("/v1/employees?sort=number", headers=acme.headers)).json()
    assert [(e["number"], e["first_name"], e["last_name"], e["active"]) for e in listed] == [
        ("8", "Jan", "", True), ("T-07", "Sanne", "Jansen", False)]
    # Another company's connector sees none of them.
    assert await (await connector(other)).call("GetEmployees") == []


async def test_a_refused_employee_stores_none(client, acme, connector):
    wb = await connector(acme)
    good = {"number": "A1", "firstname": "Ann"}
    cases = [
        ([good, {"firstname": "No number"}], 1101, "employee 2: number is missing"),
        ([good, {"number": "B2"}], 1101, "employee 2: firstname or lastname is missing"),
        ([good, {"number": "B2", "firstname": "Bo", "shoe_size": 44}], 1504,
         "employee 2: shoe_size: unknown field"),
        ([good, {"number": "B2", "firstname": "Bo", "email": "not an address"}], 1504, None),
        ([good, {"number": "B2", "firstname": "x" * 101}], 1504, None),
        ([good, {"number": "A1", "firstname": "Twice"}], 1504, "number A1 is sent twice"),
        ([good, "not an object"], 1504, "employee 2: entry: expected a JSON object"),
        ([], 1504, "body: expected a JSON array of employees"),
        (None, 1504, "body: expected a JSON array of employees"),
    ]
    for body, code, message in cases:
        status, got, messages = await wb.refused("PostEmployees", body)
        assert (status, got) == (400, code), (body, messages)
        if message:
            assert messages == [message]
    bad_json = await client.post(f"/openapi/1/PostEmployees/?token={wb.token}",
                                 content=b'[{"number": "A1",', headers={
                                     "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["code"] == 1009
    assert await wb.call("GetEmployees") == []


async def test_the_connectors_messages_are_in_the_callers_language(client, acme, connector):
    """``language_code`` words the connector's ``messages`` too; field names stay."""
    wb = await connector(acme)
    url = f"/openapi/1/PostEmployees/?token={wb.token}"
    for language, expected in (
            (7, ["empleado 2: falta firstname o lastname"]),
            (3, ["anställd 2: shoe_size: okänt fält"])):
        body = [{"number": "A1", "firstname": "Ann"},
                {"number": "B2"} if language == 7 else
                {"number": "B2", "firstname": "Bo", "shoe_size": 44}]
        refused = await client.post(f"{url}&language_code={language}", json=body)
        assert refused.status_code == 400 and refused.json()["messages"] == expected
    bounded = await client.get(f"/openapi/1/GetWorkorders/?token={wb.token}&limit=0"
                               "&language_code=4")
    assert bounded.json()["messages"] == ["limit: forventede et heltal fra 1 til 1000"]
    assert await wb.call("GetEmployees") == []
