from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.items import schemas
from workledger.items.service import ItemService
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Reference, Resource
from workledger.links.external import SUPPLIER_LINK
from workledger.models import Item, Supplier

ITEMS = Resource(
    names=Names("item", "items", N_("No item with id {id}.")),
    model=Item,
    read=schemas.Item,
    create=schemas.ItemCreate,
    update=schemas.ItemUpdate,
    service=ItemService,
    reader=Reader,
    writer=Writer,
    filters=("id", "number", "name", "kind", "sales_price", "purchase_price", "supplier_id",
             "import_id", "created_at", "updated_at"),
    sorts=("id", "number", "name", "kind", "sales_price", "purchase_price", "created_at",
           "updated_at"),
    references=(Reference("supplier_id", Supplier, external=SUPPLIER_LINK),),
)

router = ITEMS.router()
