"""DESIGN §4.2 — the JSON body rules, each row at the HTTP level."""

from __future__ import annotations

import json


async def create_customer(client, tenant, **body):
    body.setdefault("company_name", "ACME")
    response = await client.post("/v1/customers", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_create_answers_200_with_location(client, acme):
    response = await client.post(
        "/v1/customers", json={"company_name": "ACME"}, headers=acme.headers
    )
    assert response.status_code == 200
    created = response.json()
    assert response.headers["location"].endswith(f"/v1/customers/{created['id']}")
    fetched = await client.get(response.headers["location"], headers=acme.headers)
    assert fetched.json() == created


async def test_missing_field_on_create_gets_default(client, acme):
    created = await create_customer(client, acme)
    assert created["type"] == 1 and created["status"] == 1
    assert created["email"] == "" and created["contacts"] == []


async def test_null_on_create_gets_default(client, acme):
    created = await create_customer(client, acme, type=None, status=None, email=None)
    assert (created["type"], created["status"], created["email"]) == (1, 1, "")


async def test_missing_field_on_update_is_unchanged(client, acme):
    created = await create_customer(client, acme, email="a@example.com", comment="keep")
    response = await client.patch(
        f"/v1/customers/{created['id']}", json={"comment": "new"}, headers=acme.headers
    )
    assert response.status_code == 200
    assert response.json()["email"] == "a@example.com"
    assert response.json()["comment"] == "new"


async def test_null_on_update_is_ignored(client, acme):
    created = await create_customer(client, acme, email="a@example.com")
    response = await client.put(
        f"/v1/customers/{created['id']}", json={"email": None, "status": None},
        headers=acme.headers,
    )
    assert response.status_code == 200
    assert response.json()["email"] == "a@example.com"
    assert response.json()["status"] == 1


async def test_empty_string_is_stored_on_create_and_clears_on_update(client, acme):
    created = await create_customer(client, acme, comment="", email="a@example.com")
    assert created["comment"] == ""
    response = await client.patch(
        f"/v1/customers/{created['id']}", json={"email": ""}, headers=acme.headers
    )
    assert response.json()["email"] == ""
    stored = await client.get(f"/v1/customers/{created['id']}", headers=acme.headers)
    assert stored.json()["email"] == ""


async def test_empty_string_on_a_field_with_minimum_length_is_a_400(client, acme):
    created = await create_customer(client, acme)
    item = await client.post(
        "/v1/items", json={"number": "N1", "name": "Pump"}, headers=acme.headers
    )
    response = await client.patch(
        f"/v1/items/{item.json()['id']}", json={"name": ""}, headers=acme.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "3"
    assert "name" in response.json()["errors"]
    assert created  # the customer is unaffected by an item error


async def test_unknown_fields_are_ignored(client, acme):
    created = await create_customer(client, acme, favourite_colour="green")
    assert "favourite_colour" not in created
    response = await client.patch(
        f"/v1/customers/{created['id']}", json={"nonsense": 1, "comment": "x"},
        headers=acme.headers,
    )
    assert response.status_code == 200 and response.json()["comment"] == "x"


async def test_duplicated_key_last_one_wins(client, acme):
    raw = '{"company_name": "First", "company_name": "Last"}'
    response = await client.post(
        "/v1/customers", content=raw,
        headers={**acme.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["company_name"] == "Last"
    patched = await client.patch(
        f"/v1/customers/{response.json()['id']}",
        content='{"comment": "a", "comment": "b"}',
        headers={**acme.headers, "Content-Type": "application/json"},
    )
    assert patched.json()["comment"] == "b"


async def test_wrong_json_type_is_a_400_validation_problem(client, acme):
    for body in ({"company_name": 12}, {"type": "1"}, {"contacts": "none"}, {"type": True}):
        response = await client.post("/v1/customers", json=body, headers=acme.headers)
        assert response.status_code == 400, body
        problem = response.json()
        assert problem["code"] == "3"
        assert problem["title"] == "One or more validation errors occurred."
        assert set(problem["errors"]) == set(body), problem


async def test_unparsable_json_is_a_400_code_5(client, acme):
    for raw in ('{"company_name": ', "not json", ""):
        response = await client.post(
            "/v1/customers", content=raw,
            headers={**acme.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, raw
        assert response.json()["code"] == "5", raw
        assert response.headers["content-type"] == "application/problem+json"


async def test_body_that_is_not_an_object_is_a_400(client, acme):
    response = await client.post("/v1/customers", json=[1, 2], headers=acme.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "3"


async def test_value_outside_allowed_values_is_a_400(client, acme):
    for body in ({"type": 3}, {"status": 0}, {"email": "not-an-email"}):
        response = await client.post(
            "/v1/customers", json={"company_name": "X", **body}, headers=acme.headers
        )
        assert response.status_code == 400, body
        assert list(response.json()["errors"]) == list(body)
    response = await client.post(
        "/v1/items", json={"number": "K1", "name": "x", "kind": "gadget"}, headers=acme.headers
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]


async def test_read_only_field_equal_to_stored_value_is_accepted(client, acme):
    created = await create_customer(client, acme)
    response = await client.put(
        f"/v1/customers/{created['id']}",
        json={**created, "comment": "sent back whole"},
        headers=acme.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["comment"] == "sent back whole"


async def test_read_only_field_that_differs_is_a_400_and_changes_nothing(client, acme):
    created = await create_customer(client, acme)
    for change in ({"id": created["id"] + 1}, {"created_at": "2001-01-01T00:00:00Z"}):
        response = await client.patch(
            f"/v1/customers/{created['id']}", json={"comment": "no", **change},
            headers=acme.headers,
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == list(change)
    stored = await client.get(f"/v1/customers/{created['id']}", headers=acme.headers)
    assert stored.json()["comment"] == ""


async def test_read_only_field_on_create_is_a_400(client, acme):
    response = await client.post(
        "/v1/customers", json={"company_name": "X", "id": 5}, headers=acme.headers
    )
    assert response.status_code == 400
    assert "id" in response.json()["errors"]


async def test_list_field_is_created(client, acme):
    created = await create_customer(
        client, acme,
        contacts=[{"first_name": "Ed", "last_name": "Smith", "email": "ed@example.com"},
                  {"first_name": "John", "last_name": "Doe"}],
    )
    assert [c["first_name"] for c in created["contacts"]] == ["Ed", "John"]
    assert all(isinstance(c["id"], int) for c in created["contacts"])


async def test_list_field_replace_follows_the_seed_example(client, acme):
    created = await create_customer(
        client, acme,
        contacts=[
            {"first_name": "Ed", "last_name": "Smith", "email": "ed.smith@oneup.com"},
            {"first_name": "John", "last_name": "Doe", "email": "john.doe@oneup.com"},
        ],
    )
    ed, john = created["contacts"]
    response = await client.put(
        f"/v1/customers/{created['id']}",
        json={"contacts": [
            {"id": john["id"], "email": "new.email@oneup.com"},
            {"first_name": "James", "last_name": "Brown", "email": "james.brown@oneup.com"},
        ]},
        headers=acme.headers,
    )
    assert response.status_code == 200, response.text
    contacts = response.json()["contacts"]
    assert ed["id"] not in [c["id"] for c in contacts]
    updated_john = next(c for c in contacts if c["id"] == john["id"])
    assert updated_john == {**john, "email": "new.email@oneup.com"}
    james = next(c for c in contacts if c["id"] != john["id"])
    assert (james["first_name"], james["last_name"]) == ("James", "Brown")
    stored = await client.get(f"/v1/customers/{created['id']}", headers=acme.headers)
    assert stored.json()["contacts"] == contacts


async def test_empty_list_deletes_all_and_omitted_list_changes_nothing(client, acme):
    created = await create_customer(client, acme, contacts=[{"first_name": "Ed"}])
    untouched = await client.patch(
        f"/v1/customers/{created['id']}", json={"comment": "x"}, headers=acme.headers
    )
    assert untouched.json()["contacts"] == created["contacts"]
    nulled = await client.patch(
        f"/v1/customers/{created['id']}", json={"contacts": None}, headers=acme.headers
    )
    assert nulled.json()["contacts"] == created["contacts"]
    emptied = await client.patch(
        f"/v1/customers/{created['id']}", json={"contacts": []}, headers=acme.headers
    )
    assert emptied.json()["contacts"] == []


async def test_list_item_with_unknown_id_is_a_400_and_changes_nothing(client, acme, other):
    created = await create_customer(client, acme, contacts=[{"first_name": "Ed"}])
    foreign = await create_customer(client, other, contacts=[{"first_name": "Spy"}])
    response = await client.put(
        f"/v1/customers/{created['id']}",
        json={"comment": "changed", "contacts": [
            {"first_name": "New"}, {"id": foreign["contacts"][0]["id"], "first_name": "Hijack"},
        ]},
        headers=acme.headers,
    )
    assert response.status_code == 400
    assert "contacts[1].id" in response.json()["errors"]
    stored = await client.get(f"/v1/customers/{created['id']}", headers=acme.headers)
    assert stored.json() == created
    theirs = await client.get(f"/v1/customers/{foreign['id']}", headers=other.headers)
    assert theirs.json() == foreign


async def test_import_id_post_updates_instead_of_duplicating(client, acme):
    first = await create_customer(client, acme, import_id="crm-42", email="a@example.com")
    again = await client.post(
        "/v1/customers", json={"import_id": "crm-42", "comment": "re-sent"},
        headers=acme.headers,
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["email"] == "a@example.com"  # partial: untouched
    assert again.json()["comment"] == "re-sent"
    listing = await client.get("/v1/customers?import_id=crm-42", headers=acme.headers)
    assert len(listing.json()) == 1


async def test_import_id_is_per_company(client, acme, other):
    mine = await create_customer(client, acme, import_id="same")
    theirs = await create_customer(client, other, import_id="same")
    assert mine["id"] != theirs["id"]


async def test_items_money_is_exact_and_numeric(client, acme):
    response = await client.post(
        "/v1/items",
        json={"number": "P-1", "name": "Pipe", "sales_price": "12.50", "purchase_price": 7.1,
              "tax_rate": 25},
        headers=acme.headers,
    )
    assert response.status_code == 200, response.text
    item = response.json()
    assert (item["sales_price"], item["purchase_price"], item["tax_rate"]) == (12.5, 7.1, 25)
    assert item["kind"] == "stock_goods" and item["unit"] == "pcs"
    too_precise = await client.post(
        "/v1/items", json={"number": "P-2", "name": "x", "sales_price": "1.00001"},
        headers=acme.headers,
    )
    assert too_precise.status_code == 400 and "sales_price" in too_precise.json()["errors"]


async def test_required_fields_on_create(client, acme):
    response = await client.post("/v1/items", json={"name": "no number"}, headers=acme.headers)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["number"]
    response = await client.post("/v1/items", json={"number": None, "name": "x"},
                                 headers=acme.headers)
    assert response.status_code == 400


async def test_item_number_unique_per_company_is_a_business_rule(client, acme, other):
    body = {"number": "DUP", "name": "x"}
    assert (await client.post("/v1/items", json=body, headers=acme.headers)).status_code == 200
    assert (await client.post("/v1/items", json=body, headers=other.headers)).status_code == 200
    response = await client.post("/v1/items", json=body, headers=acme.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "30"
    assert problem["violations"][0]["memberNames"] == ["number"]


async def test_supplier_of_another_company_is_invalid(client, acme, other):
    theirs = await client.post("/v1/suppliers", json={"company_name": "S"}, headers=other.headers)
    response = await client.post(
        "/v1/items", json={"number": "I", "name": "x", "supplier_id": theirs.json()["id"]},
        headers=acme.headers,
    )
    assert response.status_code == 422
    assert response.json()["violations"] == [
        {"memberNames": ["supplier_id"], "errorMessage": "Invalid Supplier Id"}
    ]


def test_json_module_keeps_the_last_duplicate():
    # The documented rule rests on the parser's behaviour; pin it.
    assert json.loads('{"a": 1, "a": 2}') == {"a": 2}


async def test_import_id_taken_by_another_object_is_a_business_rule(client, acme):
    await create_customer(client, acme, import_id="taken")
    other = await create_customer(client, acme, import_id="free")
    response = await client.patch(
        f"/v1/customers/{other['id']}", json={"import_id": "taken"}, headers=acme.headers
    )
    assert response.status_code == 422
    assert response.json()["violations"][0]["memberNames"] == ["import_id"]


async def test_created_customer_timestamps_are_in_order(client, acme):
    created = await create_customer(client, acme, contacts=[{"first_name": "A"}])
    assert created["updated_at"] >= created["created_at"]
