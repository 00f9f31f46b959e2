"""Purchase orders (DESIGN §7.3): what a company buys from a supplier, received once.

- ``number`` is issued from the company's ``purchase_order`` series on create
  (read-only); ``warehouse_id`` defaults to the default warehouse, ``order_date`` to
  today; the supplier is named by ``supplier_id`` or ``supplier_external_id``.
- Lines: ``item_id`` or ``item_number`` (resolved in one query for the whole list;
  unknown → 422 code 30), ``quantity`` > 0 (3019) and whole for countable kinds (code 30
  ``whole_units``), ``unit_price`` default the item's purchase price;
  ``received_quantity`` is read-only; ``serial_numbers`` only for ``unique`` items (400).
- Status: ``open`` → ``received`` (``receive``) or ``cancelled`` (``cancel``). A received
  order refuses every change, deletion and a second receipt with 3027; a cancelled one
  refuses changes (code 30 ``cancelled_order``) but may be deleted.
- While ``open`` its lines count in ``stock.incoming`` at its warehouse: every write that
  changes lines, warehouse or status recomputes ``incoming`` of the (item, warehouse)
  pairs it touched, before and after (``stock.service.refresh_incoming``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from workledger.items.service import resolve_item_numbers
from workledger.kit.body import (
    FIELDS_MISSING,
    INVALID_SERIALS,
    IS_REQUIRED,
    ITEM_REQUIRED,
    LINE_TWICE,
    NO_SERIALS,
    SERIAL_TWICE,
    apply_values,
    check_read_only,
    sent_values,
    sync_list,
)
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.repository import rows_by_id
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import (
    AmountNotPositive,
    BusinessRule,
    MandatoryFieldMissing,
    OrderAlreadyReceived,
    Violation,
)
from workledger.kit.states import StateTable
from workledger.models import (
    EquipmentStatus,
    Item,
    ItemKind,
    MovementType,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from workledger.numbering.repository import NumberSeriesRepository
from workledger.purchase_orders.repository import PurchaseOrderRepository
from workledger.stock.repository import UnitRepository
from workledger.stock.service import Movement, plain, record, refresh_incoming
from workledger.warehouses.service import default_warehouse

OPEN, RECEIVED, CANCELLED = (PurchaseOrderStatus.open.value, PurchaseOrderStatus.received.value,
                             PurchaseOrderStatus.cancelled.value)

PURCHASE_ORDER_STATES = StateTable(
    "status",
    {OPEN: {RECEIVED, CANCELLED}, RECEIVED: set(), CANCELLED: set()},
    refusals={RECEIVED: OrderAlreadyReceived},
)

LINE_FIELDS = ("position", "item_id", "quantity", "unit_price", "serial_numbers")
LINE_READ_ONLY = ("received_quantity", "created_at", "updated_at")


class PurchaseOrderService(ResourceService[PurchaseOrder]):
    repository = PurchaseOrderRepository
    # supplier_id is required too, but may come as supplier_external_id: checked in
    # assign, once the external id has been resolved.
    read_only = (*READ_ONLY_DEFAULT, "number", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (item_id, warehouse_id) pairs whose ``incoming`` this request may change.
        self.touched: set[tuple[int, int]] = set()

    # -- CRUD ---------------------------------------------------------------------------
    async def create_or_update(self, payload: BaseModel | Mapping[str, Any]) -> PurchaseOrder:
        obj = await super().create_or_update(payload)
        await self._refresh_incoming(obj)
        return obj

    async def update(self, object_id: int, payload: BaseModel | Mapping[str, Any]
                     ) -> PurchaseOrder:
        obj = await super().update(object_id, payload)
        await self._refresh_incoming(obj)
        return obj

    async def delete(self, object_id: int) -> PurchaseOrder:
        obj = await super().delete(object_id)
        await self._refresh_incoming(None)
        return obj

    async def check_deletable(self, obj: PurchaseOrder) -> None:
        # The lines go with it (CASCADE); their incoming goes with them.
        self.touched |= self._pairs(obj)

    async def guard(self, obj: PurchaseOrder, operation: Literal["update", "delete"]) -> None:
        if obj.status == RECEIVED:
            raise OrderAlreadyReceived.on("status", detail=N_(
                "A received purchase order cannot be changed or deleted.").in_language())
        if obj.status == CANCELLED and operation == "update":
            raise BusinessRule.on("status", "cancelled_order")

    async def assign(self, obj: PurchaseOrder, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        if not creating:
            self.touched |= self._pairs(obj)
        if "lines" in values:
            # Before the order's own members: a line's item comes from here.
            await resolve_item_numbers(self, values["lines"], lambda index: f"lines[{index}].")
        apply_values(obj, values, self.fields)
        if creating:
            if obj.supplier_id is None:
                raise ValidationProblem.single(
                    "supplier_id",
                    N_("supplier_id (or supplier_external_id) is required").in_language())
            [number] = await NumberSeriesRepository(self.session, self.company_id).issue(
                "purchase_order")
            obj.number = str(number)
            obj.status = OPEN
            obj.lines = []
            if obj.warehouse_id is None:
                obj.warehouse_id = (await default_warehouse(self.session, self.company_id)).id
            if obj.order_date is None:
                obj.order_date = date.today()
            for name in ("reference", "comment"):
                if getattr(obj, name) is None:
                    setattr(obj, name, "")
        if "lines" in values:
            await self._sync_lines(obj, [sent_values(line) for line in values["lines"]])
            if not creating:
                obj.updated_at = utcnow()  # the row may be unchanged; its lines are not

    async def _sync_lines(self, obj: PurchaseOrder, incoming: list[dict[str, Any]]) -> None:
        """The list-replace rule (DESIGN §4.2) for ``lines``, with each line's rules."""
        existing = list(obj.lines)
        by_id = {line.id: line for line in existing}
        next_position = max((line.position for line in existing), default=0) + 1
        # Every item in play, new and kept, in one query: the rules depend on its kind.
        kinds = await self._kinds({values["item_id"] for values in incoming
                                   if values.get("item_id")} | {row.item_id for row in existing})
        for index, values in enumerate(incoming):
            where = f"lines[{index}]."
            current = by_id.get(values.get("id"))
            if values.get("id") is None:
                check_read_only(values, LINE_READ_ONLY, None, prefix=where)
                missing = [name for name in ("item_id", "quantity") if name not in values]
                if missing:
                    raise ValidationProblem(FIELDS_MISSING.in_language(), errors={
                        f"{where}{name}": [(ITEM_REQUIRED if name == "item_id"
                                            else IS_REQUIRED).say(name=name)]
                        for name in missing})
            elif current is None:
                continue  # not a line of this order: sync_list answers 400 for it
            else:
                check_read_only(values, LINE_READ_ONLY, current, prefix=where)
            item_id = values.get("item_id", current.item_id if current else None)
            kind = kinds[item_id]
            quantity = values.get("quantity", current.quantity if current else None)
            if "quantity" in values and quantity <= 0:
                raise AmountNotPositive.on(f"{where}quantity")
            if kind != ItemKind.consumable.value and quantity != quantity.to_integral_value():
                raise BusinessRule.on(f"{where}quantity", "whole_units", kind=kind)
            serials = values.get("serial_numbers", current.serial_numbers if current else [])
            if serials and kind != ItemKind.unique.value:
                raise ValidationProblem.single(
                    f"{where}serial_numbers", NO_SERIALS.say(kind=kind))
            if current is None:
                if "unit_price" not in values:
                    values["unit_price"] = self.resolved["item_id"][item_id].purchase_price
                if "position" not in values:
                    values["position"] = next_position
                    next_position += 1

        def create(values: Mapping[str, Any]) -> PurchaseOrderLine:
            line = PurchaseOrderLine(company_id=self.company_id, received_quantity=Decimal(0),
                                     serial_numbers=[], unit_price=Decimal(0))
            apply_values(line, values, LINE_FIELDS)
            return line

        obj.lines = sync_list("lines", existing, incoming, create=create,
                              update=lambda line, values: apply_values(line, values,
                                                                       LINE_FIELDS))

    # -- actions --------------------------------------------------------------------------
    async def receive(self, obj: PurchaseOrder, payload: BaseModel | None) -> PurchaseOrder:
        """Receive every line in full, once (DESIGN §7.3). Per line with something to
        receive: a ``receipt`` movement of ``quantity − received_quantity`` naming the
        line; for ``unique`` items one new equipment record ``in_stock`` at the order's
        warehouse per serial (the body's serials for the line, else those stored on it:
        one per unit, 3013 ``lines[i].serial_numbers`` otherwise; a serial the item
        already has: code 30 ``serial_known`` naming it). ``i`` is the line's index in
        the order's ``lines``. Checks everything before writing anything; 3027 when
        already received, code 30 when cancelled."""
        PURCHASE_ORDER_STATES.require(obj, (OPEN,), doing="receive")
        lines = list(obj.lines)
        index_of = {line.id: index for index, line in enumerate(lines)}
        given: dict[int, tuple[str, ...]] = {}
        errors: dict[str, list[str]] = {}
        for position, sent in enumerate(getattr(payload, "lines", None) or ()):
            if sent.id not in index_of:
                errors[f"lines[{position}].id"] = [N_(
                    "line {line_id} is not a line of this purchase order").say(line_id=sent.id)]
            elif sent.id in given:
                errors[f"lines[{position}].id"] = [LINE_TWICE.say(line_id=sent.id)]
            elif sent.serial_numbers is not None:
                given[sent.id] = tuple(sent.serial_numbers)
        if errors:
            raise ValidationProblem(N_("Invalid lines to receive.").in_language(),
                                    errors=errors)

        kinds = await self._kinds({line.item_id for line in lines})
        missing: list[Violation] = []
        serials_of: dict[int, tuple[str, ...]] = {}
        seen: set[tuple[int, str]] = set()
        for index, line in enumerate(lines):
            member = f"lines[{index}].serial_numbers"
            serials = given.get(line.id, tuple(line.serial_numbers or ()))
            remaining = line.quantity - line.received_quantity
            if kinds[line.item_id] != ItemKind.unique.value:
                if serials:
                    errors[member] = [NO_SERIALS.say(kind=kinds[line.item_id])]
                continue
            if len(serials) != remaining:
                missing.append(Violation(member, "serial_count", expected=plain(remaining),
                                         given=str(len(serials))))
                continue
            for serial in serials:
                if (line.item_id, serial) in seen:
                    errors[member] = [SERIAL_TWICE.say(serial=serial)]
                seen.add((line.item_id, serial))
            serials_of[line.id] = serials
        if errors:
            raise ValidationProblem(INVALID_SERIALS.in_language(), errors=errors)
        if missing:
            raise MandatoryFieldMissing(*missing)
        units = UnitRepository(self.session, self.company_id)
        known = await units.known_serials(seen)
        if known:
            raise BusinessRule(*(
                Violation(f"lines[{index}].serial_numbers", "serial_known", serial=serial)
                for index, line in enumerate(lines)
                for serial in serials_of.get(line.id, ()) if (line.item_id, serial) in known))

        receiving = [(index, line) for index, line in enumerate(lines)
                     if line.quantity > line.received_quantity]
        await record(self.session, self.company_id, [
            Movement(MovementType.receipt.value, line.item_id, obj.warehouse_id,
                     line.quantity - line.received_quantity, f"lines[{index}].quantity",
                     serial_numbers=serials_of.get(line.id, ()),
                     purchase_order_line_id=line.id,
                     comment=f"Purchase order {obj.number}")
            for index, line in receiving])
        await units.add_units([
            {"item_id": line.item_id, "kind": ItemKind.unique.value, "serial_number": serial,
             "quantity": Decimal(1), "status": EquipmentStatus.in_stock.value,
             "warehouse_id": obj.warehouse_id}
            for line in lines for serial in serials_of.get(line.id, ())])
        for line in lines:
            line.received_quantity = line.quantity
            if line.id in serials_of:
                line.serial_numbers = list(serials_of[line.id])
        PURCHASE_ORDER_STATES.move(obj, RECEIVED)
        obj.received_at = utcnow()
        self.touched |= self._pairs(obj)
        await self._refresh_incoming(obj)
        return obj

    async def cancel(self, obj: PurchaseOrder, payload: BaseModel | None) -> PurchaseOrder:
        """``open`` → ``cancelled``: its lines stop counting as incoming. 3027 once
        received; code 30 when already cancelled."""
        PURCHASE_ORDER_STATES.require(obj, (OPEN,), doing="cancel")
        PURCHASE_ORDER_STATES.move(obj, CANCELLED)
        await self._refresh_incoming(obj)
        return obj

    # -- helpers --------------------------------------------------------------------------
    async def _kinds(self, item_ids: set[int]) -> dict[int, str]:
        """``{item_id: kind}``: one query."""
        return {item_id: item.kind for item_id, item in
                (await rows_by_id(self.session, self.company_id, Item, item_ids)).items()}

    @staticmethod
    def _pairs(obj: PurchaseOrder) -> set[tuple[int, int]]:
        return {(line.item_id, obj.warehouse_id) for line in obj.lines}

    async def _refresh_incoming(self, obj: PurchaseOrder | None) -> None:
        if obj is not None:
            await self.session.flush()
            self.touched |= self._pairs(obj)
        pairs, self.touched = self.touched, set()
        await refresh_incoming(self.session, self.company_id, pairs)
