from __future__ import annotations

from pydantic import ConfigDict

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import Email, ImportId, text


class SupplierUpdate(WriteModel):
    company_name: text(200, 1) | None = None
    email: Email | None = None
    phone_number: text(50) | None = None
    comment: text(10_000) | None = None
    import_id: ImportId | None = None


class SupplierCreate(SupplierUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["company_name"]})


class Supplier(ReadModel):
    company_name: str
    email: str
    phone_number: str
    comment: str
    import_id: str | None
