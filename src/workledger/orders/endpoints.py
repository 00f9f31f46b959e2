"""``/v1/orders`` with its ``lines``, ``/v1/orders/{order_id}/lines``,
``/v1/orders/{order_id}/deliveries`` and the ``allocate``, ``pick``, ``deliver`` and
``cancel`` actions (DESIGN §7.3)."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Action, ListField, Names, Parent, Reference, Resource
from workledger.links.external import CONTACT_LINK, CUSTOMER_LINK
from workledger.models import Contact, Customer, Delivery, Item, Order, OrderLine, Warehouse
from workledger.orders import schemas
from workledger.orders.service import DeliveryService, OrderLineService, OrderService

LINE_REFERENCES = (Reference("item_id", Item),)

ORDERS = Resource(
    names=Names("order", "orders", N_("No order with id {id}.")),
    model=Order,
    read=schemas.Order,
    create=schemas.OrderCreate,
    update=schemas.OrderUpdate,
    service=OrderService,
    reader=Reader,
    writer=Writer,
    references=(Reference("customer_id", Customer, external=CUSTOMER_LINK),
                Reference("contact_id", Contact, external=CONTACT_LINK),
                Reference("warehouse_id", Warehouse)),
    list_fields=(ListField("lines", references=LINE_REFERENCES),),
    filters=("id", "number", "customer_id", "contact_id", "warehouse_id", "order_date",
             "delivery_date", "workflow_status_id", "status", "net_amount", "tax_amount",
             "gross_amount", "import_id", "created_at", "updated_at"),
    sorts=("id", "number", "customer_id", "contact_id", "warehouse_id", "order_date",
           "delivery_date", "workflow_status_id", "status", "net_amount", "tax_amount",
           "gross_amount", "created_at", "updated_at"),
    actions=(
        Action("allocate", "allocate", "Allocate an order",
               description="Reserves every line's remaining quantity (quantity − delivered "
               "− allocated) at the order's warehouse. All or nothing. Answers the order, "
               "now `allocated`.", rules=("30", "3008", "3025", "3026")),
        Action("pick", "pick", "Pick an order",
               description="Records what was picked (unique items: which serials), "
               "reserving what was not yet. Body optional: omitted picks everything left. "
               "Answers the order: `picked` once every line is picked in full.",
               request=schemas.LinesRequest,
               rules=("30", "3008", "3013", "3019", "3025", "3026")),
        Action("deliver", "deliver", "Deliver an order",
               description="Delivers the body's lines (omitted: everything remaining, "
               "allocating and picking on the way): delivery stock movements, then by each "
               "line's process equipment at the customer and work orders. All or nothing. "
               "Answers the **delivery**; the order becomes `partially_delivered` or "
               "`delivered`.", request=schemas.LinesRequest, response=schemas.Delivery,
               rules=("30", "3008", "3013", "3019", "3025")),
        Action("cancel", "cancel", "Cancel an order",
               description="Releases every reservation. Answers the order, now "
               "`cancelled`.", rules=("30", "3025")),
    ),
)

ORDER_LINES = Resource(
    names=Names("line", "lines", N_("No line with id {id}.")),
    model=OrderLine,
    read=schemas.OrderLine,
    create=schemas.OrderLineWrite,
    update=schemas.OrderLineWrite,
    service=OrderLineService,
    reader=Reader,
    writer=Writer,
    parent=Parent(ORDERS, "order_id"),
    # DESIGN §7.3: list, create, get, PUT/PATCH, delete (an order's lines are replaced
    # all at once through its `lines`).
    operations=("list", "get", "create", "update", "delete"),
    references=LINE_REFERENCES,
    filters=("id", "item_id", "quantity", "unit_price", "process", "workflow_status_id",
             "delivered_quantity", "import_id", "created_at", "updated_at"),
    sorts=("id", "item_id", "quantity", "unit_price", "process", "workflow_status_id",
           "delivered_quantity", "created_at", "updated_at"),
)

DELIVERIES = Resource(
    names=Names("delivery", "deliveries", N_("No delivery with id {id}.")),
    model=Delivery,
    read=schemas.Delivery,
    service=DeliveryService,
    reader=Reader,
    parent=Parent(ORDERS, "order_id"),
    filters=("id", "delivered_at", "created_at", "updated_at"),
    sorts=("id", "delivered_at", "created_at", "updated_at"),
)

router = ORDERS.router()
lines_router = ORDER_LINES.router()
deliveries_router = DELIVERIES.router()
