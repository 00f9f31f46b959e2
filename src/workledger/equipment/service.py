"""Equipment (DESIGN §7.4; seed 000 "unique and non-unique equipment", "main and sub
equipment", "borrowed equipment must be returned").

- ``item_id`` is required on create and cannot change (400); ``kind`` is the item's
  (read-only).
- ``serial_number``: required for ``unique`` items (3013 naming ``serial_number``) and
  unique per item (422 code 30 ``serial_known``); other kinds have none (3014). An empty
  string counts as none.
- ``quantity``: 1 for ``unique`` items (code 30 ``one_unit``), otherwise > 0 (3019) and
  whole unless the item is a ``consumable`` (code 30 ``whole_units``). Default 1.
- ``status``: ``at_customer`` (default), ``sold``, ``returned``, ``scrapped`` through this
  resource. ``in_stock`` belongs to the stock ledger — units arrive in stock by a
  purchase-order receipt, a stock adjustment or the ``return`` action, and leave it by a
  delivery or an adjustment — so asking for ``in_stock`` here, or changing the item,
  serial, quantity, status or customer of a unit that is in stock, is 422 code 30
  ``in_stock_by_ledger`` naming the member: stock levels never drift from the units.
  ``warehouse_id`` (where an in-stock unit is) is read-only.
- ``main_equipment_id`` (0 clears it): an equipment record of the company (code 30
  ``invalid_reference``), never the record itself nor one of its subs at any depth (code
  30 ``equipment_cycle``, checked with one recursive query up the main chain). A sub has
  one main by construction (one column).
- Delete: refused with 422 code 3 while the unit is in stock (a stock adjustment takes
  it out) or while sub equipment, stock movements or work orders name the record.
- ``return``: a unit at a customer comes back (see :meth:`EquipmentService.give_back`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value

from workledger.equipment.repository import EquipmentRepository
from workledger.equipment.schemas import ReturnRequest
from workledger.kit.body import apply_values
from workledger.kit.i18n import N_
from workledger.kit.problems import CannotDelete, ValidationProblem
from workledger.kit.repository import rows_by_id
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import (
    AmountNotPositive,
    BusinessRule,
    FieldMustBeEmpty,
    InvalidReference,
    MandatoryFieldMissing,
)
from workledger.models import (
    Equipment,
    EquipmentStatus,
    ItemKind,
    MovementType,
    Warehouse,
)
from workledger.stock.service import Movement, record
from workledger.warehouses.service import default_warehouse

IN_STOCK = EquipmentStatus.in_stock.value
AT_CUSTOMER = EquipmentStatus.at_customer.value
UNIQUE, CONSUMABLE = ItemKind.unique.value, ItemKind.consumable.value
#: What the stock ledger owns on an in-stock unit.
#: What may still name an equipment record (EquipmentRepository.references), in words.
REFERRERS = {"sub equipment": N_("sub equipment"), "stock movements": N_("stock movements"),
             "work orders": N_("work orders")}
LEDGER_MEMBERS = ("status", "serial_number", "quantity", "customer_id")


class EquipmentService(ResourceService[Equipment]):
    repository = EquipmentRepository
    required = ("item_id",)
    read_only = (*READ_ONLY_DEFAULT, "kind", "warehouse_id", "sub_equipment_ids",
                 "order_line_id")
    fields = ("serial_number", "quantity", "status", "customer_id", "properties",
              "installed_at", "warranty_until", "import_id")

    async def create_or_update(self, payload: Any) -> Equipment:
        obj = await super().create_or_update(payload)
        if "sub_equipment" not in obj.__dict__:
            set_committed_value(obj, "sub_equipment", [])  # new: nothing hangs under it
        return obj

    async def assign(self, obj: Equipment, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        values = dict(values)
        if creating:
            item = self.resolved["item_id"][values["item_id"]]
            obj.item_id, obj.kind = item.id, item.kind
            obj.status, obj.quantity, obj.properties = AT_CUSTOMER, Decimal(1), {}
        elif "item_id" in values and values["item_id"] != obj.item_id:
            raise ValidationProblem.single("item_id", N_(
                "item_id cannot change: make a new equipment record for another item"
            ).in_language())
        if values.get("status") == IN_STOCK and (creating or obj.status != IN_STOCK):
            raise BusinessRule.on("status", "in_stock_by_ledger")
        if not creating and obj.status == IN_STOCK:
            for name in LEDGER_MEMBERS:
                if name in values and values[name] != getattr(obj, name):
                    raise BusinessRule.on(name, "in_stock_by_ledger")
        if values.get("serial_number") == "":
            values["serial_number"] = None
        apply_values(obj, values, self.fields)
        self._check_unit(obj)
        if obj.kind == UNIQUE and ("serial_number" in values or creating):
            # Check-then-write: a concurrent writer of the same serial waits for this one.
            await self.repo.serialize("serial", obj.item_id, obj.serial_number)
            if await self.repo.serial_taken(obj.item_id, obj.serial_number, other_than=obj.id):
                raise BusinessRule.on("serial_number", "serial_known", serial=obj.serial_number)
        if "main_equipment_id" in values:
            await self._set_main(obj, values["main_equipment_id"] or None)

    @staticmethod
    def _check_unit(obj: Equipment) -> None:
        if obj.kind == UNIQUE:
            if not obj.serial_number:
                raise MandatoryFieldMissing.on("serial_number", detail=N_(
                    "A unit of a unique item has a serial number.").in_language())
            if obj.quantity != 1:
                raise BusinessRule.on("quantity", "one_unit", kind=obj.kind)
            return
        if obj.serial_number:
            raise FieldMustBeEmpty.on("serial_number", detail=N_(
                "Items of kind '{kind}' have no serial numbers.").say(kind=obj.kind))
        if obj.quantity <= 0:
            raise AmountNotPositive.on("quantity")
        if obj.kind != CONSUMABLE and obj.quantity != obj.quantity.to_integral_value():
            raise BusinessRule.on("quantity", "whole_units", kind=obj.kind)

    async def _set_main(self, obj: Equipment, main_id: int | None) -> None:
        if main_id is not None:
            if main_id == obj.id:
                raise BusinessRule.on("main_equipment_id", "equipment_cycle")
            chain = await self.repo.main_chain(main_id)
            if not chain:
                raise InvalidReference.on("main_equipment_id")
            if obj.id is not None and obj.id in chain:
                raise BusinessRule.on("main_equipment_id", "equipment_cycle")
        obj.main_equipment_id = main_id

    async def check_deletable(self, obj: Equipment) -> None:
        if obj.status == IN_STOCK:
            # Its warehouse counts it in on_hand: the ledger takes it out, not a delete.
            raise CannotDelete(reason=N_(
                "The equipment {id} is in stock: take it out with a stock adjustment (it "
                "becomes scrapped) or deliver it.").say(id=obj.id))
        found = await self.repo.references(obj.id)
        if found:
            raise CannotDelete(reason=N_("The equipment {id} is still named by: {what}.").say(
                id=obj.id, what=", ".join(REFERRERS[name].in_language() for name in found)))

    # -- the return action --------------------------------------------------------------
    async def give_back(self, obj: Equipment, payload: ReturnRequest | None) -> Equipment:
        """``POST /v1/equipment/{id}/return``: equipment at a customer comes back to a
        warehouse (``warehouse_id``, default the company's default warehouse; one the
        company does not have: code 30 ``invalid_reference``).

        A ``unique`` unit becomes ``in_stock`` there with a ``return`` movement of +1
        naming its serial; ``stock_goods`` and ``parts`` come back as a ``return``
        movement of the record's quantity and the record becomes ``returned`` (their
        stock is counted, not kept by unit). The customer is cleared either way.
        Consumables are used up: code 30 ``not_returnable`` naming ``kind``; equipment
        that is not ``at_customer``: code 30 ``not_at_customer`` naming ``status``."""
        if obj.kind == CONSUMABLE:
            raise BusinessRule.on("kind", "not_returnable", kind=obj.kind)
        if obj.status != AT_CUSTOMER:
            raise BusinessRule.on("status", "not_at_customer")
        warehouse_id = payload.warehouse_id if payload is not None else None
        if warehouse_id is None:
            warehouse_id = (await default_warehouse(self.session, self.company_id)).id
        elif not await rows_by_id(self.session, self.company_id, Warehouse, {warehouse_id}):
            raise InvalidReference.on("warehouse_id")
        unique = obj.kind == UNIQUE
        await record(self.session, self.company_id, [Movement(
            MovementType.return_.value, obj.item_id, warehouse_id,
            Decimal(1) if unique else obj.quantity, "quantity",
            serial_numbers=(obj.serial_number,) if unique else (), equipment_id=obj.id,
            comment=f"Equipment {obj.id} returned")])
        obj.customer_id = None
        if unique:
            obj.status, obj.warehouse_id = IN_STOCK, warehouse_id
        else:
            obj.status = EquipmentStatus.returned.value
        return obj
