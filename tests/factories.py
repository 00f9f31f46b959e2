"""Test data, made the way a caller makes it: one factory per resource.

A factory is ``async (api, n) -> body``: a valid create body for the ``n``-th object, with
every filterable member set and values that sort the same way in SQLite and PostgreSQL
(one case, zero-padded numbers), so the contract kit can filter and sort on them. A
factory may create what the body refers to (an item's supplier) through the API.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workledger.models import Invoice

if TYPE_CHECKING:
    from tests.contract import Api

KINDS = ("consumable", "part", "stock_goods", "unique")


async def supplier(api: Api, n: int) -> dict[str, Any]:
    return {"company_name": f"Supplier {n:03d}", "email": f"s{n:03d}@example.com",
            "phone_number": f"+47 {n:08d}", "comment": f"note {n}", "import_id": f"sup-{n:03d}"}


async def customer(api: Api, n: int) -> dict[str, Any]:
    return {"type": 1 + n % 2, "status": 1 + n % 2, "company_name": f"Customer {n:03d}",
            "first_name": f"First {n:03d}", "last_name": f"Last {n:03d}",
            "email": f"c{n:03d}@example.com", "phone_number": f"+47 {n:08d}",
            "comment": f"note {n}", "import_id": f"cust-{n:03d}",
            "contacts": [{"first_name": f"Contact {n:03d}", "email": f"k{n:03d}@example.com"}]}


async def item(api: Api, n: int) -> dict[str, Any]:
    made = await api.create("/v1/suppliers", await supplier(api, 100 + n))
    return {"number": f"ITEM-{n:03d}", "name": f"Item {n:03d}", "kind": KINDS[n % 4],
            "unit": "pcs", "sales_price": 10.5 * n, "purchase_price": 5.25 * n,
            "tax_rate": 25, "supplier_id": made["id"], "import_id": f"item-{n:03d}"}


async def invoice(api: Api, n: int) -> dict[str, Any]:
    """Invoices are read-only through the API: the row is stored directly, then read."""
    billed = await api.create("/v1/customers", await customer(api, 200 + n))
    async with api.database.session() as session:
        row = Invoice(
            company_id=api.tenant.id, number=f"INV-{n:03d}", customer_id=billed["id"],
            date=date(2026, 11, n), due_date=date(2026, 11, n) + timedelta(days=14),
            status=("draft", "sent", "paid")[n % 3], total_excl_tax=Decimal(100 * n),
            total_tax=Decimal(25 * n), total_incl_tax=Decimal(125 * n),
        )
        session.add(row)
        await session.flush()
        invoice_id = row.id
    return await api.read(f"/v1/invoices/{invoice_id}")


async def company_link(api: Api, n: int) -> dict[str, Any]:
    """Odd n: a customer link; even n: a supplier link."""
    if n % 2:
        made = await api.create("/v1/customers", await customer(api, 500 + n))
        return {"link_type": "customer", "external_id": f"EXT-{n:03d}", "customer_id": made["id"]}
    made = await api.create("/v1/suppliers", await supplier(api, 500 + n))
    return {"link_type": "supplier", "external_id": f"EXT-{n:03d}", "supplier_id": made["id"]}


async def contact_link(api: Api, n: int) -> dict[str, Any]:
    made = await api.create("/v1/customers", await customer(api, 600 + n))
    return {"external_id": f"CONTACT-{n:03d}", "contact_id": made["contacts"][0]["id"]}


async def employee(api: Api, n: int) -> dict[str, Any]:
    return {"number": f"E-{n:03d}", "first_name": f"First {n:03d}", "last_name": f"Last {n:03d}",
            "email": f"e{n:03d}@example.com", "phone_number": f"+47 {n:08d}",
            "active": n % 2 == 1, "import_id": f"emp-{n:03d}"}


async def warehouse(api: Api, n: int) -> dict[str, Any]:
    return {"code": f"WH-{n:03d}", "name": f"Warehouse {n:03d}", "import_id": f"wh-{n:03d}"}


WORKFLOW_TYPES = ("order", "order_line")


async def workflow(api: Api, n: int) -> dict[str, Any]:
    """Every company has its two workflows from the start: the n-th of them (n ≤ 2)."""
    found = await api.read("/v1/workflows", type=WORKFLOW_TYPES[n - 1])
    assert len(found) == 1, found
    return found[0]


# -- stock and purchase orders (issue 8) ---------------------------------------------------


async def stocked_item(api: Api, n: int, kind: str = "stock_goods") -> dict[str, Any]:
    """The n-th item of a stock test (a re-sent import_id answers the same item)."""
    return await api.create("/v1/items", {"number": f"STOCK-{kind}-{n:03d}",
                                          "name": f"Stocked {n:03d}", "kind": kind,
                                          "import_id": f"stock-{kind}-{n:03d}"})


async def stock_warehouse(api: Api, n: int) -> dict[str, Any]:
    return await api.create("/v1/warehouses", {"code": f"SWH-{n:03d}",
                                               "import_id": f"stock-wh-{n:03d}"})


async def stock_movement(api: Api, n: int) -> dict[str, Any]:
    """An adjustment of n units of the n-th item into the n-th warehouse."""
    item, place = await stocked_item(api, n), await stock_warehouse(api, n)
    return {"item_id": item["id"], "warehouse_id": place["id"], "type": "adjustment",
            "quantity": n, "comment": f"counted {n:03d}"}


async def stock(api: Api, n: int) -> dict[str, Any]:
    """/v1/stock is read-only: the level an adjustment of n units made (items and
    warehouses of their own, so stock_movement's adjustments do not change it)."""
    body = await stock_movement(api, 100 + n)
    made = await api.create("/v1/stock-movements", {**body, "quantity": n})
    found = await api.read("/v1/stock", item_id=made["item_id"],
                           warehouse_id=made["warehouse_id"])
    assert len(found) == 1, found
    return found[0]


async def purchase_order(api: Api, n: int) -> dict[str, Any]:
    made = await api.create("/v1/suppliers", await supplier(api, 700 + n))
    item, place = await stocked_item(api, 200 + n), await stock_warehouse(api, 200 + n)
    return {"supplier_id": made["id"], "warehouse_id": place["id"],
            "order_date": f"2026-10-{n:02d}", "expected_date": f"2026-12-{n:02d}",
            "reference": f"REF-{n:03d}", "comment": f"note {n}", "import_id": f"po-{n:03d}",
            "lines": [{"item_id": item["id"], "quantity": n, "unit_price": 2.5 * n}]}


# -- end of stock and purchase orders ------------------------------------------------------


# -- orders (issue 8) ----------------------------------------------------------------------


async def order_customer(api: Api, n: int) -> dict[str, Any]:
    """The n-th customer of an order test, with one contact (a re-sent import_id answers
    the same customer)."""
    return await api.create("/v1/customers", {
        "company_name": f"Buyer {n:03d}", "import_id": f"order-cust-{n:03d}",
        "contacts": [{"first_name": f"Buyer contact {n:03d}"}]})


async def order(api: Api, n: int) -> dict[str, Any]:
    buyer = await order_customer(api, n)
    item = await stocked_item(api, 300 + n)
    place = await stock_warehouse(api, 300 + n)
    statuses = await api.read("/v1/workflows", type="order")
    status_ids = [status["id"] for status in statuses[0]["statuses"]]
    return {"customer_id": buyer["id"], "contact_id": buyer["contacts"][0]["id"],
            "warehouse_id": place["id"], "order_date": f"2026-10-{n:02d}",
            "delivery_date": f"2026-12-{n:02d}", "reference": f"REF-{n:03d}",
            "source": f"shop {n}", "comment": f"note {n}", "import_id": f"order-{n:03d}",
            "workflow_status_id": status_ids[(n - 1) % len(status_ids)],
            "lines": [{"item_id": item["id"], "quantity": n, "unit_price": 2.5 * n}]}


async def order_url(api: Api) -> str:
    made = await api.create("/v1/orders", {"customer_id": (await order_customer(api, 900))["id"]})
    return f"/v1/orders/{made['id']}"


async def order_line(api: Api, n: int) -> dict[str, Any]:
    item = await stocked_item(api, 400 + n)
    statuses = await api.read("/v1/workflows", type="order_line")
    status_ids = [status["id"] for status in statuses[0]["statuses"]]
    return {"item_id": item["id"], "quantity": n, "unit_price": 1.5 * n, "process": 1 + n % 4,
            "workflow_status_id": status_ids[(n - 1) % len(status_ids)],
            "description": f"Line {n:03d}", "import_id": f"line-{n:03d}"}


async def delivered_order_url(api: Api) -> str:
    """One order per company whose lines the deliveries below deliver one by one (found
    again by its import_id: a delivered order refuses the upsert)."""
    found = await api.read("/v1/orders", import_id="deliveries")
    if found:
        return f"/v1/orders/{found[0]['id']}"
    item = await stocked_item(api, 500)
    await api.create("/v1/stock-movements", {"item_id": item["id"], "quantity": 100})
    made = await api.create("/v1/orders", {
        "customer_id": (await order_customer(api, 901))["id"], "import_id": "deliveries",
        "lines": [{"item_id": item["id"], "quantity": n} for n in range(1, 6)]})
    return f"/v1/orders/{made['id']}"


async def delivery(api: Api, n: int) -> dict[str, Any]:
    """The delivery of the n-th line of that order (made once, then read)."""
    url = await delivered_order_url(api)
    order = await api.read(url)
    line = order["lines"][n - 1]
    for made in await api.read(f"{url}/deliveries", per_page=500):
        if made["lines"][0]["order_line_id"] == line["id"]:
            return made
    response = await api.client.post(f"{url}/deliver", json={"lines": [{"id": line["id"]}]},
                                     headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


# -- end of orders ---------------------------------------------------------------------------

# -- equipment and work orders (issue 8) ----------------------------------------------------
TYPES_OF_WORK = ("installation", "maintenance", "repair", "service")


async def equipment(api: Api, n: int) -> dict[str, Any]:
    """A unit of a unique item at a customer. (Its main equipment would be one more
    record in the collection the contract kit counts: tests/equipment covers it.)"""
    unit_item = await stocked_item(api, 300 + n, "unique")
    owner = await api.create("/v1/customers", await customer(api, 300 + n))
    return {"item_id": unit_item["id"], "serial_number": f"SN-{n:03d}", "quantity": 1,
            "status": "at_customer", "customer_id": owner["id"],
            "properties": {"colour": f"c{n:03d}"},
            "installed_at": f"2026-0{1 + n % 9}-1{n % 10}",
            "warranty_until": f"2028-0{1 + n % 9}-1{n % 10}", "import_id": f"eq-{n:03d}"}


async def work_order(api: Api, n: int) -> dict[str, Any]:
    owner = await api.create("/v1/customers", await customer(api, 500 + n))
    person = await api.create("/v1/employees", await employee(api, 500 + n))
    material = await stocked_item(api, 500 + n, "consumable")
    return {"number": f"WO-{n:03d}", "type_of_work": TYPES_OF_WORK[n % 4],
            "customer_id": owner["id"], "employee_ids": [person["id"]],
            "planned_date": f"2026-12-{n:02d}", "planned_time": "08:30:00",
            "deadline": f"2027-01-{n:02d}", "duration_minutes": 30 * n,
            "description": f"Job {n:03d}", "internal_description": f"inside {n:03d}",
            "work_status": f"step {n:03d}", "completed_at": f"2026-12-{n:02d}T10:00:00Z",
            "import_id": f"wo-{n:03d}",
            "work_periods": [{"employee_id": person["id"], "date": f"2026-12-{n:02d}",
                              "begin_time": "08:00:00", "end_time": "12:00:00",
                              "break_minutes": 15, "hour_type": "normal"}],
            "materials": [{"item_id": material["id"], "quantity": n}],
            "form": [{"form": "Check", "property": "Done", "value": "yes"}]}
# -- end of equipment and work orders -------------------------------------------------------

# -- invoice charges (issue 9) ----------------------------------------------------------------


async def stored_invoice(api: Api, n: int) -> int:
    """A new invoice of this company (invoices are read-only through the API): its id."""
    billed = await api.create("/v1/customers", await customer(api, 900 + n))
    async with api.database.session() as session:
        row = Invoice(company_id=api.tenant.id, number=f"INV-C-{secrets.token_hex(4)}",
                      customer_id=billed["id"], date=date(2026, 11, 30),
                      due_date=date(2026, 12, 14))
        session.add(row)
        await session.flush()
        return row.id


async def order_invoice_charge(api: Api, n: int) -> dict[str, Any]:
    """The n-th charge of an order; the third is invoiced (it can no longer change)."""
    return {"code": f"CODE-{n:03d}", "title": f"Charge {n:03d}", "price": 2.5 * n,
            "quantity": n, "action_date": f"2026-11-{n:02d}", "comment": f"note {n}",
            **({"invoice_id": await stored_invoice(api, n)} if n == 3 else {})}


async def invoice_charge(api: Api, n: int) -> dict[str, Any]:
    """As ``order_invoice_charge``, naming an order of its own."""
    made = await api.create("/v1/orders", {
        "customer_id": (await order_customer(api, 950 + n))["id"]})
    return {**await order_invoice_charge(api, n), "order_id": made["id"]}
# -- end of invoice charges -------------------------------------------------------------------
