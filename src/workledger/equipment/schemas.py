"""Request and answer shapes of ``/v1/equipment`` (DESIGN §7.4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from workledger.kit.body import InputModel
from workledger.kit.gates import MAX_ID
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import ExternalId, ImportId, MoneyOut, ObjectRef, text
from workledger.models import EquipmentStatus, ItemKind
from workledger.stock.schemas import SignedQuantity

Status = Literal[tuple(s.value for s in EquipmentStatus)]  # type: ignore[valid-type]
Kind = Literal[tuple(k.value for k in ItemKind)]  # type: ignore[valid-type]
#: An equipment id, or 0 to clear the member (``null`` leaves it unchanged, DESIGN §4.2).
MainRef = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
PropertyKey = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=100)]
PropertyValue = Annotated[str, StringConstraints(strict=True, max_length=2000)]


class EquipmentUpdate(WriteModel):
    item_id: ObjectRef | None = Field(
        None, description="The item this is a unit of (required on create; cannot change)")
    kind: Kind | None = Field(None, description="Read-only: the item's kind")
    serial_number: text(100) | None = Field(
        None, description="Required for `unique` items, unique per item (422 code 30 "
        "`serial_known`); none for other kinds (3014)")
    quantity: SignedQuantity | None = Field(
        None, description="1 for `unique` items (code 30 `one_unit`); otherwise > 0 (3019), "
        "whole unless the item is a `consumable`. Default 1")
    status: Status | None = Field(
        None, description="`at_customer` (default), `sold`, `returned` or `scrapped`. "
        "`in_stock` is set only by the stock ledger (purchase-order receipt, stock "
        "adjustment, the return action): 422 code 30 `in_stock_by_ledger` here, as is "
        "changing an in-stock unit")
    warehouse_id: ObjectRef | None = Field(
        None, description="Read-only: where an `in_stock` unit is")
    customer_id: ObjectRef | None = None
    customer_external_id: ExternalId | None = Field(
        None, description="The customer by your own id: the `external_id` of a customer "
        "link (`/v1/company-links`)")
    main_equipment_id: MainRef | None = Field(
        None, description="The equipment this is a part of: never itself nor one of its own "
        "subs, directly or further down (422 code 30 `equipment_cycle`). Send 0 to clear")
    sub_equipment_ids: list[int] | None = Field(None, description="Read-only")
    order_line_id: ObjectRef | None = Field(None, description="Read-only: the order line "
                                            "that delivered it")
    properties: dict[PropertyKey, PropertyValue] | None = Field(
        None, max_length=200, description="Key → value, both strings (the whole object)")
    installed_at: date | None = None
    warranty_until: date | None = None
    import_id: ImportId | None = None


class EquipmentCreate(EquipmentUpdate):
    pass


class Equipment(ReadModel):
    item_id: int
    kind: Kind
    serial_number: str | None
    quantity: MoneyOut
    status: Status
    warehouse_id: int | None
    customer_id: int | None
    main_equipment_id: int | None
    sub_equipment_ids: list[int]
    order_line_id: int | None
    properties: dict[str, str]
    installed_at: date | None
    warranty_until: date | None
    import_id: str | None


class ReturnRequest(InputModel):
    warehouse_id: ObjectRef | None = Field(
        None, description="Where the unit comes back. Default: the company's default "
        "warehouse")
