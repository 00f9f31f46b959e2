from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes, tenant_reference

# Filterable and sortable columns, each backed by a (company_id, column) index.
INVOICE_FIELDS = ("customer_id", "date", "due_date", "status", "total_incl_tax",
                  "created_at", "updated_at")


class InvoiceStatus(enum.StrEnum):
    draft = "draft"
    sent = "sent"
    paid = "paid"
    cancelled = "cancelled"


class Invoice(TenantOwned, Base):
    """Read-only through the API for now; the invoicing issue adds the document flow."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        *tenant_indexes("invoices", *INVOICE_FIELDS),
        NEVER_REUSE_IDS,
    )

    number: Mapped[str] = mapped_column(String(50))
    customer_id: Mapped[int] = tenant_reference("customers", ondelete="RESTRICT")
    date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.draft.value)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    total_excl_tax: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    total_tax: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    total_incl_tax: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))


INVOICE_CHARGE_FIELDS = ("order_id", "invoice_id", "code", "action_date", "created_at",
                         "updated_at")


class InvoiceCharge(TenantOwned, Base):
    """Something to invoice (DESIGN §8 "Invoice charges"): a delivery's handling charges
    from the company's settings, or a charge added by hand. ``invoice_id`` is set once an
    invoice takes it up; until then it waits to be invoiced. Invoice data: every route
    needs the ``invoices`` permission."""

    __tablename__ = "invoice_charges"
    __table_args__ = (
        *tenant_indexes("invoice_charges", *INVOICE_CHARGE_FIELDS),
        NEVER_REUSE_IDS,
    )

    order_id: Mapped[int | None] = tenant_reference("orders", ondelete="RESTRICT")
    invoice_id: Mapped[int | None] = tenant_reference("invoices", ondelete="RESTRICT")
    #: What is charged, e.g. ``handling_order`` / ``handling_line`` for a delivery's.
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Per unit, excluding tax, in the company's currency.
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(1))
    action_date: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
