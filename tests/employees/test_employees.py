"""Employees (DESIGN §7.1): a unique number per company, a name, active by default.
CRUD, filters, sorts, import_id and tenancy run from the contract kit."""

from __future__ import annotations

import pytest

from workledger.kit.i18n import DANISH, ENGLISH


async def post(client, tenant, body, **params):
    return await client.post("/v1/employees", json=body, params=params or None,
                             headers=tenant.headers)


@pytest.mark.parametrize(("language", "message"), [
    (ENGLISH, "The number '100' is already in use."),
    (DANISH, "Nummeret '100' er allerede i brug."),
])
async def test_the_number_is_unique_per_company(client, acme, other, language, message):
    body = {"number": "100", "first_name": "Kari", "last_name": "Nordmann"}
    first = await post(client, acme, body)
    assert first.status_code == 200, first.text
    assert (await post(client, other, body)).status_code == 200

    response = await post(client, acme, {**body, "first_name": "Ola"}, language_code=language)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "30"
    assert problem["violations"] == [{"memberNames": ["number"], "errorMessage": message}]

    second = await post(client, acme, {**body, "number": "101"})
    response = await client.patch(f"/v1/employees/{second.json()['id']}",
                                  json={"number": "100"}, headers=acme.headers)
    assert response.status_code == 422
    assert response.json()["violations"][0]["memberNames"] == ["number"]
    listed = await client.get("/v1/employees", params={"number": "100"}, headers=acme.headers)
    assert [e["first_name"] for e in listed.json()] == ["Kari"]


async def test_defaults_and_what_is_required(client, acme):
    made = await post(client, acme, {"number": "7", "last_name": "Hansen"})
    assert made.status_code == 200, made.text
    assert made.json()["active"] is True
    assert (made.json()["first_name"], made.json()["email"]) == ("", "")

    for body, member in (
        ({"first_name": "No number"}, "number"),
        ({"number": "8"}, "last_name"),
        ({"number": "8", "first_name": "", "last_name": ""}, "last_name"),
        ({"number": "x" * 31, "last_name": "Long"}, "number"),
        ({"number": "", "last_name": "Empty"}, "number"),
        ({"number": 8, "last_name": "Integer"}, "number"),
        ({"number": "8", "last_name": "Bad", "email": "not an address"}, "email"),
        ({"number": "8", "last_name": "Bad", "active": "yes"}, "active"),
    ):
        response = await post(client, acme, body)
        assert response.status_code == 400, body
        assert member in response.json()["errors"], (body, response.json())

    cleared = await client.patch(f"/v1/employees/{made.json()['id']}",
                                 json={"last_name": ""}, headers=acme.headers)
    assert cleared.status_code == 400
    inactive = await client.patch(f"/v1/employees/{made.json()['id']}",
                                  json={"active": False}, headers=acme.headers)
    assert inactive.json()["active"] is False
    found = await client.get("/v1/employees", params={"active": "false"}, headers=acme.headers)
    assert [e["id"] for e in found.json()] == [made.json()["id"]]
