"""Workflow bodies. A status's ``names`` is an object keyed by ``language_code``
(``{"0": nb, "1": en, "3": sv, "4": da, "7": es}``); ``name`` is the one in the caller's
language."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from workledger.kit.body import InputModel
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import text
from workledger.models import WorkflowType

TypeValue = Literal[tuple(t.value for t in WorkflowType)]  # type: ignore[valid-type]
MAX_STATUSES = 50
Name = text(100)


class StatusNamesWrite(InputModel):
    """Names sent change; names left out stay; ``""`` clears one (a status keeps at least
    one)."""

    nb: Name | None = Field(None, alias="0", description="Norwegian (Bokmål)")
    en: Name | None = Field(None, alias="1", description="English")
    sv: Name | None = Field(None, alias="3", description="Swedish")
    da: Name | None = Field(None, alias="4", description="Danish")
    es: Name | None = Field(None, alias="7", description="Spanish")


class StatusWrite(InputModel):
    id: StrictInt | None = Field(
        None, description="Send the id of a stored status to keep (and change) it; omit it "
        "to add one. Stored statuses left out of the list are removed."
    )
    position: StrictInt | None = Field(
        None, description="Read-only: the place in the list decides the order"
    )
    names: StatusNamesWrite | None = Field(
        None, description="A new status needs a name in at least one language"
    )
    name: StrictStr | None = Field(None, description="Read-only")
    is_final: StrictBool | None = Field(None, description="Default false")


class WorkflowUpdate(WriteModel):
    type: TypeValue | None = Field(None, description="Read-only")
    statuses: list[StatusWrite] | None = Field(
        None, min_length=1, max_length=MAX_STATUSES,
        description="The whole list, in order: statuses with a stored id are kept and "
        "changed, those without an id are added, stored statuses left out are removed "
        "(not while an order or line uses one). At least one status.",
    )


class StatusNames(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    nb: str = Field(alias="0", description="Norwegian (Bokmål)")
    en: str = Field(alias="1", description="English")
    sv: str = Field(alias="3", description="Swedish")
    da: str = Field(alias="4", description="Danish")
    es: str = Field(alias="7", description="Spanish")


class Status(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int = Field(description="1-based place in the workflow")
    names: StatusNames = Field(description="The name in each language, \"\" where none "
                               "was given")
    name: str = Field(description="The name in the language of the request "
                      "(`language_code`); English, or another, where it has none")
    is_final: bool


class Workflow(ReadModel):
    type: TypeValue = Field(description="`order` or `order_line`: which objects' "
                            "`workflow_status_id` names one of its statuses")
    statuses: list[Status]
