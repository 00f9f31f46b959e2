from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from workledger.kit.body import InputModel
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import ExternalId, ImportId, Money, MoneyOut, ObjectRef, text
from workledger.models import PurchaseOrderStatus
from workledger.stock.schemas import MAX_SERIALS, Serial, SignedQuantity

Status = Literal[tuple(s.value for s in PurchaseOrderStatus)]  # type: ignore[valid-type]
#: Lines of one purchase order, at most.
MAX_LINES = 500


class PurchaseOrderLineWrite(WriteModel):
    position: StrictInt | None = Field(None, ge=0, le=1_000_000,
                                       description="Default: after the last line")
    item_id: ObjectRef | None = Field(None, description="The item (or `item_number`)")
    item_number: text(50, 1) | None = Field(
        None, description="The item by its number, instead of `item_id` (or with the same "
        "item's id)")
    quantity: SignedQuantity | None = Field(
        None, description="> 0 (3019); whole units unless the item is a `consumable`")
    unit_price: Money | None = Field(None, description="Default: the item's purchase price")
    received_quantity: SignedQuantity | None = Field(None, description="Read-only")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="`unique` items only: the serials of the units expected (the receipt "
        "may name them instead)")


class PurchaseOrderUpdate(WriteModel):
    number: text(30) | None = Field(None, description="Read-only: issued on create")
    supplier_id: ObjectRef | None = None
    supplier_external_id: ExternalId | None = Field(
        None, description="The supplier by your own id: the `external_id` of a supplier "
        "link (`/v1/company-links`)")
    warehouse_id: ObjectRef | None = Field(
        None, description="Where the goods arrive. Default: the company's default warehouse")
    order_date: date | None = Field(None, description="Default: today")
    expected_date: date | None = None
    reference: text(100) | None = None
    comment: text(2000) | None = None
    status: Status | None = Field(
        None, description="Read-only: `open`, then `received` (the receive action) or "
        "`cancelled` (the cancel action)")
    import_id: ImportId | None = None
    lines: list[PurchaseOrderLineWrite] | None = Field(
        None, max_length=MAX_LINES,
        description="The whole line list: lines with a stored id are updated, those "
        "without an id are created, stored lines left out are deleted, [] deletes all.")


class PurchaseOrderCreate(PurchaseOrderUpdate):
    """``supplier_id`` or ``supplier_external_id`` is required (400 otherwise): neither
    alone is, so the schema marks none."""


class PurchaseOrderLine(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    item_id: int
    quantity: MoneyOut
    unit_price: MoneyOut
    received_quantity: MoneyOut
    serial_numbers: list[str]


class PurchaseOrder(ReadModel):
    number: str
    supplier_id: int
    warehouse_id: int
    order_date: date
    expected_date: date | None
    reference: str
    comment: str
    status: Status
    received_at: datetime | None
    import_id: str | None
    lines: list[PurchaseOrderLine]


class ReceiveLine(InputModel):
    id: ObjectRef = Field(description="A line of this purchase order")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="`unique` items: the serials of the units received, one per unit "
        "(instead of those stored on the line)")


class ReceiveRequest(InputModel):
    lines: list[ReceiveLine] | None = Field(
        None, max_length=MAX_LINES,
        description="Serial numbers per line; lines left out are received as they are")
