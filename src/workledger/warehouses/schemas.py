from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import ImportId, text


class WarehouseUpdate(WriteModel):
    code: text(30, 1) | None = Field(None, description="Unique per company (1-30 characters)")
    name: text(200) | None = None
    is_default: StrictBool | None = Field(
        None, description="Read-only: the warehouse made with the company (code `MAIN`), "
        "which orders and purchase orders use when they name none"
    )
    import_id: ImportId | None = None


class WarehouseCreate(WarehouseUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["code"]})


class Warehouse(ReadModel):
    code: str
    name: str
    is_default: bool
    import_id: str | None
