from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Resource
from workledger.models import Warehouse
from workledger.warehouses import schemas
from workledger.warehouses.service import WarehouseService

WAREHOUSES = Resource(
    names=Names("warehouse", "warehouses", N_("No warehouse with id {id}.")),
    model=Warehouse,
    read=schemas.Warehouse,
    create=schemas.WarehouseCreate,
    update=schemas.WarehouseUpdate,
    service=WarehouseService,
    reader=Reader,
    writer=Writer,
    filters=("id", "code", "name", "import_id", "created_at", "updated_at"),
    sorts=("id", "code", "name", "created_at", "updated_at"),
)

router = WAREHOUSES.router()
