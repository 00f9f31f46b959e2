from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Numeric, String, UniqueConstraint
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
