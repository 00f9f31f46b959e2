"""Queries of work orders (DESIGN §7.4): each one statement however many rows it is
given."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from workledger.kit.db import utcnow
from workledger.kit.repository import TenantRepository
from workledger.models import (
    MovementType,
    StockMovement,
    WorkOrder,
    WorkOrderEquipment,
    WorkOrderStatus,
)


class WorkOrderRepository(TenantRepository[WorkOrder]):
    model = WorkOrder
    # Rendered with every work order: one query per relationship per page.
    load_options = (selectinload(WorkOrder.work_periods), selectinload(WorkOrder.materials),
                    selectinload(WorkOrder.employee_links),
                    selectinload(WorkOrder.equipment_links))

    async def ids_of_order(self, order_id: int) -> list[int]:
        """The ids of the work orders a delivery of ``order_id`` made, oldest first."""
        statement = (self.readable().with_only_columns(WorkOrder.id)
                     .where(WorkOrder.order_id == order_id).order_by(WorkOrder.id))
        return list((await self.session.scalars(statement)).all())

    async def first_number(self, status: str) -> str | None:
        """The ``number`` of the company's oldest work order in ``status``, or None."""
        statement = (self.readable().with_only_columns(WorkOrder.number)
                     .where(WorkOrder.status == status).order_by(WorkOrder.id).limit(1))
        return await self.session.scalar(statement)

    async def taken_numbers(self, numbers: Collection[str]) -> set[str]:
        """Those of ``numbers`` a work order of the company already has: one query."""
        if not numbers:
            return set()
        statement = select(WorkOrder.number).where(WorkOrder.company_id == self.company_id,
                                                   WorkOrder.number.in_(sorted(numbers)))
        return set((await self.session.scalars(statement)).all())

    async def consumed(self, work_order_id: int) -> dict[int, Decimal]:
        """What earlier completions of the work order booked out, per item (a positive
        quantity: minus the sum of its ``consumption`` movements): one grouped query."""
        movement = StockMovement
        statement = (
            select(movement.item_id, func.sum(movement.quantity))
            .where(movement.company_id == self.company_id,
                   movement.work_order_id == work_order_id,
                   movement.type == MovementType.consumption.value)
            .group_by(movement.item_id)
        )
        return {item_id: -Decimal(total or 0)
                for item_id, total in (await self.session.execute(statement)).all()}

    async def has_movements(self, work_order_id: int) -> bool:
        statement = select(StockMovement.id).where(
            StockMovement.company_id == self.company_id,
            StockMovement.work_order_id == work_order_id).limit(1)
        return (await self.session.scalar(statement)) is not None

    async def insert_many(self, rows: list[dict[str, Any]]) -> list[WorkOrder]:
        """Insert work orders (dicts of columns; ``company_id`` and the timestamps added):
        one executemany ``INSERT … RETURNING``, answered in the order given (matched by
        ``number``, unique per company). An ORM flush would insert row by row on SQLite."""
        if not rows:
            return []
        now = utcnow()
        values = [{"company_id": self.company_id, "created_at": now, "updated_at": now,
                   "planned_date": None, "planned_time": None, "deadline": None,
                   "duration_minutes": None, "completed_at": None, "handled_at": None,
                   "import_id": None, **row} for row in rows]
        result = await self.session.scalars(insert(WorkOrder).returning(WorkOrder), values)
        by_number = {work_order.number: work_order for work_order in result.all()}
        return [by_number[row["number"]] for row in rows]

    async def add_links(self, equipment: list[dict[str, Any]]) -> None:
        """Link work orders to equipment (dicts of ``work_order_id``, ``equipment_id``):
        one executemany."""
        if not equipment:
            return
        now = utcnow()
        await self.session.execute(insert(WorkOrderEquipment.__table__), [
            {"company_id": self.company_id, "created_at": now, "updated_at": now, **row}
            for row in equipment])


    async def claim(self, status: str, limit: int, *, after: int = 0) -> list[int]:
        """Ids of up to ``limit`` work orders in ``status`` (id order, after ``after``),
        locked until the transaction ends. Rows another transaction holds are skipped
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so concurrent pollers each get others;
        SQLite's writer already holds the database's write lock."""
        statement = (self.readable().with_only_columns(WorkOrder.id)
                     .where(WorkOrder.status == status, WorkOrder.id > after)
                     .order_by(WorkOrder.id).limit(limit).with_for_update(skip_locked=True))
        return list((await self.session.scalars(statement)).all())

    async def mark_handled(self, ids: Collection[int]) -> None:
        """``complete`` → ``handled`` for ``ids`` (claimed by this transaction): one
        UPDATE. The status condition keeps any other row as it is."""
        if not ids:
            return
        now = utcnow()
        await self.session.execute(
            update(WorkOrder)
            .where(WorkOrder.company_id == self.company_id, WorkOrder.id.in_(sorted(ids)),
                   WorkOrder.status == WorkOrderStatus.complete.value)
            .values(status=WorkOrderStatus.handled.value, handled_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    async def loaded(self, ids: Collection[int]) -> list[WorkOrder]:
        """The work orders ``ids`` with everything they render, in id order, read afresh."""
        if not ids:
            return []
        statement = (self.listed().where(WorkOrder.id.in_(sorted(ids))).order_by(WorkOrder.id)
                     .execution_options(populate_existing=True))
        return list((await self.session.scalars(statement)).all())
