from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import ObjectRef, text
from workledger.models import LinkType

LinkTypeValue = Literal[tuple(t.value for t in LinkType)]  # type: ignore[valid-type]
EXTERNAL_ID = "Your own id for the object (1-50 characters)"


class CompanyLinkUpdate(WriteModel):
    link_type: LinkTypeValue | None = Field(
        None, description="`customer` or `supplier`; cannot be changed once created"
    )
    external_id: text(50, 1) | None = Field(
        None, description=f"{EXTERNAL_ID}; unique per link type"
    )
    customer_id: ObjectRef | None = Field(None, description="The customer (customer links only)")
    supplier_id: ObjectRef | None = Field(None, description="The supplier (supplier links only)")


class CompanyLinkCreate(CompanyLinkUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["link_type", "external_id"]})


class CompanyLink(ReadModel):
    link_type: LinkTypeValue
    external_id: str
    customer_id: int | None
    supplier_id: int | None


class ContactLinkUpdate(WriteModel):
    external_id: text(50, 1) | None = Field(None, description=f"{EXTERNAL_ID}; unique")
    contact_id: ObjectRef | None = Field(None, description="The contact (of one of your customers)")


class ContactLinkCreate(ContactLinkUpdate):
    model_config = ConfigDict(json_schema_extra={"required": ["external_id", "contact_id"]})


class ContactLink(ReadModel):
    external_id: str
    contact_id: int
