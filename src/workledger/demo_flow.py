"""The operations flow of the demo companies (``workledger demo``; issue 8, DESIGN §7).

Made through the same services as the API, so the demo obeys every rule a client
meets: a purchase order received with the serials of its heat pumps, stock adjusted in,
one order left open, one allocated, one delivered (a heat pump with its mounting kit as
a main unit and its sub, and a heat pump with a commissioning checklist), whose delivery
made equipment and two work orders; one of those is completed with the refrigerant it
used, booked out of stock.

Orders are found again by their ``reference`` (``DEMO-OPEN``, ``DEMO-ALLOCATED``,
``DEMO-DELIVERED``), so a second ``workledger demo`` reports the same ids.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.resource import Resource
from workledger.orders import schemas as order_schemas
from workledger.orders.endpoints import ORDERS
from workledger.orders.repository import OrderRepository
from workledger.purchase_orders import schemas as purchase_schemas
from workledger.purchase_orders.endpoints import PURCHASE_ORDERS
from workledger.stock import schemas as stock_schemas
from workledger.stock.endpoints import STOCK_MOVEMENTS
from workledger.work_orders import schemas as work_order_schemas
from workledger.work_orders.endpoints import WORK_ORDERS
from workledger.work_orders.repository import WorkOrderRepository

REFERENCES = {"open": "DEMO-OPEN", "allocated": "DEMO-ALLOCATED",
              "delivered": "DEMO-DELIVERED"}
#: The heat pumps received, by serial; the delivered order takes the first two.
HEAT_PUMP_SERIALS = [f"HP100-{n:04d}" for n in range(1, 7)]


async def _act(resource: Resource, session: AsyncSession, company_id: int, verb: str,
               object_id: int, payload: BaseModel | None = None) -> Any:
    action = next(action for action in resource.actions if action.verb == verb)
    return await resource.service(session, company_id).act(action, object_id, payload)


async def _create(resource: Resource, schema: type[BaseModel], session: AsyncSession,
                  company_id: int, body: dict[str, Any]) -> Any:
    return await resource.service(session, company_id).create_or_update(
        schema.model_validate(body))


async def make_flow(session: AsyncSession, company_id: int, *, supplier_id: int,
                    customer_id: int) -> None:
    """The flow for a new demo company whose items ``HP-100`` (unique), ``PIPE-15``
    (part), ``FILTER-10`` (stock goods) and ``GAS-R32`` (consumable) exist."""
    received = await _create(PURCHASE_ORDERS, purchase_schemas.PurchaseOrderCreate, session,
                             company_id, {
        "supplier_id": supplier_id, "reference": "DEMO-STOCK",
        "lines": [
            {"item_number": "HP-100", "quantity": len(HEAT_PUMP_SERIALS),
             "serial_numbers": HEAT_PUMP_SERIALS},
            {"item_number": "PIPE-15", "quantity": 100},
            {"item_number": "FILTER-10", "quantity": 40},
        ]})
    await _act(PURCHASE_ORDERS, session, company_id, "receive", received.id)
    await _create(STOCK_MOVEMENTS, stock_schemas.StockMovementCreate, session, company_id, {
        "type": "adjustment", "item_id": await _item_id(session, company_id, "GAS-R32"),
        "quantity": "25", "comment": "Opening stock: refrigerant cylinders"})

    await _create(ORDERS, order_schemas.OrderCreate, session, company_id, {
        "customer_id": customer_id, "reference": REFERENCES["open"],
        "lines": [{"item_number": "FILTER-10", "quantity": 4}]})
    allocated = await _create(ORDERS, order_schemas.OrderCreate, session, company_id, {
        "customer_id": customer_id, "reference": REFERENCES["allocated"],
        "lines": [{"item_number": "PIPE-15", "quantity": 12},
                  {"item_number": "FILTER-10", "quantity": 2}]})
    await _act(ORDERS, session, company_id, "allocate", allocated.id)
    delivered = await _create(ORDERS, order_schemas.OrderCreate, session, company_id, {
        "customer_id": customer_id, "reference": REFERENCES["delivered"],
        "lines": [
            # A heat pump installed with its mounting kit: one main unit and its sub.
            {"item_number": "HP-100", "quantity": 1, "process": 3, "group": "install-1",
             "main": True, "serial_numbers": HEAT_PUMP_SERIALS[:1],
             "properties": {"location": "Boiler room", "refrigerant": "R32"}},
            {"item_number": "PIPE-15", "quantity": 6, "process": 2, "group": "install-1",
             "main": False},
            # A second heat pump whose job is a checklist (a file job).
            {"item_number": "HP-100", "quantity": 1, "process": 4,
             "serial_numbers": HEAT_PUMP_SERIALS[1:2],
             "form_properties": [
                 {"form": "Commissioning", "property": "Pressure test (bar)", "value": ""},
                 {"form": "Commissioning", "property": "Customer signed", "value": ""}]},
            {"item_number": "FILTER-10", "quantity": 2},
        ]})
    delivery = await _act(ORDERS, session, company_id, "deliver", delivered.id)
    job = min(delivery["work_order_ids"])
    gas = await _item_id(session, company_id, "GAS-R32")
    await WORK_ORDERS.service(session, company_id).update(
        job, work_order_schemas.WorkOrderUpdate.model_validate({
            "status": "complete", "work_status": "Installed and tested",
            "materials": [{"item_id": gas, "quantity": "1.5"}]}))


async def _item_id(session: AsyncSession, company_id: int, number: str) -> int:
    from workledger.items.repository import ItemRepository

    item = await ItemRepository(session, company_id).find(number=number)
    if item is None:
        raise LookupError(f"demo item {number} is missing")
    return item.id


async def flow_ids(session: AsyncSession, company_id: int) -> dict[str, Any]:
    """``{"order_ids": {"open", "allocated", "delivered"}, "work_order_ids": [...]}`` of a
    demo company, for ``demo --json`` (empty when its flow was never made)."""
    orders = OrderRepository(session, company_id)
    order_ids = {}
    for state, reference in REFERENCES.items():
        order = await orders.find(reference=reference)
        if order is not None:
            order_ids[state] = order.id
    work_order_ids = []
    if "delivered" in order_ids:
        work_order_ids = await WorkOrderRepository(session, company_id).ids_of_order(
            order_ids["delivered"])
    return {"order_ids": order_ids, "work_order_ids": work_order_ids}
