"""``/v1/invoice-charges`` and ``/v1/orders/{order_id}/invoice-charges`` (DESIGN §8).

Invoice data: every route reads with ``InvoiceReader`` and writes with ``InvoiceWriter``,
so a credential without the ``invoices`` permission gets 403 code 6 (seed 001: an API
user sees invoice data only when staff allowed it).
"""

from __future__ import annotations

from workledger.auth.dependencies import InvoiceReader, InvoiceWriter
from workledger.invoice_charges import schemas
from workledger.invoice_charges.service import InvoiceChargeService, OrderInvoiceChargeService
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Parent, Reference, Resource
from workledger.models import Invoice, InvoiceCharge, Order
from workledger.orders.endpoints import ORDERS

NAMES = Names("invoice charge", "invoice charges", N_("No invoice charge with id {id}."))
INVOICE = Reference("invoice_id", Invoice)

INVOICE_CHARGES = Resource(
    names=NAMES,
    model=InvoiceCharge,
    read=schemas.InvoiceCharge,
    create=schemas.InvoiceChargeWrite,
    update=schemas.InvoiceChargeWrite,
    service=InvoiceChargeService,
    reader=InvoiceReader,
    writer=InvoiceWriter,
    references=(Reference("order_id", Order), INVOICE),
    filters=("id", "order_id", "invoice_id", "code", "action_date", "created_at",
             "updated_at"),
    sorts=("id", "order_id", "code", "action_date", "created_at", "updated_at"),
)

ORDER_INVOICE_CHARGES = Resource(
    names=NAMES,
    model=InvoiceCharge,
    read=schemas.InvoiceCharge,
    create=schemas.OrderInvoiceChargeWrite,
    update=schemas.OrderInvoiceChargeWrite,
    service=OrderInvoiceChargeService,
    reader=InvoiceReader,
    writer=InvoiceWriter,
    parent=Parent(ORDERS, "order_id"),
    operation_scope="order_",
    # As an order's lines; bulk delete is /v1/invoice-charges?ids=.
    operations=("list", "get", "create", "update", "delete"),
    references=(INVOICE,),
    filters=("id", "invoice_id", "code", "action_date", "created_at", "updated_at"),
    sorts=("id", "code", "action_date", "created_at", "updated_at"),
)

router = INVOICE_CHARGES.router()
order_router = ORDER_INVOICE_CHARGES.router()
