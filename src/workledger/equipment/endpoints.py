"""``/v1/equipment`` and its ``return`` action (DESIGN §7.4)."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.equipment import schemas
from workledger.equipment.service import EquipmentService
from workledger.kit.i18n import N_
from workledger.kit.resource import Action, Names, Reference, Resource
from workledger.links.external import CUSTOMER_LINK
from workledger.models import Customer, Equipment, Item

EQUIPMENT = Resource(
    # "equipment" is uncountable: the collection is /v1/equipment.
    names=Names("equipment", "equipment", N_("No equipment with id {id}.")),
    model=Equipment,
    read=schemas.Equipment,
    create=schemas.EquipmentCreate,
    update=schemas.EquipmentUpdate,
    service=EquipmentService,
    reader=Reader,
    writer=Writer,
    references=(Reference("item_id", Item),
                Reference("customer_id", Customer, external=CUSTOMER_LINK)),
    filters=("id", "item_id", "kind", "serial_number", "quantity", "status", "warehouse_id",
             "customer_id", "main_equipment_id", "order_line_id", "installed_at",
             "warranty_until", "import_id", "created_at", "updated_at"),
    # Not on warehouse_id, order_line_id and main_equipment_id, empty on most records:
    # the two databases sort empty values at opposite ends.
    sorts=("id", "item_id", "kind", "serial_number", "quantity", "status", "customer_id",
           "installed_at", "warranty_until", "created_at", "updated_at"),
    actions=(
        Action("return", "give_back", "Return equipment from a customer",
               description="A `unique` unit at a customer comes back `in_stock` at the "
               "warehouse (default: the company's default warehouse) with a `return` stock "
               "movement naming its serial; `stock_goods` and `part` records come back as "
               "a `return` movement of their quantity and become `returned`. The customer "
               "is cleared. Consumables cannot be returned (code 30 `not_returnable` naming "
               "`kind`); equipment not `at_customer`: code 30 `not_at_customer`. Answers "
               "the equipment.",
               request=schemas.ReturnRequest, rules=("30",)),
    ),
)

router = EQUIPMENT.router()
