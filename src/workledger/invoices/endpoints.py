"""Invoices, read-only for now (the invoicing issue adds documents and their rules).

Every invoice resource depends on ``InvoiceReader``: an API user without "Allow this
user to see invoicing information in the API" gets 403 (seed 001).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from workledger.auth.dependencies import InvoiceReader
from workledger.invoices import schemas
from workledger.invoices.repository import InvoiceRepository
from workledger.kit.listing import ListSpec
from workledger.kit.resource import ResourceService, resource_router
from workledger.models import Invoice, InvoiceStatus

SPEC = ListSpec(
    Invoice,
    filters={"id": int, "number": str, "customer_id": int, "date": date, "due_date": date,
             "status": InvoiceStatus, "total_incl_tax": Decimal, "created_at": datetime,
             "updated_at": datetime},
    sorts=("id", "number", "date", "due_date", "status", "total_incl_tax", "created_at",
           "updated_at"),
)


class InvoiceService(ResourceService[Invoice]):
    repository = InvoiceRepository
    fields = ()


router = resource_router(
    path="/invoices", tag="Invoices", service=InvoiceService, read=schemas.Invoice,
    spec=SPEC, reader=InvoiceReader, read_only=True,
)
