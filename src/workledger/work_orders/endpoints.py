"""``/v1/work-orders`` (DESIGN §7.4, seed 003): work orders with their work periods,
materials and checklist; the status table in :mod:`workledger.work_orders.service`."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import ListField, Names, Reference, Resource
from workledger.links.external import CUSTOMER_LINK
from workledger.models import Customer, Employee, Item, WorkOrder
from workledger.work_orders import schemas
from workledger.work_orders.service import WorkOrderService

WORK_ORDERS = Resource(
    names=Names("work order", "work orders", N_("No work order with id {id}.")),
    model=WorkOrder,
    read=schemas.WorkOrder,
    create=schemas.WorkOrderCreate,
    update=schemas.WorkOrderUpdate,
    service=WorkOrderService,
    reader=Reader,
    writer=Writer,
    references=(Reference("customer_id", Customer, external=CUSTOMER_LINK),),
    list_fields=(ListField("work_periods", references=(Reference("employee_id", Employee),)),
                 ListField("materials", references=(Reference("item_id", Item),))),
    filters=("id", "number", "kind", "type_of_work", "customer_id", "order_id",
             "planned_date", "deadline", "duration_minutes", "status", "completed_at",
             "handled_at", "import_id", "created_at", "updated_at"),
    # Not on order_id and handled_at, empty on most work orders: the two databases sort
    # empty values at opposite ends.
    sorts=("id", "number", "kind", "type_of_work", "customer_id", "planned_date", "deadline",
           "duration_minutes", "status", "completed_at", "created_at", "updated_at"),
)

router = WORK_ORDERS.router()
