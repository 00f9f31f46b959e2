"""Request and answer shapes of invoice charges (DESIGN §8 "Invoice charges")."""

from __future__ import annotations

from datetime import date

from pydantic import Field, ValidationInfo, field_validator

from workledger.kit.i18n import N_, Message
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import Money, MoneyOut, ObjectRef, text
from workledger.stock.schemas import SignedQuantity

#: The codes a delivery's handling charges carry, and their titles (English ids,
#: translated in the catalogues; an answer shows them in the caller's language).
HANDLING_ORDER, HANDLING_LINE = "handling_order", "handling_line"
HANDLING_TITLES: dict[str, Message] = {
    HANDLING_ORDER: N_("Handling charge per order"),
    HANDLING_LINE: N_("Handling charge per delivered line"),
}


class OrderInvoiceChargeWrite(WriteModel):
    """A charge of one order (``/v1/orders/{order_id}/invoice-charges``): the order is
    the path's."""

    invoice_id: ObjectRef | None = Field(
        None, description="The invoice that took the charge up. Once set, the charge can "
        "no longer change or be deleted (422 code 30)")
    code: text(50, 1) | None = Field(
        None, description="Required on create. What is charged: a delivery's handling "
        "charges are `handling_order` and `handling_line`; any other code is your own")
    title: text(200) | None = Field(None, description="What the invoice line says. "
                                    "Default: empty")
    price: Money | None = Field(None, description="Per unit, excluding tax. Default: 0")
    quantity: SignedQuantity | None = Field(None, description="> 0 (3019). Default: 1")
    action_date: date | None = Field(None, description="When the charged work was done. "
                                     "Default: today")
    comment: text(10_000) | None = None


class InvoiceChargeWrite(OrderInvoiceChargeWrite):
    order_id: ObjectRef | None = Field(None, description="The order charged for, if any")


class InvoiceCharge(ReadModel):
    order_id: int | None
    invoice_id: int | None
    code: str
    title: str = Field(description="A delivery's handling charges read in the caller's "
                       "language")
    price: MoneyOut
    quantity: MoneyOut
    action_date: date
    comment: str

    @field_validator("title")
    @classmethod
    def _in_language(cls, title: str, info: ValidationInfo) -> str:
        # A handling charge keeps its English title id; a title changed by hand stays as is.
        catalogued = HANDLING_TITLES.get(info.data.get("code", ""))
        return catalogued.in_language() if catalogued == title else title
