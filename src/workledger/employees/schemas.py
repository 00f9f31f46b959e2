from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import Email, ImportId, text


class EmployeeUpdate(WriteModel):
    number: text(30, 1) | None = Field(None, description="Unique per company (1-30 characters)")
    first_name: text(100) | None = None
    last_name: text(100) | None = Field(None, description="An employee needs a first_name or "
                                        "last_name")
    email: Email | None = None
    phone_number: text(50) | None = None
    active: StrictBool | None = Field(None, description="Default true")
    import_id: ImportId | None = None


class EmployeeCreate(EmployeeUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["number"]})


class Employee(ReadModel):
    number: str
    first_name: str
    last_name: str
    email: str
    phone_number: str
    active: bool
    import_id: str | None
