from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import MoneyOut, ObjectRef, text
from workledger.models import MovementType

Type = Literal[tuple(t.value for t in MovementType)]  # type: ignore[valid-type]

#: A quantity as a caller sends it: up to 10 whole digits and 4 decimals (the column's
#: Numeric(14, 4)); signed where the member says so.
SignedQuantity = Annotated[Decimal, Field(max_digits=14, decimal_places=4,
                                          allow_inf_nan=False)]
#: A serial number of a unit of a unique item.
Serial = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=100)]
#: At most this many serials in one list (a movement, a line).
MAX_SERIALS = 1000


class Stock(ReadModel):
    """One item at one warehouse (read-only): what is there, what is promised, what
    is coming."""

    item_id: int
    warehouse_id: int
    on_hand: MoneyOut = Field(description="The sum of the item's movements at the warehouse")
    allocated: MoneyOut = Field(description="Reserved for orders, not yet delivered")
    available: MoneyOut = Field(description="on_hand − allocated")
    incoming: MoneyOut = Field(description="Still to come on open purchase-order lines")


class StockMovementCreate(WriteModel):
    item_id: ObjectRef | None = None
    warehouse_id: ObjectRef | None = Field(
        None, description="Default: the company's default warehouse")
    type: Type | None = Field(
        None, description="Only `adjustment` (the default) can be created: the other types "
        "are written by the actions that cause them (422 code 30 naming `type`)")
    quantity: SignedQuantity | None = Field(
        None, description="Signed: + adds to on_hand, − takes away; not 0 (3019); whole "
        "units unless the item is a `consumable`. A − adjustment may take on_hand neither "
        "below 0 nor below what is allocated (3023)")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="For `unique` items: one serial per unit (3013 otherwise). + creates "
        "the units in stock (a serial already known → 422 code 30); − scraps in-stock units "
        "with those serials (a serial not in stock here → 3008). Other kinds: none")
    comment: text(2000) | None = None

    model_config = ConfigDict(json_schema_extra={"required": ["item_id", "quantity"]})


class StockMovement(ReadModel):
    item_id: int
    warehouse_id: int
    type: Type
    quantity: MoneyOut
    serial_numbers: list[str]
    order_line_id: int | None
    purchase_order_line_id: int | None
    work_order_id: int | None
    equipment_id: int | None
    comment: str
    occurred_at: datetime
