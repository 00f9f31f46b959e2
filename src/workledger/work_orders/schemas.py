"""Request and answer shapes of ``/v1/work-orders`` (DESIGN §7.4, seed 003)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, computed_field

from workledger.kit.body import InputModel
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import ExternalId, ImportId, LocalTime, Money, MoneyOut, ObjectRef, text
from workledger.models import TypeOfWork, WorkOrderKind, WorkOrderStatus
from workledger.stock.schemas import SignedQuantity
from workledger.work_orders.names import STATUS_NAMES, TYPE_OF_WORK_NAMES

# A period's member is called ``date``: the type goes by another name in its classes.
Day = date
Status = Literal[tuple(s.value for s in WorkOrderStatus)]  # type: ignore[valid-type]
Kind = Literal[tuple(k.value for k in WorkOrderKind)]  # type: ignore[valid-type]
WorkType = Literal[tuple(t.value for t in TypeOfWork)]  # type: ignore[valid-type]
#: Entries of one list member (periods, materials, form, ids), at most.
MAX_ENTRIES = 500


class FormEntry(InputModel):
    """One answer of a file job's checklist (an order line's ``form_properties``)."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    form: text(200) = Field(description="The form's name")
    property: text(200) = Field(description="The question")
    value: text(2000) = Field("", description="The answer")


class WorkPeriodWrite(WriteModel):
    employee_id: ObjectRef | None = Field(None, description="Who worked (an employee)")
    date: Day | None = Field(None, description="Required for a new period")
    begin_time: LocalTime | None = None
    end_time: LocalTime | None = None
    break_minutes: StrictInt | None = Field(None, ge=0, le=24 * 60)
    hour_type: text(50) | None = None
    remark: text(2000) | None = None


class WorkPeriod(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int | None
    date: Day
    begin_time: LocalTime | None
    end_time: LocalTime | None
    break_minutes: int
    hour_type: str
    remark: str


class MaterialWrite(WriteModel):
    item_id: ObjectRef | None = Field(None, description="The item used (or `item_number`)")
    item_number: text(50, 1) | None = Field(
        None, description="The item by its number, instead of `item_id` (or with the same "
        "item's id)")
    name: text(200) | None = Field(None, description="Default: the item's name")
    quantity: SignedQuantity | None = Field(
        None, description="> 0 (3019), default 1; whole units unless the item is a "
        "`consumable`")
    unit: text(20) | None = Field(None, description="Default: the item's unit")
    unit_price: Money | None = Field(None, description="Default: the item's sales price")


class Material(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int | None
    name: str
    quantity: MoneyOut
    unit: str
    unit_price: MoneyOut


class WorkOrderUpdate(WriteModel):
    number: text(30, 1) | None = Field(
        None, description="Unique per company (422 code 30 `number_taken`). Omitted on "
        "create: issued from the work-order number series")
    kind: Kind | None = Field(None, description="Read-only: `manual` when created through "
                              "the API; `job` or `file_job` when a delivery made it")
    type_of_work: WorkType | None = Field(None, description="Default: `service`")
    customer_id: ObjectRef | None = None
    customer_external_id: ExternalId | None = Field(
        None, description="The customer by your own id: the `external_id` of a customer "
        "link (`/v1/company-links`)")
    order_id: ObjectRef | None = Field(None, description="Read-only: the order whose "
                                       "delivery made it")
    equipment_ids: list[ObjectRef] | None = Field(
        None, max_length=MAX_ENTRIES, description="The equipment worked on (the whole list)")
    employee_ids: list[ObjectRef] | None = Field(
        None, max_length=MAX_ENTRIES, description="The employees assigned (the whole list)")
    planned_date: date | None = None
    planned_time: LocalTime | None = None
    deadline: date | None = None
    duration_minutes: StrictInt | None = Field(None, ge=0, le=1_000_000)
    description: text(10_000) | None = None
    internal_description: text(10_000) | None = None
    status: Status | None = Field(
        None, description="`ready` → `fetched` → `complete` → `handled`; also `ready` → "
        "`complete` and `complete` → `fetched` (reopen). Anything else: 422 code 30 "
        "`invalid_transition`. Becoming `complete` books the materials out of the default "
        "warehouse (3008 if short)")
    work_status: text(100) | None = Field(None, description="Free text: your own sub-status")
    work_periods: list[WorkPeriodWrite] | None = Field(
        None, max_length=MAX_ENTRIES, description="The whole list of work periods (list "
        "rules: stored ids update, no id creates, left out deletes)")
    materials: list[MaterialWrite] | None = Field(
        None, max_length=MAX_ENTRIES, description="The whole list of materials used (list "
        "rules). Cannot change while `complete` or `handled` (422 code 30)")
    form: list[FormEntry] | None = Field(None, max_length=MAX_ENTRIES,
                                         description="A checklist: `{form, property, value}`")
    completed_at: datetime | None = Field(
        None, description="Stamped when the work order becomes `complete` (unless given)")
    handled_at: datetime | None = Field(None, description="Read-only: stamped when it "
                                        "becomes `handled`")
    import_id: ImportId | None = None


class WorkOrderCreate(WorkOrderUpdate):
    pass


class WorkOrder(ReadModel):
    number: str
    kind: Kind
    type_of_work: WorkType
    customer_id: int | None
    order_id: int | None
    equipment_ids: list[int]
    employee_ids: list[int]
    planned_date: date | None
    planned_time: LocalTime | None
    deadline: date | None
    duration_minutes: int | None
    description: str
    internal_description: str
    status: Status
    work_status: str
    work_periods: list[WorkPeriod]
    materials: list[Material]
    form: list[FormEntry]
    completed_at: datetime | None
    handled_at: datetime | None
    import_id: str | None

    @computed_field(description="The status's name in the caller's language")
    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status].in_language()

    @computed_field(description="The type of work's name in the caller's language")
    @property
    def type_of_work_name(self) -> str:
        return TYPE_OF_WORK_NAMES[self.type_of_work].in_language()
