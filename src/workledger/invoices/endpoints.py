"""Invoices, read-only for now (the invoicing issue adds documents and their rules).

Every invoice resource is read with ``InvoiceReader``: an API user without "Allow this
user to see invoicing information in the API" gets 403 (seed 001).
"""

from __future__ import annotations

from workledger.auth.dependencies import InvoiceReader
from workledger.invoices import schemas
from workledger.invoices.repository import InvoiceRepository
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Resource, ResourceService
from workledger.models import Invoice, InvoiceStatus


class InvoiceService(ResourceService[Invoice]):
    repository = InvoiceRepository


INVOICES = Resource(
    names=Names("invoice", "invoices", N_("No invoice with id {id}.")),
    model=Invoice,
    read=schemas.Invoice,
    service=InvoiceService,
    reader=InvoiceReader,
    filters={"id": int, "number": str, "customer_id": int, "date": None, "due_date": None,
             "status": InvoiceStatus, "total_incl_tax": None, "created_at": None,
             "updated_at": None},
    sorts=("id", "number", "date", "due_date", "status", "total_incl_tax", "created_at",
           "updated_at"),
)

router = INVOICES.router()
