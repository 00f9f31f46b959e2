"""Queries of orders, their lines and deliveries (DESIGN §2: queries live here).

Every method that serves an action is set-based: one statement however many lines,
serials or equipment records it is given."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.repository import TenantRepository
from workledger.models import Contact, Delivery, DeliveryLine, Equipment, Order, OrderLine
from workledger.workflows.service import uses_workflow_statuses


class OrderRepository(TenantRepository[Order]):
    model = Order
    # Lines render with every order: one extra query per page, never one per row; a
    # single order brings its lines in the same query.
    load_options = (selectinload(Order.lines),)
    one_options = (joinedload(Order.lines),)

    async def line_import_ids(self, import_ids: Collection[str]) -> dict[str, int]:
        """``{import_id: line id}`` of this company's order lines (any order) with those
        import ids: one query."""
        if not import_ids:
            return {}
        statement = select(OrderLine.import_id, OrderLine.id).where(
            OrderLine.company_id == self.company_id,
            OrderLine.import_id.in_(sorted(import_ids)))
        return dict((await self.session.execute(statement)).all())

    async def lines_of(self, order_id: int) -> list[OrderLine]:
        """The lines of one order, in their order (after a nested write)."""
        statement = (select(OrderLine)
                     .where(OrderLine.company_id == self.company_id,
                            OrderLine.order_id == order_id)
                     .order_by(OrderLine.position, OrderLine.id)
                     .execution_options(populate_existing=True))
        return list((await self.session.scalars(statement)).all())

    async def contact_customer(self, contact_id: int) -> int | None:
        """The customer a contact of this company belongs to."""
        return await self.session.scalar(select(Contact.customer_id).where(
            Contact.company_id == self.company_id, Contact.id == contact_id))

    # -- deliveries -------------------------------------------------------------------
    async def units_in_stock(self, warehouse_id: int, pairs: Collection[tuple[int, str]]
                             ) -> dict[tuple[int, str], int]:
        """``{(item_id, serial): equipment id}`` of the units of ``pairs`` that are
        ``in_stock`` at the warehouse, locked until the transaction ends (in id order, so
        concurrent deliveries wait for each other instead of deadlocking). One query."""
        if not pairs:
            return {}
        statement = (
            select(Equipment.item_id, Equipment.serial_number, Equipment.id)
            .where(Equipment.company_id == self.company_id,
                   Equipment.warehouse_id == warehouse_id, Equipment.status == "in_stock",
                   tuple_(Equipment.item_id, Equipment.serial_number).in_(sorted(pairs)))
            .order_by(Equipment.id)
            .with_for_update()
        )
        return {(item_id, serial): unit_id for item_id, serial, unit_id
                in (await self.session.execute(statement)).all()}

    async def hand_over_units(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Give in-stock units to a customer: each row ``{id, status, customer_id,
        order_line_id}`` and, when the rows carry it, ``properties``; the warehouse is
        cleared. One executemany (the rows of one call have the same keys)."""
        if not rows:
            return
        table = Equipment.__table__
        columns = [name for name in rows[0] if name != "id"]
        statement = (
            update(table)
            .where(table.c.company_id == self.company_id, table.c.id == bindparam("b_id"))
            .values(warehouse_id=None, updated_at=utcnow(),
                    **{name: bindparam(f"b_{name}") for name in columns})
        )
        await self.session.execute(statement, [{f"b_{k}": v for k, v in row.items()}
                                               for row in rows])

    async def add_equipment(self, rows: Sequence[Mapping[str, Any]]) -> dict[int, int]:
        """Insert equipment records of non-unique items, one per order line (dicts of
        columns with ``order_line_id``): one executemany ``INSERT … RETURNING``. Answers
        ``{order_line_id: equipment id}``."""
        if not rows:
            return {}
        now = utcnow()
        values = [{"company_id": self.company_id, "created_at": now, "updated_at": now,
                   "serial_number": None, "warehouse_id": None, "main_equipment_id": None,
                   "installed_at": None, "warranty_until": None, "import_id": None, **row}
                  for row in rows]
        table = Equipment.__table__
        result = await self.session.execute(
            insert(table).returning(table.c.id, table.c.order_line_id), values)
        return {line_id: unit_id for unit_id, line_id in result.all()}

    async def first_units_of(self, line_ids: Collection[int]) -> dict[int, int]:
        """``{order_line_id: the lowest equipment id delivered by it}``: one query."""
        if not line_ids:
            return {}
        statement = (select(Equipment.order_line_id, Equipment.id)
                     .where(Equipment.company_id == self.company_id,
                            Equipment.order_line_id.in_(sorted(line_ids)))
                     .order_by(Equipment.id.desc()))
        # Descending, so the dict keeps each line's lowest id.
        return dict((await self.session.execute(statement)).all())

    async def set_main_equipment(self, rows: Sequence[tuple[int, int]]) -> None:
        """``(order_line_id, main equipment id)``: every unit a sub line delivered gets
        its group's main equipment (never the main unit itself). One executemany."""
        if not rows:
            return
        table = Equipment.__table__
        statement = (
            update(table)
            .where(table.c.company_id == self.company_id,
                   table.c.order_line_id == bindparam("b_line"),
                   table.c.id != bindparam("b_main"))
            .values(main_equipment_id=bindparam("b_main"), updated_at=utcnow())
        )
        await self.session.execute(statement, [{"b_line": line, "b_main": main}
                                               for line, main in rows])

    async def write_lines(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store what an action changed on lines: each row ``{id, allocated_quantity,
        picked_quantity, delivered_quantity, serial_numbers}``. One executemany."""
        if not rows:
            return
        table = OrderLine.__table__
        columns = ("allocated_quantity", "picked_quantity", "delivered_quantity",
                   "serial_numbers")
        statement = (
            update(table)
            .where(table.c.company_id == self.company_id, table.c.id == bindparam("b_id"))
            .values(updated_at=utcnow(), **{c: bindparam(f"b_{c}") for c in columns})
        )
        await self.session.execute(statement, [{f"b_{k}": v for k, v in row.items()}
                                               for row in rows])

    async def add_delivery(self, order_id: int, lines: Sequence[Mapping[str, Any]],
                           equipment_ids: list[int], work_order_ids: list[int]
                           ) -> tuple[int, datetime]:
        """Store a delivery and its lines (``{order_line_id, quantity,
        serial_numbers}``): two statements. Answers its id and time."""
        now = utcnow()
        delivery_table = Delivery.__table__
        delivery_id = await self.session.scalar(
            insert(delivery_table).returning(delivery_table.c.id).values(
                company_id=self.company_id, order_id=order_id, delivered_at=now,
                equipment_ids=equipment_ids, work_order_ids=work_order_ids,
                created_at=now, updated_at=now))
        await self.session.execute(insert(DeliveryLine.__table__), [
            {"company_id": self.company_id, "delivery_id": delivery_id, "created_at": now,
             "updated_at": now, **line} for line in lines])
        return delivery_id, now


class OrderLineRepository(TenantRepository[OrderLine]):
    model = OrderLine


class DeliveryRepository(TenantRepository[Delivery]):
    model = Delivery
    load_options = (selectinload(Delivery.lines),)
    one_options = (joinedload(Delivery.lines),)


@uses_workflow_statuses
async def statuses_in_use(session: AsyncSession, company_id: int, status_ids: Sequence[int]
                          ) -> dict[int, list[str]]:
    """What uses each of ``status_ids``: ``{status_id: ["Order 1001", "Order 1002 line
    3"]}`` (at most a few named per status). Two queries."""
    used: dict[int, list[str]] = {}
    orders = await session.execute(
        select(Order.workflow_status_id, Order.number)
        .where(Order.company_id == company_id, Order.workflow_status_id.in_(status_ids))
        .order_by(Order.id).limit(100))
    for status_id, number in orders.all():
        used.setdefault(status_id, []).append(N_("order {number}").say(number=number))
    lines = await session.execute(
        select(OrderLine.workflow_status_id, Order.number, OrderLine.id)
        .join(Order, (Order.company_id == OrderLine.company_id)
              & (Order.id == OrderLine.order_id))
        .where(OrderLine.company_id == company_id,
               OrderLine.workflow_status_id.in_(status_ids))
        .order_by(OrderLine.id).limit(100))
    for status_id, number, line_id in lines.all():
        used.setdefault(status_id, []).append(
            N_("order {number} line {line_id}").say(number=number, line_id=line_id))
    return used
