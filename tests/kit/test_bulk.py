"""DESIGN §4.4 — bulk delete: at most 50 ids, each on its own, the documented answer."""

from __future__ import annotations

import pytest


async def make(client, tenant, path, body):
    response = await client.post(path, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_bulk_delete_reports_successes_and_errors_like_the_seed(client, acme, other):
    supplier = await make(client, acme, "/v1/suppliers", {"company_name": "Referenced"})
    await make(client, acme, "/v1/items",
               {"number": "REF-1", "name": "x", "supplier_id": supplier["id"]})
    free = await make(client, acme, "/v1/suppliers", {"company_name": "ACME"})
    foreign = await make(client, other, "/v1/suppliers", {"company_name": "Not yours"})
    missing = 9_999_999

    response = await client.delete(
        f"/v1/suppliers?ids={supplier['id']},{free['id']},{missing},{foreign['id']}",
        headers=acme.headers,
    )
    assert response.status_code == 200
    result = response.json()
    assert result["success_count"] == 1 and result["error_count"] == 3
    assert result["successes"] == [free]
    errors = {e["id"]: e["error"] for e in result["errors"]}
    assert errors[supplier["id"]]["status"] == 422
    assert errors[supplier["id"]]["code"] == "3"
    assert errors[supplier["id"]]["message"] == "This object cannot be deleted."
    assert errors[supplier["id"]]["reason"] == (
        "The supplier cannot be deleted because it is referenced by: Item REF-1"
    )
    for absent in (missing, foreign["id"]):
        assert errors[absent]["status"] == 404
        assert errors[absent]["code"] == "2"
        assert errors[absent]["message"] == "The resource was not found."

    # What failed is still there; what succeeded is gone; the other company is untouched.
    async def status(supplier_id: int, tenant) -> int:
        response = await client.get(f"/v1/suppliers/{supplier_id}", headers=tenant.headers)
        return response.status_code

    assert await status(supplier["id"], acme) == 200
    assert await status(free["id"], acme) == 404
    assert await status(foreign["id"], other) == 200


async def test_bulk_delete_customers_with_contacts(client, acme):
    made = [await make(client, acme, "/v1/customers",
                       {"company_name": f"C{i}", "contacts": [{"first_name": "x"}]})
            for i in range(3)]
    ids = ",".join(str(c["id"]) for c in made)
    response = await client.delete(f"/v1/customers?ids={ids}", headers=acme.headers)
    assert response.json()["success_count"] == 3
    assert response.json()["successes"] == made
    listing = await client.get("/v1/customers", headers=acme.headers)
    assert listing.json() == []


async def test_fifty_ids_are_accepted(client, acme):
    ids = ",".join(str(n) for n in range(1_000_000, 1_000_050))
    response = await client.delete(f"/v1/items?ids={ids}", headers=acme.headers)
    assert response.status_code == 200
    assert response.json()["error_count"] == 50


@pytest.mark.parametrize("ids", [
    None, "", "1,,2", "1;2", "a,b", "1, 2", "-1", "1.5", ",".join(["1"] * 51),
    ",".join(str(n) for n in range(51)),
])
async def test_bad_ids_are_400(client, acme, ids):
    url = "/v1/items" if ids is None else f"/v1/items?ids={ids}"
    response = await client.delete(url, headers=acme.headers)
    assert response.status_code == 400, ids
    assert response.json()["code"] == "3"
    assert "ids" in response.json()["errors"]


async def test_single_delete_of_referenced_supplier_is_422_and_keeps_it(client, acme):
    supplier = await make(client, acme, "/v1/suppliers", {"company_name": "S"})
    await make(client, acme, "/v1/items", {"number": "X1", "name": "x",
                                           "supplier_id": supplier["id"]})
    response = await client.delete(f"/v1/suppliers/{supplier['id']}", headers=acme.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "3"
    assert "Item X1" in response.json()["reason"]
    assert (await client.get(f"/v1/suppliers/{supplier['id']}",
                             headers=acme.headers)).status_code == 200


async def test_single_delete_answers_the_deleted_object(client, acme):
    item = await make(client, acme, "/v1/items", {"number": "D1", "name": "x"})
    response = await client.delete(f"/v1/items/{item['id']}", headers=acme.headers)
    assert response.status_code == 200 and response.json() == item
    again = await client.delete(f"/v1/items/{item['id']}", headers=acme.headers)
    assert again.status_code == 404


async def test_ids_are_never_reused_after_a_delete(client, acme):
    last = await make(client, acme, "/v1/suppliers", {"company_name": "Last"})
    await client.delete(f"/v1/suppliers/{last['id']}", headers=acme.headers)
    following = await make(client, acme, "/v1/suppliers", {"company_name": "Next"})
    assert following["id"] > last["id"]
