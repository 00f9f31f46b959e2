from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import (
    ExternalId,
    ImportId,
    Money,
    MoneyOut,
    ObjectRef,
    Percentage,
    text,
)
from workledger.models.items import ItemKind

Kind = Literal[tuple(k.value for k in ItemKind)]  # type: ignore[valid-type]


class ItemUpdate(WriteModel):
    number: text(50, 1) | None = Field(None, description="Unique per company")
    name: text(200, 1) | None = None
    kind: Kind | None = Field(
        None,
        description="`unique` (serialised, returnable equipment) or a non-unique kind: "
        "`consumable`, `stock_goods`, `part`. Default `stock_goods`.",
    )
    unit: text(20, 1) | None = Field(None, description="Default `pcs`")
    sales_price: Money | None = None
    purchase_price: Money | None = None
    tax_rate: Percentage | None = Field(None, description="Percent, 0-100")
    supplier_id: ObjectRef | None = Field(None, description="Default supplier")
    supplier_external_id: ExternalId | None = Field(
        None, description="The default supplier by your own id: the `external_id` of a "
        "supplier link (`/v1/company-links`). With `supplier_id` too, both must name the "
        "same supplier."
    )
    import_id: ImportId | None = None


class ItemCreate(ItemUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["number", "name"]})


class Item(ReadModel):
    number: str
    name: str
    kind: Kind
    unit: str
    sales_price: MoneyOut
    purchase_price: MoneyOut
    tax_rate: MoneyOut
    supplier_id: int | None
    import_id: str | None
