"""The one query of the SOAP face that no feature's repository has: the rows of
invoices (their invoice charges), for ``GetInvoicesByQuery``."""

from __future__ import annotations

from collections.abc import Collection

from workledger.kit.repository import TenantRepository
from workledger.models import InvoiceCharge


class InvoiceRowRepository(TenantRepository[InvoiceCharge]):
    model = InvoiceCharge

    async def of_invoices(self, invoice_ids: Collection[int]) -> dict[int, list[InvoiceCharge]]:
        """``{invoice id: its charges in id order}`` for this company's invoices: one
        query however many invoices."""
        if not invoice_ids:
            return {}
        statement = (self.readable().where(InvoiceCharge.invoice_id.in_(sorted(invoice_ids)))
                     .order_by(InvoiceCharge.id))
        rows: dict[int, list[InvoiceCharge]] = {}
        for row in (await self.session.scalars(statement)).all():
            rows.setdefault(row.invoice_id, []).append(row)
        return rows
