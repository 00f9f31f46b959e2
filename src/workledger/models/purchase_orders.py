"""Purchase orders (DESIGN §7.3): what a company buys from a supplier, received once."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    UTCDateTime,
    tenant_indexes,
    tenant_join,
    tenant_reference,
)

PURCHASE_ORDER_FIELDS = ("supplier_id", "warehouse_id", "order_date", "expected_date",
                         "status", "created_at", "updated_at")


class PurchaseOrderStatus(enum.StrEnum):
    open = "open"
    received = "received"
    cancelled = "cancelled"


class PurchaseOrder(TenantOwned, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("purchase_orders", *PURCHASE_ORDER_FIELDS),
        NEVER_REUSE_IDS,
    )

    #: Issued from the company's ``purchase_order`` number series; read-only.
    number: Mapped[str] = mapped_column(String(30))
    supplier_id: Mapped[int] = tenant_reference("suppliers", ondelete="RESTRICT")
    warehouse_id: Mapped[int] = tenant_reference("warehouses", ondelete="RESTRICT")
    order_date: Mapped[date] = mapped_column(Date)
    expected_date: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=PurchaseOrderStatus.open.value)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_id: Mapped[str | None] = mapped_column(String(50))

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        primaryjoin=lambda: tenant_join(PurchaseOrder, PurchaseOrderLine.purchase_order_id),
        back_populates="purchase_order",
        cascade="all, delete-orphan",
        order_by="(PurchaseOrderLine.position, PurchaseOrderLine.id)",
        lazy="raise",
    )


class PurchaseOrderLine(TenantOwned, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = NEVER_REUSE_IDS

    purchase_order_id: Mapped[int] = tenant_reference("purchase_orders", ondelete="CASCADE")
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int] = tenant_reference("items", ondelete="RESTRICT")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    received_quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    serial_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)

    purchase_order: Mapped[PurchaseOrder] = relationship(
        primaryjoin=lambda: tenant_join(PurchaseOrder, PurchaseOrderLine.purchase_order_id),
        back_populates="lines",
        lazy="raise",
    )
