"""Warehouses (DESIGN §7.1): every company has its default, MAIN, from the start; it
cannot be deleted; codes are unique per company. CRUD, filters, sorts, import_id and
tenancy run from the contract kit."""

from __future__ import annotations

from workledger.warehouses.service import default_warehouse


async def post(client, tenant, body):
    return await client.post("/v1/warehouses", json=body, headers=tenant.headers)


async def test_a_new_company_has_its_default_warehouse(client, make_tenant):
    tenant = await make_tenant()
    found = (await client.get("/v1/warehouses", headers=tenant.headers)).json()
    assert [(w["code"], w["name"], w["is_default"]) for w in found] == [
        ("MAIN", "Main warehouse", True)]


async def test_the_default_warehouse_cannot_be_deleted(client, acme):
    [main] = (await client.get("/v1/warehouses", headers=acme.headers)).json()
    response = await client.delete(f"/v1/warehouses/{main['id']}", headers=acme.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["title"]) == ("3", "This object cannot be deleted.")
    assert problem["reason"] == ("The warehouse MAIN is the default warehouse: orders and "
                                 "purchase orders that name none use it.")

    van = (await post(client, acme, {"code": "VAN", "name": "Van"})).json()
    response = await client.delete(f"/v1/warehouses?ids={main['id']},{van['id']}",
                                   headers=acme.headers)
    result = response.json()
    assert (result["success_count"], result["error_count"]) == (1, 1)
    assert result["errors"][0]["id"] == main["id"]
    assert result["errors"][0]["error"]["status"] == 422
    assert (await client.get("/v1/warehouses", headers=acme.headers)).json() == [main]


async def test_is_default_is_read_only(client, acme):
    response = await post(client, acme, {"code": "SECOND", "is_default": True})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["is_default"]
    made = (await post(client, acme, {"code": "SECOND"})).json()
    assert made["is_default"] is False
    response = await client.patch(f"/v1/warehouses/{made['id']}", json={"is_default": True},
                                  headers=acme.headers)
    assert response.status_code == 400


async def test_codes_are_unique_per_company(client, acme, other):
    assert (await post(client, acme, {"code": "VAN"})).status_code == 200
    assert (await post(client, other, {"code": "VAN"})).status_code == 200
    response = await post(client, acme, {"code": "MAIN"})
    assert response.status_code == 422, response.text
    assert response.json()["violations"] == [
        {"memberNames": ["code"], "errorMessage": "The value 'MAIN' is already in use."}]


async def test_the_default_warehouse_for_orders(app, client, acme, other):
    """Orders and purchase orders that name no warehouse use this one, whatever its
    code has become."""
    [main] = (await client.get("/v1/warehouses", headers=acme.headers)).json()
    await post(client, acme, {"code": "AAA"})
    renamed = await client.patch(f"/v1/warehouses/{main['id']}", json={"code": "OSLO"},
                                 headers=acme.headers)
    assert renamed.status_code == 200
    async with app.state.database.session() as session:
        mine = await default_warehouse(session, acme.id)
        theirs = await default_warehouse(session, other.id)
    assert (mine.id, mine.code) == (main["id"], "OSLO")
    assert theirs.company_id == other.id and theirs.code == "MAIN"
