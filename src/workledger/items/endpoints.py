from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from workledger.auth.dependencies import Reader, Writer
from workledger.items import schemas
from workledger.items.service import ItemService
from workledger.kit.listing import ListSpec
from workledger.kit.resource import resource_router
from workledger.models import Item

SPEC = ListSpec(
    Item,
    filters={"id": int, "number": str, "name": str, "kind": schemas.Kind,
             "sales_price": Decimal, "purchase_price": Decimal, "supplier_id": int,
             "import_id": str, "created_at": datetime, "updated_at": datetime},
    sorts=("id", "number", "name", "kind", "sales_price", "purchase_price", "created_at",
           "updated_at"),
)

router = resource_router(
    path="/items", tag="Items", service=ItemService, read=schemas.Item,
    create=schemas.ItemCreate, update=schemas.ItemUpdate, spec=SPEC,
    reader=Reader, writer=Writer,
)
