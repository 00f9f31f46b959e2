"""Invoice data is blocked without the ``invoices`` permission (DESIGN §3, §8): every
invoice operation of the OpenAPI document — found by its path, not listed by hand —
answers 403 code 6 to an API user without "Allow this user to see invoicing information
in the API", changing nothing, and works for one with it."""

from __future__ import annotations

import re

from tests.invoice_charges.test_charges import invoice_of
from tests.orders.helpers import ORDERS, make, world

#: Where invoice data lives: /v1/invoices, /v1/invoice-charges, an order's charges.
INVOICE_PATHS = re.compile(r"^/v1/(invoices|invoice-charges)(/|$)|^/v1/orders/\{order_id\}"
                           r"/invoice-charges(/|$)")
#: invoices: list, get; invoice charges: list, create, bulk delete, get, PUT, PATCH,
#: delete; an order's charges: the same but bulk delete.
EXPECTED_OPERATIONS = 2 + 7 + 6
METHODS = ("get", "post", "put", "patch", "delete")


def invoice_operations(spec: dict) -> list[tuple[str, str]]:
    return sorted((method, path) for path, item in spec["paths"].items()
                  if INVOICE_PATHS.search(path) for method in item if method in METHODS)


async def test_every_invoice_operation_needs_the_invoice_permission(app, client, access, acme):
    spec = (await client.get("/openapi.json")).json()
    operations = invoice_operations(spec)
    assert len(operations) >= EXPECTED_OPERATIONS, operations

    w = await world(client, acme)
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"]})
    invoice_id = await invoice_of(app, acme, w["customer"])
    without = (await access.api_user(acme))["headers"]
    allowed = (await access.api_user(acme, invoices=True))["headers"]

    charges = f"{ORDERS}/{order['id']}/invoice-charges"

    async def stored() -> list[dict]:
        return (await client.get(charges, params={"per_page": 500},
                                 headers=acme.headers)).json()

    async def call(method: str, path: str, headers: dict) -> tuple:
        # A charge of its own for each call: a delete must find one to delete.
        charge = await make(client, acme, charges, {"code": "freight", "price": 10})
        ids = {"order_id": order["id"], "invoice_id": invoice_id,
               "invoice_charge_id": charge["id"]}
        url = re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), path)
        if method == "delete" and "{" not in path:
            url += f"?ids={charge['id']}"
        body = {"code": "pallet", "price": 12.5} if method in ("post", "put", "patch") else None
        before = await stored()
        response = await client.request(method.upper(), url, json=body, headers=headers)
        return response, before, await stored()

    for method, path in operations:
        response, before, after = await call(method, path, without)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "6", (method, path)
        assert "invoices" in response.json()["detail"]
        assert after == before, (method, path)

        response, _, _ = await call(method, path, allowed)
        assert response.status_code == 200, (method, path, response.text)
