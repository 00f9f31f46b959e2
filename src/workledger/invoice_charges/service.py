"""Invoice charges: what waits to be invoiced (DESIGN §8 "Invoice charges"; seed 001:
invoice data, blocked without the ``invoices`` permission).

A charge is ``{order_id, invoice_id, code, title, price, quantity, action_date,
comment}``. ``code`` is required; ``price`` defaults to 0, ``quantity`` to 1 (> 0,
3019), ``action_date`` to today, ``title`` and ``comment`` to empty. ``order_id`` and
``invoice_id`` name the company's own order and invoice (422 code 30 otherwise; the
database refuses another company's too).

Once ``invoice_id`` is set the charge is invoiced: any change or delete is 422 code 30
``charge_invoiced`` naming ``invoice_id``. Setting it on an uninvoiced charge is how an
invoice takes a charge up.

A delivery adds the company's handling charges in its own transaction
(:meth:`InvoiceChargeRepository.add_handling_charges`, called by
``OrderService.deliver``): per delivery one ``handling_order`` charge and one
``handling_line`` charge for its lines, priced from the company settings, none where the
price is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from workledger.invoice_charges.repository import (
    InvoiceChargeRepository,
    OrderInvoiceChargeRepository,
)
from workledger.kit.body import apply_values
from workledger.kit.resource import ResourceService
from workledger.kit.rules import AmountNotPositive, BusinessRule
from workledger.models import InvoiceCharge

DEFAULTS = {"title": "", "price": Decimal(0), "quantity": Decimal(1), "comment": ""}


class InvoiceChargeService(ResourceService[InvoiceCharge]):
    repository = InvoiceChargeRepository
    required = ("code",)

    async def guard(self, obj: InvoiceCharge, operation: Literal["update", "delete"]) -> None:
        """An invoiced charge is final: what the invoice says stays true."""
        if obj.invoice_id is not None:
            raise BusinessRule.on("invoice_id", "charge_invoiced", invoice_id=obj.invoice_id)

    async def assign(self, obj: InvoiceCharge, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        if "quantity" in values and values["quantity"] <= 0:
            raise AmountNotPositive.on("quantity")
        apply_values(obj, values, self.fields)
        if creating:
            for name, default in DEFAULTS.items():
                if getattr(obj, name) is None:
                    setattr(obj, name, default)
            if obj.action_date is None:
                obj.action_date = date.today()


class OrderInvoiceChargeService(InvoiceChargeService):
    """``/v1/orders/{order_id}/invoice-charges``: the same rules, for one order's charges.
    Charges are added to orders in any state (handling is charged after delivery), so the
    order's editable guard does not apply."""

    repository = OrderInvoiceChargeRepository
    guarded_by_parent = False
