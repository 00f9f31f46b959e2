"""Company and contact links (seed 000): what a link may name, and the uniqueness of
its external id. CRUD, filters, sorts and tenancy run from the contract kit."""

from __future__ import annotations

import pytest
from sqlalchemy import insert as insert_statement
from sqlalchemy.exc import IntegrityError

from workledger.kit.i18n import NORWEGIAN
from workledger.models import CompanyLink, Customer, Supplier


async def post(client, tenant, url, body, **params):
    return await client.post(url, json=body, params=params or None, headers=tenant.headers)


async def made(client, tenant, url, body) -> dict:
    response = await post(client, tenant, url, body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_link_names_exactly_the_id_its_type_says(client, acme):
    customer = await made(client, acme, "/v1/customers", {"company_name": "Buyer AS"})
    supplier = await made(client, acme, "/v1/suppliers", {"company_name": "Seller AS"})

    wrong = await post(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "C-1", "supplier_id": supplier["id"]})
    assert wrong.status_code == 400, wrong.text
    assert list(wrong.json()["errors"]) == ["supplier_id"]
    both = await post(client, acme, "/v1/company-links", {
        "link_type": "supplier", "external_id": "S-1", "supplier_id": supplier["id"],
        "customer_id": customer["id"]})
    assert both.status_code == 400
    assert list(both.json()["errors"]) == ["customer_id"]
    missing = await post(client, acme, "/v1/company-links",
                         {"link_type": "customer", "external_id": "C-1"})
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["customer_id"]
    assert (await client.get("/v1/company-links", headers=acme.headers)).json() == []

    link = await made(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "C-1", "customer_id": customer["id"]})
    assert (link["customer_id"], link["supplier_id"]) == (customer["id"], None)
    element = f"/v1/company-links/{link['id']}"
    for change in ({"supplier_id": supplier["id"]}, {"link_type": "supplier"}):
        response = await client.patch(element, json=change, headers=acme.headers)
        assert response.status_code == 400, (change, response.text)
        assert list(response.json()["errors"]) == list(change)
    echoed = await client.patch(element, json={"link_type": "customer", "external_id": "C-2"},
                                headers=acme.headers)
    assert echoed.status_code == 200 and echoed.json()["external_id"] == "C-2"


async def test_an_external_id_is_unique_per_company_and_link_type(client, acme, other):
    customer = await made(client, acme, "/v1/customers", {"company_name": "Buyer AS"})
    supplier = await made(client, acme, "/v1/suppliers", {"company_name": "Seller AS"})
    body = {"link_type": "customer", "external_id": "10001", "customer_id": customer["id"]}
    await made(client, acme, "/v1/company-links", body)

    response = await post(client, acme, "/v1/company-links", body, language_code=NORWEGIAN)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "30"
    assert problem["violations"] == [{"memberNames": ["external_id"],
                                      "errorMessage": "Verdien '10001' er allerede i bruk."}]
    # The same number as a supplier's, or in another company, is another link.
    await made(client, acme, "/v1/company-links", {
        "link_type": "supplier", "external_id": "10001", "supplier_id": supplier["id"]})
    theirs = await made(client, other, "/v1/customers", {"company_name": "Theirs"})
    await made(client, other, "/v1/company-links",
               {**body, "customer_id": theirs["id"]})

    second = await made(client, acme, "/v1/company-links",
                        {**body, "external_id": "10002"})
    response = await client.patch(f"/v1/company-links/{second['id']}",
                                  json={"external_id": "10001"}, headers=acme.headers)
    assert response.status_code == 422
    assert response.json()["violations"][0]["memberNames"] == ["external_id"]


async def test_a_link_goes_with_what_it_links(client, acme):
    customer = await made(client, acme, "/v1/customers", {
        "company_name": "Buyer AS", "contacts": [{"first_name": "Ed"}, {"first_name": "Jo"}]})
    ed, jo = customer["contacts"]
    await made(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "C-1", "customer_id": customer["id"]})
    kept = await made(client, acme, "/v1/contact-links", {"external_id": "P-1",
                                                           "contact_id": ed["id"]})
    await made(client, acme, "/v1/contact-links", {"external_id": "P-2", "contact_id": jo["id"]})

    # A contact left out of its customer's list is deleted, and its link with it.
    response = await client.patch(f"/v1/customers/{customer['id']}",
                                  json={"contacts": [{"id": ed["id"]}]}, headers=acme.headers)
    assert response.status_code == 200, response.text
    links = (await client.get("/v1/contact-links", headers=acme.headers)).json()
    assert [link["id"] for link in links] == [kept["id"]]

    response = await client.delete(f"/v1/customers/{customer['id']}", headers=acme.headers)
    assert response.status_code == 200, response.text
    assert (await client.get("/v1/company-links", headers=acme.headers)).json() == []
    assert (await client.get("/v1/contact-links", headers=acme.headers)).json() == []


async def test_contact_links_are_unique_and_name_a_contact(client, acme, other):
    customer = await made(client, acme, "/v1/customers", {
        "company_name": "Buyer AS", "contacts": [{"first_name": "Ed"}]})
    contact_id = customer["contacts"][0]["id"]
    await made(client, acme, "/v1/contact-links", {"external_id": "P-1",
                                                   "contact_id": contact_id})
    again = await post(client, acme, "/v1/contact-links",
                       {"external_id": "P-1", "contact_id": contact_id})
    assert again.status_code == 422
    assert again.json()["violations"] == [{"memberNames": ["external_id"],
                                           "errorMessage": "The value 'P-1' is already in use."}]
    missing = await post(client, acme, "/v1/contact-links", {"external_id": "P-2"})
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["contact_id"]
    unknown = await post(client, acme, "/v1/contact-links",
                         {"external_id": "P-2", "contact_id": 987654321})
    assert unknown.status_code == 422
    assert unknown.json()["violations"] == [{"memberNames": ["contact_id"],
                                             "errorMessage": "Invalid Contact Id"}]


# -- what the database itself refuses ------------------------------------------------------


async def insert(app, model, **values) -> int:
    async with app.state.database.engine.begin() as connection:
        return await connection.scalar(insert_statement(model).values(**values)
                                       .returning(model.id))


async def test_the_database_keeps_a_link_to_its_type_and_company(app, acme, other):
    """Rows written past every service check: the check constraint and the composite
    foreign keys still hold."""
    mine = await insert(app, Supplier, company_id=acme.id, company_name="Mine")
    theirs = await insert(app, Supplier, company_id=other.id, company_name="Theirs")
    customer = await insert(app, Customer, company_id=acme.id, company_name="Buyer")
    link = {"company_id": acme.id, "external_id": "S-1"}

    for wrong in ({"link_type": "customer", "supplier_id": mine},
                  {"link_type": "supplier", "supplier_id": mine, "customer_id": customer},
                  {"link_type": "supplier"},
                  {"link_type": "other", "supplier_id": mine},
                  {"link_type": "supplier", "supplier_id": theirs}):
        with pytest.raises(IntegrityError):
            await insert(app, CompanyLink, **link, **wrong)
    await insert(app, CompanyLink, **link, link_type="supplier", supplier_id=mine)
