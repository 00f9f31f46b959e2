"""Request and answer shapes of orders, order lines and deliveries (DESIGN §7.3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, computed_field

from workledger.kit.body import InputModel
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import (
    ExternalId,
    ImportId,
    Money,
    MoneyOut,
    ObjectRef,
    Percentage,
    int_choice,
    text,
)
from workledger.models import OrderStatus
from workledger.orders.processes import process_name
from workledger.stock.schemas import MAX_SERIALS, Serial, SignedQuantity

Status = Literal[tuple(s.value for s in OrderStatus)]  # type: ignore[valid-type]
ProcessValue = int_choice(1, 2, 3, 4)
#: Lines of one order, at most (a body; the nested route adds one at a time).
MAX_LINES = 500


class FormProperty(InputModel):
    form: text(100)
    property: text(100)
    value: text(2000)


class FormPropertyOut(BaseModel):
    form: str
    property: str
    value: str


class OrderLineWrite(WriteModel):
    id: StrictInt | None = Field(
        None, description="In an order's `lines`: the id of a stored line to update it; "
        "omit it to create one")
    position: StrictInt | None = Field(None, ge=0, le=1_000_000,
                                       description="Default: after the last line")
    item_id: ObjectRef | None = Field(None, description="The item (or `item_number`)")
    item_number: text(50, 1) | None = Field(
        None, description="The item by its number, instead of `item_id` (or with the same "
        "item's id)")
    description: text(200) | None = Field(None, description="Default: the item's name")
    quantity: SignedQuantity | None = Field(
        None, description="Required on create. > 0 (3019); whole units unless the item is "
        "a `consumable` (422 code 30)")
    unit_price: Money | None = Field(None, description="Default: the item's sales price")
    tax_rate: Percentage | None = Field(None, description="Percent. Default: the item's")
    process: ProcessValue | None = Field(
        None, description="What delivering the line makes: 1 nothing (default), 2 "
        "equipment at the customer, 3 equipment and a job, 4 equipment and a file job")
    workflow_status_id: ObjectRef | None = Field(
        None, description="A status of the company's `order_line` workflow. Default: its "
        "first status")
    properties: dict[text(100), text(2000)] | None = Field(
        None, max_length=200, description="Key → value, copied onto the equipment the "
        "line creates")
    form_properties: list[FormProperty] | None = Field(
        None, max_length=500, description="The checklist a file job (process 4) carries")
    group: text(50) | None = Field(
        None, description="Lines with the same group build one main equipment from sub "
        "equipment (process ≥ 2 only); exactly one of them is `main`")
    main: bool | None = Field(None, description="The main line of its group")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="`unique` items only (400 otherwise): the serials of the units this "
        "line delivers, at most `quantity`, each once")
    allocated_quantity: SignedQuantity | None = Field(None, description="Read-only")
    picked_quantity: SignedQuantity | None = Field(None, description="Read-only")
    delivered_quantity: SignedQuantity | None = Field(None, description="Read-only")
    import_id: ImportId | None = None


class OrderLine(ReadModel):
    order_id: int
    position: int
    item_id: int
    description: str
    quantity: MoneyOut
    unit_price: MoneyOut
    tax_rate: MoneyOut
    process: int
    workflow_status_id: int
    properties: dict[str, str]
    form_properties: list[FormPropertyOut]
    group: str | None
    main: bool
    serial_numbers: list[str]
    allocated_quantity: MoneyOut
    picked_quantity: MoneyOut
    delivered_quantity: MoneyOut
    import_id: str | None

    @computed_field(description="The process's name in the caller's language")
    @property
    def process_name(self) -> str:
        return process_name(self.process)


class OrderUpdate(WriteModel):
    number: text(30) | None = Field(None, description="Read-only: issued on create")
    import_id: ImportId | None = None
    customer_id: ObjectRef | None = Field(None, description="Required on create (or "
                                          "`customer_external_id`)")
    customer_external_id: ExternalId | None = Field(
        None, description="The customer by your own id: the `external_id` of a customer "
        "link (`/v1/company-links`)")
    contact_id: ObjectRef | None = Field(None, description="A contact of the order's "
                                         "customer (422 code 30 otherwise)")
    contact_external_id: ExternalId | None = Field(
        None, description="The contact by your own id (`/v1/contact-links`)")
    warehouse_id: ObjectRef | None = Field(
        None, description="Where the goods leave from. Default: the company's default "
        "warehouse")
    order_date: date | None = Field(None, description="Default: today")
    delivery_date: date | None = None
    reference: text(100) | None = None
    source: text(100) | None = None
    comment: text(10_000) | None = None
    workflow_status_id: ObjectRef | None = Field(
        None, description="A status of the company's `order` workflow. Default: its first")
    status: Status | None = Field(None, description="Read-only: changed by the actions")
    net_amount: Money | None = Field(None, description="Read-only: from the lines")
    tax_amount: Money | None = Field(None, description="Read-only: from the lines")
    gross_amount: Money | None = Field(None, description="Read-only: from the lines")
    lines: list[OrderLineWrite] | None = Field(
        None, max_length=MAX_LINES,
        description="The whole line list: lines with a stored id are updated, those "
        "without an id are created, stored lines left out are deleted, [] deletes all.")


class OrderCreate(OrderUpdate):
    """``customer_id`` or ``customer_external_id`` is required (400 otherwise)."""


class Order(ReadModel):
    number: str
    import_id: str | None
    customer_id: int
    contact_id: int | None
    warehouse_id: int
    order_date: date
    delivery_date: date | None
    reference: str
    source: str
    comment: str
    workflow_status_id: int
    status: Status
    net_amount: MoneyOut
    tax_amount: MoneyOut
    gross_amount: MoneyOut
    lines: list[OrderLine]


# -- actions ------------------------------------------------------------------------------


class ActionLine(InputModel):
    id: ObjectRef = Field(description="A line of this order")
    quantity: SignedQuantity | None = Field(
        None, description="Default: everything the line still has to pick or deliver")
    serial_numbers: list[Serial] | None = Field(
        None, max_length=MAX_SERIALS,
        description="`unique` items: the serials of the units, one per unit (default: "
        "those stored on the line and not yet delivered)")


class LinesRequest(InputModel):
    lines: list[ActionLine] | None = Field(
        None, max_length=MAX_LINES,
        description="The lines to pick or deliver, and how much; omitted: every line, "
        "everything remaining")


class DeliveryLine(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_line_id: int
    quantity: MoneyOut
    serial_numbers: list[str]


class Delivery(ReadModel):
    order_id: int
    delivered_at: datetime
    lines: list[DeliveryLine]
    equipment_ids: list[int]
    work_order_ids: list[int]
