from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from workledger.kit.body import InputModel
from workledger.kit.schemas import ReadModel, WriteModel
from workledger.kit.types import Email, ImportId, int_choice, text

CustomerTypeValue = int_choice(1, 2)
CustomerStatusValue = int_choice(1, 2)


class ContactWrite(InputModel):
    id: StrictInt | None = Field(
        None, description="Send the id of a stored contact to update it; omit it to create one"
    )
    first_name: text(100) | None = None
    last_name: text(100) | None = None
    email: Email | None = None
    phone_number: text(50) | None = None


class Contact(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    email: str
    phone_number: str


class CustomerUpdate(WriteModel):
    type: CustomerTypeValue | None = Field(None, description="1 company (default), 2 person")
    status: CustomerStatusValue | None = Field(None, description="1 customer (default), 2 lead")
    company_name: text(200) | None = Field(None, description="Required for a company (type 1)")
    first_name: text(100) | None = None
    last_name: text(100) | None = Field(None, description="A person (type 2) needs a name")
    email: Email | None = None
    phone_number: text(50) | None = None
    comment: text(10_000) | None = None
    import_id: ImportId | None = None
    contacts: list[ContactWrite] | None = Field(
        None,
        max_length=500,
        description="The whole contact list: contacts with a stored id are updated, those "
        "without an id are created, stored contacts left out are deleted, [] deletes all.",
    )


class CustomerCreate(CustomerUpdate):
    pass


class Customer(ReadModel):
    type: CustomerTypeValue
    status: CustomerStatusValue
    company_name: str
    first_name: str
    last_name: str
    email: str
    phone_number: str
    comment: str
    import_id: str | None
    contacts: list[Contact]
