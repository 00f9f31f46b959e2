"""Invoice charges (DESIGN §8): made by hand and by deliveries from the company's
handling-charge prices, frozen once invoiced, one order's charges under the order, and
the database refusing another company's order. (The contract kit runs the generic checks:
tests/test_contract.py; the permission walk is tests/invoice_charges/test_permissions.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tests.orders.helpers import ORDERS, make, receive, rule, world
from tests.test_tenant_references import assert_refused
from workledger.models import Company, Invoice, InvoiceCharge

CHARGES = "/v1/invoice-charges"


async def set_prices(app, tenant, per_order, per_line) -> None:
    async with app.state.database.session() as session:
        company = await session.get(Company, tenant.id)
        company.handling_charge_per_order, company.handling_charge_per_line = per_order, per_line


async def invoice_of(app, tenant, customer_id: int, number: str = "INV-1") -> int:
    async with app.state.database.session() as session:
        row = Invoice(company_id=tenant.id, number=number, customer_id=customer_id,
                      date=date(2026, 11, 30), due_date=date(2026, 12, 14))
        session.add(row)
        await session.flush()
        return row.id


async def charges_of(client, tenant, order_id: int, **params) -> list[dict]:
    response = await client.get(f"{ORDERS}/{order_id}/invoice-charges",
                                params={"per_page": 500, **params}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def summary(charges: list[dict]) -> list[tuple]:
    return [(c["code"], c["title"], c["price"], c["quantity"]) for c in charges]


async def goods_order(client, tenant, w, quantities=(1, 2, 3)) -> dict:
    await receive(client, tenant, w["goods"], sum(quantities))
    return await make(client, tenant, ORDERS, {
        "customer_id": w["customer"],
        "lines": [{"item_id": w["goods"], "quantity": q} for q in quantities]})


# -- by hand -----------------------------------------------------------------------------

async def test_defaults_and_the_nested_collection(client, acme):
    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"]})
    other_order = await make(client, acme, ORDERS, {"customer_id": w["customer"]})
    made = await make(client, acme, CHARGES, {"order_id": order["id"], "code": "freight"})
    assert {k: made[k] for k in ("order_id", "invoice_id", "code", "title", "price",
                                 "quantity", "action_date", "comment")} == {
        "order_id": order["id"], "invoice_id": None, "code": "freight", "title": "",
        "price": 0, "quantity": 1, "action_date": date.today().isoformat(), "comment": ""}
    nested = f"{ORDERS}/{order['id']}/invoice-charges"
    # The path names the order; an order_id in the body is not a member here (ignored).
    by_path = await make(client, acme, nested, {"code": "pallet", "price": 12.5,
                                                "quantity": 2, "order_id": other_order["id"]})
    assert by_path["order_id"] == order["id"]
    assert [c["id"] for c in await charges_of(client, acme, order["id"])] == \
        [made["id"], by_path["id"]]
    assert await charges_of(client, acme, other_order["id"]) == []
    # One order's charge under another order's path is not found.
    wrong = await client.get(f"{ORDERS}/{other_order['id']}/invoice-charges/{made['id']}",
                             headers=acme.headers)
    assert wrong.status_code == 404 and wrong.json()["code"] == "2"
    missing = await client.post(CHARGES, json={"price": 1}, headers=acme.headers)
    assert missing.status_code == 400 and "code" in missing.json()["errors"]
    for quantity in (0, -1):
        response = await client.post(CHARGES, json={"code": "x", "quantity": quantity},
                                     headers=acme.headers)
        assert rule(response, "3019") == [(["quantity"], "Amount should be strictly positive.")]
    negative = await client.post(CHARGES, json={"code": "x", "price": -1}, headers=acme.headers)
    assert negative.status_code == 400 and "price" in negative.json()["errors"]


async def test_a_delivered_order_still_takes_charges(client, acme):
    """Handling is charged after the fact: the order's editable guard (3025 once
    delivered) does not apply to its charges."""
    w = await world(client, acme)
    order = await goods_order(client, acme, w, (1,))
    await make(client, acme, f"{ORDERS}/{order['id']}/deliver", {})
    nested = f"{ORDERS}/{order['id']}/invoice-charges"
    made = await make(client, acme, nested, {"code": "return_fee", "price": 5})
    changed = await client.patch(f"{nested}/{made['id']}", json={"price": 6},
                                 headers=acme.headers)
    assert changed.status_code == 200 and changed.json()["price"] == 6
    assert (await client.delete(f"{nested}/{made['id']}", headers=acme.headers)).status_code \
        == 200


async def test_an_invoiced_charge_no_longer_changes(app, client, acme):
    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"]})
    invoice_id = await invoice_of(app, acme, w["customer"])
    made = await make(client, acme, CHARGES, {"order_id": order["id"], "code": "freight",
                                              "price": 40})
    element = f"{CHARGES}/{made['id']}"
    # Naming the invoice is how an invoice takes the charge up: allowed once.
    invoiced = await client.patch(element, json={"invoice_id": invoice_id},
                                  headers=acme.headers)
    assert invoiced.status_code == 200 and invoiced.json()["invoice_id"] == invoice_id
    before = (await client.get(element, headers=acme.headers)).json()
    nested = f"{ORDERS}/{order['id']}/invoice-charges/{made['id']}"
    english = f"The charge is on invoice {invoice_id}: it can no longer be changed or deleted."
    norwegian = (f"Gebyret står på faktura {invoice_id}: det kan ikke lenger endres eller "
                 "slettes.")
    for method, url, body in (("PATCH", element, {"price": 1}), ("PUT", element, {"title": "x"}),
                              ("PATCH", element, {"invoice_id": invoice_id}),
                              ("DELETE", element, None), ("PATCH", nested, {"price": 1}),
                              ("DELETE", nested, None)):
        for language, message in ((1, english), (0, norwegian)):
            response = await client.request(method, url, json=body, headers=acme.headers,
                                            params={"language_code": language})
            assert rule(response, "30") == [(["invoice_id"], message)], (method, url)
    bulk = await client.delete(f"{CHARGES}?ids={made['id']}", headers=acme.headers)
    assert bulk.json()["error_count"] == 1
    assert bulk.json()["errors"][0]["error"]["code"] == "30"
    assert (await client.get(element, headers=acme.headers)).json() == before


# -- made by a delivery ---------------------------------------------------------------------

async def test_a_delivery_adds_the_companys_handling_charges(app, client, acme):
    w = await world(client, acme)
    await set_prices(app, acme, 45, 7.5)
    order = await goods_order(client, acme, w, (1, 2, 3))
    lines = order["lines"]
    url = f"{ORDERS}/{order['id']}"
    await make(client, acme, f"{url}/deliver", {"lines": [{"id": lines[0]["id"]},
                                                          {"id": lines[1]["id"]}]})
    first = await charges_of(client, acme, order["id"])
    assert summary(first) == [
        ("handling_order", "Handling charge per order", 45, 1),
        ("handling_line", "Handling charge per delivered line", 7.5, 2)]
    assert all(c["action_date"] == date.today().isoformat() and c["invoice_id"] is None
               for c in first)
    # Each delivery charges again: the rest of the order is one more delivery of one line.
    await make(client, acme, f"{url}/deliver", {})
    second = await charges_of(client, acme, order["id"], sort="id")
    assert summary(second)[2:] == [
        ("handling_order", "Handling charge per order", 45, 1),
        ("handling_line", "Handling charge per delivered line", 7.5, 1)]
    # Titles in the caller's language; the stored title stays the English id.
    norwegian = await charges_of(client, acme, order["id"], language_code=0)
    assert [c["title"] for c in norwegian[:2]] == ["Ekspedisjonsgebyr per ordre",
                                                   "Ekspedisjonsgebyr per levert linje"]
    assert [c["title"] for c in await charges_of(client, acme, order["id"],
                                                 language_code=7)][:1] == \
        ["Cargo de manipulación por pedido"]
    async with app.state.database.session() as session:
        stored = (await session.scalars(select(InvoiceCharge.title).where(
            InvoiceCharge.order_id == order["id"]))).all()
    assert set(stored) == {"Handling charge per order", "Handling charge per delivered line"}
    # The flat collection lists them too, filtered by order.
    flat = (await client.get(CHARGES, params={"order_id": order["id"], "code": "handling_line"},
                             headers=acme.headers)).json()
    assert [c["quantity"] for c in flat] == [2, 1]


@pytest.mark.parametrize(("per_order", "per_line", "expected"), [
    (0, 0, []),
    (30, 0, [("handling_order", 30, 1)]),
    (0, 2.25, [("handling_line", 2.25, 3)]),
])
async def test_a_price_of_zero_charges_nothing(app, client, acme, per_order, per_line, expected):
    w = await world(client, acme)
    await set_prices(app, acme, per_order, per_line)
    order = await goods_order(client, acme, w, (1, 1, 1))
    await make(client, acme, f"{ORDERS}/{order['id']}/deliver", {})
    charges = await charges_of(client, acme, order["id"])
    assert [(c["code"], c["price"], c["quantity"]) for c in charges] == expected


async def test_a_failed_delivery_charges_nothing(app, client, acme, other):
    w = await world(client, acme)
    await set_prices(app, acme, 45, 7.5)
    await set_prices(app, other, 99, 99)  # another company's prices are not ours
    order = await make(client, acme, ORDERS, {
        "customer_id": w["customer"], "lines": [{"item_id": w["goods"], "quantity": 5}]})
    response = await client.post(f"{ORDERS}/{order['id']}/deliver", headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3008"
    assert await charges_of(client, acme, order["id"]) == []
    await receive(client, acme, w["goods"], 5)
    await make(client, acme, f"{ORDERS}/{order['id']}/deliver", {})
    assert [c["price"] for c in await charges_of(client, acme, order["id"])] == [45, 7.5]


# -- the company's prices -----------------------------------------------------------------

async def test_company_admins_set_the_prices_through_the_api(app, client, access, acme):
    admin = {"X-API-Authorization": await access.company_admin_token(acme)}
    read = (await client.get("/v1/company/settings", headers=admin)).json()
    assert (read["handling_charge_per_order"], read["handling_charge_per_line"]) == (0, 0)
    changed = await client.patch("/v1/company/settings", headers=admin, json={
        "handling_charge_per_order": 45, "handling_charge_per_line": "7.25"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["handling_charge_per_order"],
            changed.json()["handling_charge_per_line"]) == (45, 7.25)
    for bad in ({"handling_charge_per_order": -1}, {"handling_charge_per_line": 0.00001},
                {"handling_charge_per_order": "lots"}, {"handling_charge_per_line": 1e12}):
        refused = await client.patch("/v1/company/settings", json=bad, headers=admin)
        assert refused.status_code == 400, bad
        assert set(refused.json()["errors"]) == set(bad), refused.json()
    only_one = await client.patch("/v1/company/settings", headers=admin,
                                  json={"handling_charge_per_line": 0})
    assert (only_one.json()["handling_charge_per_order"],
            only_one.json()["handling_charge_per_line"]) == (45, 0)
    w = await world(client, acme)
    order = await goods_order(client, acme, w, (2,))
    await make(client, acme, f"{ORDERS}/{order['id']}/deliver", {})
    assert summary(await charges_of(client, acme, order["id"])) == [
        ("handling_order", "Handling charge per order", 45, 1)]


# -- tenancy in the database ---------------------------------------------------------------

async def test_the_database_refuses_another_companys_order(app, client, acme, other):
    mine = await make(client, acme, ORDERS,
                      {"customer_id": (await world(client, acme))["customer"]})
    theirs = await make(client, other, ORDERS,
                        {"customer_id": (await world(client, other))["customer"]})
    row = {"company_id": acme.id, "code": "x", "title": "", "price": 1, "quantity": 1,
           "action_date": date(2026, 11, 30), "comment": ""}
    engine = app.state.database.engine
    with pytest.raises(IntegrityError) as refused:
        async with engine.begin() as connection:
            await connection.execute(insert(InvoiceCharge).values(**row, order_id=theirs["id"]))
    assert_refused(refused, "fk_invoice_charges_company_id_order_id_orders")
    async with engine.begin() as connection:
        await connection.execute(insert(InvoiceCharge).values(**row, order_id=mine["id"]))
