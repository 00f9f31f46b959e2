"""Queries of stock levels and the movement ledger (DESIGN §7.2).

Every method is set-based: one statement however many (item, warehouse) pairs or
movements it is given, so a delivery of 500 lines costs what a delivery of one does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workledger.kit.db import utcnow
from workledger.kit.repository import TenantRepository
from workledger.models import (
    Equipment,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    StockMovement,
)

Pair = tuple[int, int]  # (item_id, warehouse_id)


class StockLevelRepository(TenantRepository[StockLevel]):
    model = StockLevel

    async def ensure(self, pairs: Collection[Pair]) -> None:
        """Make the missing level rows of ``pairs`` (all zero): one ``INSERT … ON CONFLICT
        DO NOTHING`` executed for all of them, in (item, warehouse) order so that two
        transactions inserting the same new pairs wait for each other in the same order."""
        if not pairs:
            return
        dialect_insert = (pg_insert if self.session.bind.dialect.name == "postgresql"
                          else sqlite_insert)
        now = utcnow()
        zero = Decimal(0)
        rows = [
            {"company_id": self.company_id, "item_id": item_id, "warehouse_id": warehouse_id,
             "on_hand": zero, "allocated": zero, "available": zero, "incoming": zero,
             "created_at": now, "updated_at": now}
            for item_id, warehouse_id in sorted(pairs)
        ]
        statement = dialect_insert(StockLevel.__table__).on_conflict_do_nothing(
            index_elements=["company_id", "item_id", "warehouse_id"])
        await self.session.execute(statement, rows)

    async def lock(self, pairs: Collection[Pair]) -> dict[Pair, dict[str, Any]]:
        """``{(item_id, warehouse_id): {"id", "on_hand", "allocated", "available",
        "incoming"}}`` for those of ``pairs`` that have a level row, locked until the
        transaction ends (``FOR UPDATE``, taken in (item_id, warehouse_id) order so that
        concurrent writers never deadlock; SQLite's writers already hold the database's
        write lock). One query."""
        if not pairs:
            return {}
        table = StockLevel.__table__
        statement = (
            select(table.c.id, table.c.item_id, table.c.warehouse_id, table.c.on_hand,
                   table.c.allocated, table.c.available, table.c.incoming)
            .where(table.c.company_id == self.company_id,
                   tuple_(table.c.item_id, table.c.warehouse_id).in_(sorted(pairs)))
            .order_by(table.c.item_id, table.c.warehouse_id)
            .with_for_update()
        )
        rows = (await self.session.execute(statement)).mappings().all()
        return {(row["item_id"], row["warehouse_id"]): dict(row) for row in rows}

    async def write(self, levels: Iterable[Mapping[str, Any]], *columns: str) -> None:
        """Store ``columns`` of the given levels (dicts with ``id`` and those columns):
        one executemany ``UPDATE``."""
        rows = [{"b_id": level["id"], **{f"b_{c}": level[c] for c in columns}}
                for level in levels]
        if not rows:
            return
        table = StockLevel.__table__
        now = utcnow()
        statement = (
            update(table)
            .where(table.c.company_id == self.company_id, table.c.id == bindparam("b_id"))
            .values(updated_at=now, **{c: bindparam(f"b_{c}") for c in columns})
        )
        await self.session.execute(statement, rows)

    async def open_incoming(self, pairs: Collection[Pair]) -> dict[Pair, Decimal]:
        """What open purchase-order lines still bring in per pair (``quantity −
        received_quantity``, summed): one grouped query."""
        if not pairs:
            return {}
        line, order = PurchaseOrderLine, PurchaseOrder
        statement = (
            select(line.item_id, order.warehouse_id,
                   func.sum(line.quantity - line.received_quantity))
            .join(order, (order.company_id == line.company_id)
                  & (order.id == line.purchase_order_id))
            .where(line.company_id == self.company_id,
                   order.status == PurchaseOrderStatus.open.value,
                   tuple_(line.item_id, order.warehouse_id).in_(sorted(pairs)))
            .group_by(line.item_id, order.warehouse_id)
        )
        rows = (await self.session.execute(statement)).all()
        return {(item_id, warehouse_id): Decimal(total or 0)
                for item_id, warehouse_id, total in rows}

    async def holds_stock_or_moved(self, warehouse_id: int) -> tuple[bool, bool]:
        """(the warehouse has a level row with stock, allocations or incoming; a movement
        or equipment record names it)."""
        level = StockLevel
        holding = await self.session.scalar(
            select(level.id).where(
                level.company_id == self.company_id, level.warehouse_id == warehouse_id,
                (level.on_hand != 0) | (level.allocated != 0) | (level.incoming != 0),
            ).limit(1)
        )
        moved = await self.session.scalar(
            select(StockMovement.id).where(StockMovement.company_id == self.company_id,
                                           StockMovement.warehouse_id == warehouse_id).limit(1)
        )
        if moved is None:
            moved = await self.session.scalar(
                select(Equipment.id).where(Equipment.company_id == self.company_id,
                                           Equipment.warehouse_id == warehouse_id).limit(1)
            )
        return holding is not None, moved is not None


class StockMovementRepository(TenantRepository[StockMovement]):
    model = StockMovement

    async def insert_many(self, rows: list[dict[str, Any]]) -> list[StockMovement]:
        """Insert the movements (dicts of columns, ``company_id`` added here) with one
        executemany ``INSERT … RETURNING``; the rows come back as ORM objects, by id."""
        if not rows:
            return []
        now = utcnow()
        values = [{"company_id": self.company_id, "created_at": now, "updated_at": now,
                   "occurred_at": now, **row} for row in rows]
        result = await self.session.scalars(
            insert(StockMovement).returning(StockMovement), values)
        # Without sort_by_parameter_order: SQLite has no sentinel to batch with it and would
        # insert row by row. Ids ascend in insert order on both databases' single inserts;
        # sorting makes the answer not depend on how RETURNING happens to order rows.
        return sorted(result.all(), key=lambda movement: movement.id)


class UnitRepository(TenantRepository[Equipment]):
    """The units of unique items (equipment records) as stock sees them: which serials
    are known, which are in stock, and bulk changes of both. One statement per call."""

    model = Equipment

    async def known_serials(self, pairs: Collection[tuple[int, str]]) -> set[tuple[int, str]]:
        """Those (item_id, serial_number) of ``pairs`` that an equipment record has."""
        if not pairs:
            return set()
        statement = select(Equipment.item_id, Equipment.serial_number).where(
            Equipment.company_id == self.company_id,
            tuple_(Equipment.item_id, Equipment.serial_number).in_(sorted(pairs)),
        )
        return {(item_id, serial) for item_id, serial in (await self.session.execute(statement))}

    async def in_stock(self, item_id: int, warehouse_id: int,
                       serials: Collection[str]) -> dict[str, int]:
        """``{serial: equipment id}`` of the units with those serials that are
        ``in_stock`` at the warehouse, locked until the transaction ends."""
        if not serials:
            return {}
        statement = (
            select(Equipment.serial_number, Equipment.id)
            .where(Equipment.company_id == self.company_id, Equipment.item_id == item_id,
                   Equipment.warehouse_id == warehouse_id, Equipment.status == "in_stock",
                   Equipment.serial_number.in_(sorted(serials)))
            .order_by(Equipment.id)
            .with_for_update()
        )
        return dict((await self.session.execute(statement)).all())

    async def add_units(self, rows: list[dict[str, Any]]) -> None:
        """Insert equipment records (dicts of columns; ``company_id`` added): one
        executemany."""
        if not rows:
            return
        now = utcnow()
        await self.session.execute(insert(Equipment.__table__), [
            {"company_id": self.company_id, "created_at": now, "updated_at": now,
             "properties": {}, "main_equipment_id": None, "customer_id": None,
             "order_line_id": None, "installed_at": None, "warranty_until": None,
             "import_id": None, **row} for row in rows])

    async def set_status(self, ids: Collection[int], status: str, *,
                         warehouse_id: int | None = None) -> None:
        """Give the units ``ids`` a new status (and warehouse): one ``UPDATE``."""
        if not ids:
            return
        await self.session.execute(
            update(Equipment.__table__)
            .where(Equipment.company_id == self.company_id, Equipment.id.in_(sorted(ids)))
            .values(status=status, warehouse_id=warehouse_id, updated_at=utcnow())
        )
