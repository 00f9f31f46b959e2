from __future__ import annotations

from datetime import datetime

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.listing import ListSpec
from workledger.kit.resource import resource_router
from workledger.models import Supplier
from workledger.suppliers import schemas
from workledger.suppliers.service import SupplierService

SPEC = ListSpec(
    Supplier,
    filters={"id": int, "company_name": str, "email": str, "phone_number": str,
             "import_id": str, "created_at": datetime, "updated_at": datetime},
    sorts=("id", "company_name", "email", "created_at", "updated_at"),
)

router = resource_router(
    path="/suppliers", tag="Suppliers", service=SupplierService, read=schemas.Supplier,
    create=schemas.SupplierCreate, update=schemas.SupplierUpdate, spec=SPEC,
    reader=Reader, writer=Writer,
)
