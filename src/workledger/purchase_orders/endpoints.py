"""``/v1/purchase-orders`` with its ``lines``, and the ``receive`` and ``cancel``
actions (DESIGN §7.3)."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Action, ListField, Names, Reference, Resource
from workledger.links.external import SUPPLIER_LINK
from workledger.models import Item, PurchaseOrder, Supplier, Warehouse
from workledger.purchase_orders import schemas
from workledger.purchase_orders.service import PurchaseOrderService

PURCHASE_ORDERS = Resource(
    names=Names("purchase order", "purchase orders", N_("No purchase order with id {id}.")),
    model=PurchaseOrder,
    read=schemas.PurchaseOrder,
    create=schemas.PurchaseOrderCreate,
    update=schemas.PurchaseOrderUpdate,
    service=PurchaseOrderService,
    reader=Reader,
    writer=Writer,
    references=(Reference("supplier_id", Supplier, external=SUPPLIER_LINK),
                Reference("warehouse_id", Warehouse)),
    list_fields=(ListField("lines", references=(Reference("item_id", Item),)),),
    filters=("id", "number", "supplier_id", "warehouse_id", "order_date", "expected_date",
             "status", "import_id", "created_at", "updated_at"),
    sorts=("id", "number", "supplier_id", "warehouse_id", "order_date", "expected_date",
           "status", "created_at", "updated_at"),
    actions=(
        Action("receive", "receive", "Receive a purchase order",
               description="Receives every line in full, once: a `receipt` stock movement "
               "per line and, for `unique` items, one equipment record `in_stock` per "
               "serial (the body's serials for a line, else those stored on it). All or "
               "nothing. Answers the purchase order, now `received`.",
               request=schemas.ReceiveRequest, rules=("30", "3013", "3027")),
        Action("cancel", "cancel", "Cancel a purchase order",
               description="`open` → `cancelled`: its lines no longer count as incoming "
               "stock. Answers the purchase order.", rules=("30", "3027")),
    ),
)

router = PURCHASE_ORDERS.router()
