"""Stock (DESIGN §7.2): levels per item and warehouse, and the append-only ledger.

``on_hand`` is the sum of an item's movements at a warehouse; ``stock_levels`` keeps it,
with ``allocated``, ``available`` (= on_hand − allocated) and ``incoming`` (open
purchase-order lines), so that ``/v1/stock`` filters and sorts on indexed columns. Only
``workledger.stock.service`` writes either table: every change to a level is made in
the same transaction as the movement (or allocation) that causes it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    UTCDateTime,
    tenant_indexes,
    tenant_reference,
    utcnow,
)

#: Quantities: whole units for countable kinds, up to four decimals for consumables.
Quantity = Numeric(14, 4)

STOCK_LEVEL_FIELDS = ("warehouse_id", "on_hand", "allocated", "available", "incoming",
                      "created_at", "updated_at")
STOCK_MOVEMENT_FIELDS = ("item_id", "warehouse_id", "type", "quantity", "occurred_at",
                         "created_at", "updated_at")


class MovementType(enum.StrEnum):
    receipt = "receipt"
    delivery = "delivery"
    #: Equipment coming back from a customer.
    return_ = "return"
    #: The only type a caller creates: counting, damage, corrections.
    adjustment = "adjustment"
    #: Materials a completed work order used.
    consumption = "consumption"


class StockLevel(TenantOwned, Base):
    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("company_id", "item_id", "warehouse_id"),
        *tenant_indexes("stock_levels", *STOCK_LEVEL_FIELDS),
        NEVER_REUSE_IDS,
    )

    item_id: Mapped[int] = tenant_reference("items", ondelete="RESTRICT")
    #: RESTRICT: a warehouse that ever held stock cannot be deleted (422 code 3).
    warehouse_id: Mapped[int] = tenant_reference("warehouses", ondelete="RESTRICT")
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    allocated: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    available: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    incoming: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))


class StockMovement(TenantOwned, Base):
    """One change of on-hand stock. Never updated or deleted once written."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        *tenant_indexes("stock_movements", *STOCK_MOVEMENT_FIELDS),
        NEVER_REUSE_IDS,
    )

    item_id: Mapped[int] = tenant_reference("items", ondelete="RESTRICT")
    warehouse_id: Mapped[int] = tenant_reference("warehouses", ondelete="RESTRICT")
    type: Mapped[str] = mapped_column(String(20))
    #: Signed: receipts and returns add, deliveries and consumption take away.
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    serial_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    order_line_id: Mapped[int | None] = tenant_reference("order_lines", ondelete="RESTRICT")
    purchase_order_line_id: Mapped[int | None] = tenant_reference(
        "purchase_order_lines", ondelete="RESTRICT")
    work_order_id: Mapped[int | None] = tenant_reference("work_orders", ondelete="RESTRICT")
    equipment_id: Mapped[int | None] = tenant_reference("equipment", ondelete="RESTRICT")
    comment: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
