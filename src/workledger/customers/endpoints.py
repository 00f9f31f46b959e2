from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.customers import schemas
from workledger.customers.service import CustomerService
from workledger.kit.i18n import N_
from workledger.kit.resource import ListField, Names, Resource
from workledger.models import Customer

CUSTOMERS = Resource(
    names=Names("customer", "customers", N_("No customer with id {id}.")),
    model=Customer,
    read=schemas.Customer,
    create=schemas.CustomerCreate,
    update=schemas.CustomerUpdate,
    service=CustomerService,
    reader=Reader,
    writer=Writer,
    filters=("id", "type", "status", "company_name", "first_name", "last_name", "email",
             "phone_number", "import_id", "created_at", "updated_at"),
    sorts=("id", "type", "status", "company_name", "first_name", "last_name", "email",
           "created_at", "updated_at"),
    list_fields=(ListField("contacts"),),
)

router = CUSTOMERS.router()
