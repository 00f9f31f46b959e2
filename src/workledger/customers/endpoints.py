from __future__ import annotations

from datetime import datetime

from workledger.auth.dependencies import Reader, Writer
from workledger.customers import schemas
from workledger.customers.service import CustomerService
from workledger.kit.listing import ListSpec
from workledger.kit.resource import resource_router
from workledger.models import Customer

SPEC = ListSpec(
    Customer,
    filters={"id": int, "type": int, "status": int, "company_name": str, "first_name": str,
             "last_name": str, "email": str, "phone_number": str, "import_id": str,
             "created_at": datetime, "updated_at": datetime},
    sorts=("id", "type", "status", "company_name", "first_name", "last_name", "email",
           "created_at", "updated_at"),
)

router = resource_router(
    path="/customers", tag="Customers", service=CustomerService, read=schemas.Customer,
    create=schemas.CustomerCreate, update=schemas.CustomerUpdate, spec=SPEC,
    reader=Reader, writer=Writer,
)
