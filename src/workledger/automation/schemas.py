"""Request and answer shapes of the automation API (DESIGN §8 "Automation")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from workledger.kit.body import InputModel
from workledger.kit.types import MoneyOut, ObjectRef
from workledger.orders.schemas import OrderLine, Status
from workledger.stock.schemas import MAX_SERIALS, Serial, SignedQuantity


class CompanySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    api_access: bool


class PickListLine(BaseModel):
    """An order line waiting to be picked."""

    company_id: int = Field(description="The company (goods owner) whose order it is")
    order_id: int
    order_number: str
    order_line_id: int
    warehouse_id: int = Field(description="Where the goods are picked: the order's warehouse")
    item_id: int
    item_number: str
    quantity: MoneyOut = Field(description="Still to pick: allocated and not yet picked")
    serial_numbers: list[str] = Field(
        description="`unique` items: the serials the line names that are neither picked "
        "nor delivered (at most `quantity`); empty when the line names none")


class PickRequest(InputModel):
    company_id: ObjectRef = Field(description="The company whose order line it is")
    order_line_id: ObjectRef = Field(description="The line picked")
    quantity: SignedQuantity = Field(
        description="How much was picked now: > 0 (3019), at most what the line has left "
        "to pick (422 code 30 naming `quantity`); whole units unless a `consumable`")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="`unique` items: the serials picked, one per unit (3013), each in stock "
        "at the order's warehouse (3008). Default: the serials the line names")


class Pick(BaseModel):
    """What a pick recorded, and the line and order after it."""

    company_id: int
    order_id: int
    order_number: str
    order_status: Status = Field(description="`picked` once every line of the order is "
                                 "picked in full, else `allocated`")
    order_line_id: int
    quantity: MoneyOut = Field(description="Picked by this call")
    serial_numbers: list[str] = Field(description="The serials picked by this call")
    line: OrderLine = Field(description="The order line after the pick")
