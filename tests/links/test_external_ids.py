"""``<x>_external_id`` wherever a body takes ``<x>_id`` (DESIGN §7, seed 000 "Company
links": "make sure the external ID exists in the company links with the correct link
type"). Items take ``supplier_external_id``; the kit's example lines take it per list
item, as order lines will."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from workledger.kit.i18n import ENGLISH, SWEDISH

PROBLEM = "application/problem+json"
NO_LINK = {
    ENGLISH: "No supplier link with external id 'ERP-9'.",
    SWEDISH: "Ingen koppling av typen supplier med externt id 'ERP-9'.",
}


async def post(client, tenant, url, body, **params):
    return await client.post(url, json=body, params=params or None, headers=tenant.headers)


async def made(client, tenant, url, body) -> dict:
    response = await post(client, tenant, url, body)
    assert response.status_code == 200, response.text
    return response.json()


async def supplier_with_link(client, tenant, external_id: str, name: str = "Nordic Pumps"):
    supplier = await made(client, tenant, "/v1/suppliers", {"company_name": name})
    await made(client, tenant, "/v1/company-links", {
        "link_type": "supplier", "external_id": external_id, "supplier_id": supplier["id"]})
    return supplier


def assert_no_link(response, member: str, language: int = ENGLISH) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "30"
    assert problem["violations"] == [{"memberNames": [member],
                                      "errorMessage": NO_LINK[language]}]


async def test_an_item_names_its_supplier_by_external_id(client, acme):
    supplier = await supplier_with_link(client, acme, "ERP-1")
    item = await made(client, acme, "/v1/items",
                      {"number": "P-1", "name": "Pump", "supplier_external_id": "ERP-1"})
    assert item["supplier_id"] == supplier["id"]
    assert "supplier_external_id" not in item

    other = await supplier_with_link(client, acme, "ERP-2", name="Other")
    response = await client.patch(f"/v1/items/{item['id']}",
                                  json={"supplier_external_id": "ERP-2"}, headers=acme.headers)
    assert response.status_code == 200, response.text
    assert response.json()["supplier_id"] == other["id"]


@pytest.mark.parametrize("language", [ENGLISH, SWEDISH])
async def test_an_external_id_without_a_link_is_a_business_rule(client, acme, language):
    response = await post(client, acme, "/v1/items",
                          {"number": "P-1", "name": "Pump", "supplier_external_id": "ERP-9"},
                          language_code=language)
    assert_no_link(response, "supplier_external_id", language)
    assert (await client.get("/v1/items", headers=acme.headers)).json() == []


async def test_a_link_of_the_wrong_type_does_not_count(client, acme):
    customer = await made(client, acme, "/v1/customers", {"company_name": "Buyer AS"})
    await made(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "ERP-9", "customer_id": customer["id"]})
    response = await post(client, acme, "/v1/items",
                          {"number": "P-1", "name": "Pump", "supplier_external_id": "ERP-9"})
    assert_no_link(response, "supplier_external_id")


async def test_another_companys_link_does_not_count(client, acme, other):
    await supplier_with_link(client, other, "ERP-9")
    response = await post(client, acme, "/v1/items",
                          {"number": "P-1", "name": "Pump", "supplier_external_id": "ERP-9"})
    assert_no_link(response, "supplier_external_id")
    # On update as well, and the item keeps its supplier.
    mine = await supplier_with_link(client, acme, "ERP-1")
    item = await made(client, acme, "/v1/items",
                      {"number": "P-1", "name": "Pump", "supplier_id": mine["id"]})
    response = await client.patch(f"/v1/items/{item['id']}",
                                  json={"supplier_external_id": "ERP-9"}, headers=acme.headers)
    assert_no_link(response, "supplier_external_id")
    after = await client.get(f"/v1/items/{item['id']}", headers=acme.headers)
    assert after.json()["supplier_id"] == mine["id"]


async def test_an_id_and_an_external_id_must_agree(client, acme):
    linked = await supplier_with_link(client, acme, "ERP-1")
    unlinked = await made(client, acme, "/v1/suppliers", {"company_name": "Unlinked"})
    response = await post(client, acme, "/v1/items", {
        "number": "P-1", "name": "Pump", "supplier_id": unlinked["id"],
        "supplier_external_id": "ERP-1"})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "3"
    assert set(problem["errors"]) == {"supplier_id", "supplier_external_id"}
    assert (await client.get("/v1/items", headers=acme.headers)).json() == []

    agreeing = await made(client, acme, "/v1/items", {
        "number": "P-1", "name": "Pump", "supplier_id": linked["id"],
        "supplier_external_id": "ERP-1"})
    assert agreeing["supplier_id"] == linked["id"]


async def test_an_external_id_is_a_string_of_1_to_50(client, acme):
    for value in ("", "x" * 51, 12):
        response = await post(client, acme, "/v1/items",
                              {"number": "P-1", "name": "Pump", "supplier_external_id": value})
        assert response.status_code == 400, value
        assert "supplier_external_id" in response.json()["errors"]


async def test_list_items_name_their_supplier_by_external_id(example_client, acme):
    """Each item of a list field, on create and through the list rule of an update."""
    first = await supplier_with_link(example_client, acme, "ERP-1")
    second = await supplier_with_link(example_client, acme, "ERP-2", name="Second")
    item = await made(example_client, acme, "/v1/items", {"number": "P-1", "name": "Pump"})
    order = await made(example_client, acme, "/v1/example-orders", {"name": "O", "lines": [
        {"item_id": item["id"], "supplier_external_id": "ERP-1"},
        {"item_id": item["id"], "supplier_external_id": "ERP-2"},
        {"item_id": item["id"]},
    ]})
    assert [line["supplier_id"] for line in order["lines"]] == [first["id"], second["id"], None]

    lines = [{"id": line["id"]} for line in order["lines"]]
    lines[2]["supplier_external_id"] = "ERP-9"
    response = await example_client.patch(f"/v1/example-orders/{order['id']}",
                                          json={"lines": lines}, headers=acme.headers)
    assert_no_link(response, "lines[2].supplier_external_id")

    lines[2] = {"id": order["lines"][2]["id"], "supplier_id": first["id"],
                "supplier_external_id": "ERP-2"}
    response = await example_client.patch(f"/v1/example-orders/{order['id']}",
                                          json={"lines": lines}, headers=acme.headers)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines[2].supplier_id",
                                              "lines[2].supplier_external_id"}

    # The nested route runs the same resolution.
    line = await made(example_client, acme, f"/v1/example-orders/{order['id']}/example-lines",
                      {"item_id": item["id"], "supplier_external_id": "ERP-2"})
    assert line["supplier_id"] == second["id"]


async def test_external_ids_resolve_in_one_query_per_link_table(example_client, acme):
    """Five lines naming suppliers by external id: one query on company_links and one on
    suppliers for the whole body, never one per line."""
    for n in range(5):
        await supplier_with_link(example_client, acme, f"ERP-{n}", name=f"S{n}")
    item = await made(example_client, acme, "/v1/items", {"number": "P-1", "name": "Pump"})
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    # Every engine: the example app has its own.
    event.listen(Engine, "before_cursor_execute", record)
    try:
        order = await made(example_client, acme, "/v1/example-orders", {
            "name": "O", "lines": [{"item_id": item["id"], "supplier_external_id": f"ERP-{n}"}
                                   for n in range(5)]})
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert len({line["supplier_id"] for line in order["lines"]}) == 5

    def selects(table: str) -> int:
        return sum(1 for s in statements
                   if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s)

    assert selects("company_links") == 1, statements
    assert selects("suppliers") == 1, statements


def test_a_reference_taking_external_ids_needs_the_member_in_its_schemas():
    """The declaration fails at import, not when a caller first sends the member."""
    from pydantic import BaseModel

    from workledger.items.repository import ItemRepository
    from workledger.items.schemas import Item as ItemRead
    from workledger.kit.resource import Names, Reference, Resource, ResourceService
    from workledger.links.external import SUPPLIER_LINK
    from workledger.models import Item, Supplier

    class Without(BaseModel):
        supplier_id: int | None = None

    class Service(ResourceService):
        repository = ItemRepository

    with pytest.raises(TypeError, match="supplier_external_id"):
        Resource(names=Names("thing", "things"), model=Item, read=ItemRead, create=Without,
                 update=Without, service=Service, reader=None,
                 references=(Reference("supplier_id", Supplier, external=SUPPLIER_LINK),))
    assert Reference("supplier_id", Supplier, external=SUPPLIER_LINK).external_member == (
        "supplier_external_id")
    assert Reference("supplier_id", Supplier).external_member is None
