"""Queries of invoice charges (DESIGN §2: queries live here)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Numeric,
    String,
    Text,
        insert,
    literal,
    select,
    union_all,
)

from workledger.invoice_charges.schemas import HANDLING_LINE, HANDLING_ORDER, HANDLING_TITLES
from workledger.kit.db import utcnow
from workledger.kit.repository import TenantRepository
from workledger.models import Company, InvoiceCharge


class InvoiceChargeRepository(TenantRepository[InvoiceCharge]):
    model = InvoiceCharge

    async def add_handling_charges(self, order_id: int, lines: int, on: date) -> None:
        """A delivery's handling charges from the company's prices: ``handling_order``
        (quantity 1, ``handling_charge_per_order``) and ``handling_line`` (quantity
        ``lines``, ``handling_charge_per_line``), each only when its price is above 0.
        One ``INSERT … SELECT`` reading the prices where they are, however they are set."""
        now = utcnow()
        companies = Company.__table__

        def charge(code: str, price, quantity: int):  # noqa: ANN001 - a column
            # Typed binds: PostgreSQL (asyncpg) gets them cast, so that a parameter's type
            # is known inside the UNION; SQLite stores them as the columns would.
            return select(
                literal(self.company_id, BigInteger), literal(order_id, BigInteger),
                literal(code, String), literal(str(HANDLING_TITLES[code]), String), price,
                literal(Decimal(quantity), Numeric(14, 4)), literal(on, Date),
                literal("", Text), literal(now, DateTime(timezone=True)),
                literal(now, DateTime(timezone=True)),
            ).where(companies.c.id == self.company_id, price > 0)

        table = InvoiceCharge.__table__
        columns = ["company_id", "order_id", "code", "title", "price", "quantity",
                   "action_date", "comment", "created_at", "updated_at"]
        await self.session.execute(insert(table).from_select(columns, union_all(
            charge(HANDLING_ORDER, companies.c.handling_charge_per_order, 1),
            charge(HANDLING_LINE, companies.c.handling_charge_per_line, lines),
        )))


class OrderInvoiceChargeRepository(InvoiceChargeRepository):
    """The charges of one order (its ``parent_column`` is bound by the declaration)."""
