"""Orders, order lines and deliveries (DESIGN §7.3; seed 000's order flow, seed 002's
order rules)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    UTCDateTime,
    tenant_indexes,
    tenant_join,
    tenant_reference,
    utcnow,
)

ORDER_FIELDS = ("customer_id", "contact_id", "warehouse_id", "order_date", "delivery_date",
                "workflow_status_id", "status", "net_amount", "tax_amount", "gross_amount",
                "created_at", "updated_at")
ORDER_LINE_FIELDS = ("item_id", "quantity", "unit_price", "process", "workflow_status_id",
                     "delivered_quantity", "created_at", "updated_at")
DELIVERY_FIELDS = ("order_id", "delivered_at", "created_at", "updated_at")


class OrderStatus(enum.StrEnum):
    open = "open"
    allocated = "allocated"
    picked = "picked"
    partially_delivered = "partially_delivered"
    delivered = "delivered"
    cancelled = "cancelled"


class Process(enum.IntEnum):
    """What delivering an order line makes (seed 000 "Process")."""

    no_action = 1
    create_equipment = 2
    create_equipment_and_job = 3
    create_equipment_and_file_job = 4


class Order(TenantOwned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("orders", *ORDER_FIELDS),
        NEVER_REUSE_IDS,
    )

    #: Issued from the company's ``order`` number series; read-only.
    number: Mapped[str] = mapped_column(String(30))
    customer_id: Mapped[int] = tenant_reference("customers", ondelete="RESTRICT")
    contact_id: Mapped[int | None] = tenant_reference("contacts", ondelete="RESTRICT")
    warehouse_id: Mapped[int] = tenant_reference("warehouses", ondelete="RESTRICT")
    order_date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    workflow_status_id: Mapped[int] = tenant_reference("workflow_statuses",
                                                       ondelete="RESTRICT")
    status: Mapped[str] = mapped_column(String(30), default=OrderStatus.open.value)
    net_amount: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    gross_amount: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    import_id: Mapped[str | None] = mapped_column(String(50))

    lines: Mapped[list[OrderLine]] = relationship(
        primaryjoin=lambda: tenant_join(Order, OrderLine.order_id),
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="(OrderLine.position, OrderLine.id)",
        lazy="raise",
    )


class OrderLine(TenantOwned, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("order_lines", *ORDER_LINE_FIELDS),
        NEVER_REUSE_IDS,
    )

    order_id: Mapped[int] = tenant_reference("orders", ondelete="CASCADE")
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int] = tenant_reference("items", ondelete="RESTRICT")
    description: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    process: Mapped[int] = mapped_column(SmallInteger, default=Process.no_action)
    workflow_status_id: Mapped[int] = tenant_reference("workflow_statuses",
                                                       ondelete="RESTRICT")
    #: Copied onto the equipment the line creates (seed 000's key-value pairs).
    properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: ``[{form, property, value}]``: the checklist a file job carries.
    form_properties: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    group: Mapped[str | None] = mapped_column(String(50))
    main: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Unique items: the serials of the units this line delivers (numbering).
    serial_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    allocated_quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    picked_quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    delivered_quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    import_id: Mapped[str | None] = mapped_column(String(50))

    order: Mapped[Order] = relationship(
        primaryjoin=lambda: tenant_join(Order, OrderLine.order_id),
        back_populates="lines",
        lazy="raise",
    )


class Delivery(TenantOwned, Base):
    """What one ``deliver`` action handed over, and what it made."""

    __tablename__ = "deliveries"
    __table_args__ = (
        *tenant_indexes("deliveries", *DELIVERY_FIELDS),
        NEVER_REUSE_IDS,
    )

    order_id: Mapped[int] = tenant_reference("orders", ondelete="RESTRICT")
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    equipment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    work_order_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    lines: Mapped[list[DeliveryLine]] = relationship(
        primaryjoin=lambda: tenant_join(Delivery, DeliveryLine.delivery_id),
        cascade="all, delete-orphan",
        order_by="DeliveryLine.id",
        lazy="raise",
    )


class DeliveryLine(TenantOwned, Base):
    __tablename__ = "delivery_lines"
    __table_args__ = NEVER_REUSE_IDS

    delivery_id: Mapped[int] = tenant_reference("deliveries", ondelete="CASCADE")
    order_line_id: Mapped[int] = tenant_reference("order_lines", ondelete="RESTRICT")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    serial_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
