from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Resource
from workledger.models import Supplier
from workledger.suppliers import schemas
from workledger.suppliers.service import SupplierService

SUPPLIERS = Resource(
    names=Names("supplier", "suppliers", N_("No supplier with id {id}.")),
    model=Supplier,
    read=schemas.Supplier,
    create=schemas.SupplierCreate,
    update=schemas.SupplierUpdate,
    service=SupplierService,
    reader=Reader,
    writer=Writer,
    filters=("id", "company_name", "email", "phone_number", "import_id", "created_at",
             "updated_at"),
    sorts=("id", "company_name", "email", "created_at", "updated_at"),
)

router = SUPPLIERS.router()
