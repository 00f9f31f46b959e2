"""Orders, their lines, the actions and deliveries (DESIGN §7.3; seed 000's order flow
and process, seed 002's codes 3008, 3013, 3019, 3025, 3026).

Orders
    ``number`` is issued from the company's ``order`` series on create (read-only);
    the customer is named by ``customer_id`` or ``customer_external_id`` (400 when
    neither); ``contact_id`` / ``contact_external_id`` must be a contact of that
    customer (422 code 30 ``contact_of_other_customer`` naming ``contact_id``);
    ``warehouse_id`` defaults to the company's default warehouse, ``order_date`` to
    today, ``workflow_status_id`` to the first status of the ``order`` workflow (another
    workflow's status: 422 code 30 naming it). ``status`` and the amounts are
    read-only. The amounts come from the lines: ``net_amount`` = Σ quantity × unit_price,
    ``tax_amount`` = Σ quantity × unit_price × tax_rate / 100, each sum rounded to 2
    decimals half-up (so a cent is never lost line by line), ``gross_amount`` = net + tax.

Lines (the ``lines`` list field and ``/v1/orders/{order_id}/lines``: one service)
    ``item_id`` or ``item_number`` (one query for the whole list); ``quantity`` > 0 (3019
    naming ``lines[i].quantity``) and whole for countable kinds (code 30
    ``whole_units``); ``description``, ``unit_price``, ``tax_rate`` default to the
    item's name, sales price and tax rate; ``process`` 1-4 (default 1);
    ``workflow_status_id`` of the ``order_line`` workflow (default its first status);
    ``serial_numbers`` only for ``unique`` items, at most ``quantity``, each once in the
    order (400);
    a group has exactly one ``main`` line (code 30 ``one_main_per_group`` naming
    ``lines[i].main``) and only lines with process ≥ 2 group (code 30
    ``group_needs_process`` naming ``lines[i].group``). ``allocated_quantity``,
    ``picked_quantity`` and ``delivered_quantity`` are read-only: allocated and picked
    count what is reserved / picked and not yet delivered.

Editing (every write path: the order's PUT/PATCH/DELETE, bulk delete, the list field,
the nested line routes): only an ``open`` order changes. ``allocated`` / ``picked`` →
3026; ``partially_delivered`` / ``delivered`` → 3025; ``cancelled`` → 422 code 30
``cancelled_order``. See :data:`ORDER_STATES`.

The actions each run in the request's one transaction with the order row locked, check
every rule before they write, and are set-based (see :meth:`OrderService.deliver`).
Violations name a line by its index ``i`` in the order's ``lines`` (ordered by
position, then id) — the same index the order's answer shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm.attributes import set_committed_value

from workledger.invoice_charges.repository import InvoiceChargeRepository
from workledger.items.service import resolve_item_numbers
from workledger.kit.body import (
    FIELDS_MISSING,
    INVALID_LIST,
    INVALID_SERIALS,
    IS_REQUIRED,
    ITEM_REQUIRED,
    LINE_TWICE,
    NO_SERIALS,
    SERIAL_TWICE,
    apply_values,
)
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import NotFound, ValidationProblem
from workledger.kit.repository import rows_by_id
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import (
    AmountNotPositive,
    BusinessRule,
    MandatoryFieldMissing,
    NotEnoughInventory,
    OrderDelivered,
    OrderInPreparation,
    Violation,
)
from workledger.kit.states import StateTable
from workledger.models import (
    Delivery,
    EquipmentStatus,
    Item,
    ItemKind,
    MovementType,
    Order,
    OrderLine,
    OrderStatus,
)
from workledger.numbering.repository import NumberSeriesRepository
from workledger.orders.repository import DeliveryRepository, OrderLineRepository, OrderRepository
from workledger.orders.schemas import ActionLine, LinesRequest
from workledger.stock.service import Movement, Need, allocate, plain, record, release
from workledger.warehouses.service import default_warehouse
from workledger.workflows.service import WorkflowStatuses, workflow_statuses

OPEN, ALLOCATED, PICKED = OrderStatus.open.value, OrderStatus.allocated.value, \
    OrderStatus.picked.value
PARTIAL, DELIVERED, CANCELLED = (OrderStatus.partially_delivered.value,
                                 OrderStatus.delivered.value, OrderStatus.cancelled.value)
ZERO = Decimal(0)
CENT = Decimal("0.01")

#: The wording of a pick's or a delivery's refused lines, per action (a whole sentence
#: each, so that no language has to fit an English verb into its own):
#: (nothing left on the line, less left than asked, the problem's detail).
TAKE_MESSAGES = {
    "pick": (N_("line {line_id} has nothing left to pick"),
             N_("line {line_id} has {left} left to pick"),
             N_("Invalid lines to pick.")),
    "deliver": (N_("line {line_id} has nothing left to deliver"),
                N_("line {line_id} has {left} left to deliver"),
                N_("Invalid lines to deliver.")),
}

#: The order's life (seed 000's order flow). Refusals: what a state answers to a change
#: or an action it does not allow (seed 002: 3026 while in preparation, 3025 once
#: anything was delivered; code 30 for a cancelled order).
ORDER_STATES = StateTable(
    "status",
    {
        OPEN: {ALLOCATED, PICKED, PARTIAL, DELIVERED, CANCELLED},
        ALLOCATED: {PICKED, PARTIAL, DELIVERED, CANCELLED},
        PICKED: {ALLOCATED, PARTIAL, DELIVERED, CANCELLED},
        PARTIAL: {DELIVERED},
        DELIVERED: set(),
        CANCELLED: set(),
    },
    refusals={ALLOCATED: OrderInPreparation, PICKED: OrderInPreparation,
              PARTIAL: OrderDelivered, DELIVERED: OrderDelivered},
)

LINE_FIELDS = ("position", "item_id", "description", "quantity", "unit_price", "tax_rate",
               "process", "workflow_status_id", "properties", "form_properties", "group",
               "main", "serial_numbers", "import_id")
LINE_READ_ONLY = (*READ_ONLY_DEFAULT, "allocated_quantity", "picked_quantity",
                  "delivered_quantity")


#: The amount columns hold 10 whole digits (Numeric(14, 4)).
MAX_AMOUNT = Decimal(10) ** 10


def totals(lines: Sequence[OrderLine]) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, gross) of ``lines``: net = Σ quantity × unit_price, tax = Σ net of the
    line × tax_rate / 100, each sum rounded to 2 decimals half-up, gross = net + tax.
    A gross amount of 10¹⁰ or more does not fit the amounts: 400 naming ``lines``."""
    net = sum((Decimal(line.quantity) * Decimal(line.unit_price) for line in lines), ZERO)
    tax = sum((Decimal(line.quantity) * Decimal(line.unit_price) * Decimal(line.tax_rate)
               / 100 for line in lines), ZERO)
    net, tax = net.quantize(CENT, ROUND_HALF_UP), tax.quantize(CENT, ROUND_HALF_UP)
    if net + tax >= MAX_AMOUNT:
        raise ValidationProblem.single(
            "lines", N_("the order's gross amount must stay below {limit}").say(
                limit=f"{MAX_AMOUNT:,.0f}"))
    return net, tax, net + tax


def check_groups(lines: Sequence[OrderLine], member: Any) -> None:
    """Grouped lines (DESIGN §7.3): only lines with process ≥ 2 group, and each group has
    exactly one ``main`` line. ``member(index, name)`` words the member path."""
    groups: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line.group:
            if line.process < 2:
                raise BusinessRule.on(member(index, "group"), "group_needs_process",
                                      group=line.group)
            groups.setdefault(line.group, []).append(index)
    for group, indexes in groups.items():
        mains = [index for index in indexes if lines[index].main]
        if len(mains) != 1:
            # No main: name the group's first line; several: the second main.
            culprit = mains[1] if len(mains) > 1 else indexes[0]
            raise BusinessRule.on(member(culprit, "main"), "one_main_per_group", group=group)


def check_serials_across(lines: Sequence[OrderLine], member: Any) -> None:
    """A serial names one unit of its item: two lines of an order may not name the same
    serial of the same item (400 naming the later line's ``serial_numbers``). Across
    orders the delivery decides: a unit leaves the warehouse once (3008 for the next)."""
    seen: set[tuple[int, str]] = set()
    for index, line in enumerate(lines):
        for serial in line.serial_numbers or ():
            if (line.item_id, serial) in seen:
                raise ValidationProblem.single(
                    member(index, "serial_numbers"),
                    N_("serial number '{serial}' is named by another line of this order").say(
                        serial=serial))
            seen.add((line.item_id, serial))


# -- lines ----------------------------------------------------------------------------


class OrderLineService(ResourceService[OrderLine]):
    """One line: the rules of the module docstring. Serves the nested routes and, through
    :meth:`OrderService.assign`, every item of an order's ``lines``."""

    repository = OrderLineRepository
    fields = LINE_FIELDS
    read_only = LINE_READ_ONLY

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statuses: WorkflowStatuses | None = None
        self._next_position: int | None = None

    def _order_repo(self) -> OrderRepository:
        return OrderRepository(self.session, self.company_id)

    # -- nested routes: the order's amounts and groups follow every change ----------
    async def create_or_update(self, payload: BaseModel | Mapping[str, Any]) -> OrderLine:
        obj = await super().create_or_update(payload)
        await self._after_nested_write()
        return obj

    async def update(self, object_id: int, payload: BaseModel | Mapping[str, Any]
                     ) -> OrderLine:
        obj = await super().update(object_id, payload)
        await self._after_nested_write()
        return obj

    async def delete(self, object_id: int) -> OrderLine:
        obj = await super().delete(object_id)
        await self._after_nested_write()
        return obj

    async def _after_nested_write(self) -> None:
        order = self.parent
        await self.session.flush()
        lines = await self._order_repo().lines_of(order.id)
        check_groups(lines, lambda index, name: f"lines[{index}].{name}")
        check_serials_across(lines, lambda index, name: f"lines[{index}].{name}")
        order.net_amount, order.tax_amount, order.gross_amount = totals(lines)
        order.updated_at = utcnow()  # the row may be unchanged; its lines are not
        await self.session.flush()
        set_committed_value(order, "lines", lines)

    async def _check_import_id(self, obj: OrderLine, values: Mapping[str, Any]) -> None:
        # Line import ids are unique per company, not per order: look beyond the parent.
        import_id = values.get("import_id")
        if import_id is None or import_id == obj.import_id:
            return
        taken = await self._order_repo().line_import_ids({import_id})
        if taken.get(import_id, obj.id) != obj.id:
            raise BusinessRule.on("import_id", "import_id_taken", import_id=import_id)

    # -- the rules of one line -------------------------------------------------------
    async def assign(self, obj: OrderLine, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        where = self.where
        values = dict(values)
        if not where and values.get("item_number"):
            # The nested route (an order's `lines` resolved every number at once).
            await resolve_item_numbers(self, [values], lambda index: "")
        values.pop("item_number", None)
        if creating:
            missing = [name for name in ("item_id", "quantity") if name not in values]
            if missing:
                raise ValidationProblem(FIELDS_MISSING.in_language(), errors={
                    f"{where}{name}": [ITEM_REQUIRED.say(name=name)
                                       if name == "item_id" else
                                       IS_REQUIRED.say(name=name)]
                    for name in missing})
        if "quantity" in values and values["quantity"] <= 0:
            raise AmountNotPositive.on(f"{where}quantity")
        if "workflow_status_id" in values:
            (await self._line_statuses()).check(values["workflow_status_id"],
                                                f"{where}workflow_status_id")
        if "form_properties" in values:
            values["form_properties"] = [dict(entry) for entry in values["form_properties"]]
        apply_values(obj, values, self.fields)
        item = await self._item(obj.item_id)
        if creating:
            obj.allocated_quantity = obj.picked_quantity = obj.delivered_quantity = ZERO
            if "description" not in values:
                obj.description = item.name
            if "unit_price" not in values:
                obj.unit_price = item.sales_price
            if "tax_rate" not in values:
                obj.tax_rate = item.tax_rate
            if "process" not in values:
                obj.process = 1
            if "workflow_status_id" not in values:
                obj.workflow_status_id = (await self._line_statuses()).first.id
            if "position" not in values:
                obj.position = self._position()
            for name, empty in (("properties", {}), ("form_properties", []),
                                ("serial_numbers", []), ("main", False)):
                if getattr(obj, name) is None:
                    setattr(obj, name, empty)
        quantity = Decimal(obj.quantity)
        if item.kind != ItemKind.consumable.value and quantity != quantity.to_integral_value():
            raise BusinessRule.on(f"{where}quantity", "whole_units", kind=item.kind)
        serials = list(obj.serial_numbers or ())
        if serials and item.kind != ItemKind.unique.value:
            raise ValidationProblem.single(
                f"{where}serial_numbers", NO_SERIALS.say(kind=item.kind))
        if len(serials) > quantity:
            raise ValidationProblem.single(
                f"{where}serial_numbers",
                N_("at most {quantity} serial numbers (the line's quantity)").say(
                    quantity=plain(quantity)))
        if len(set(serials)) != len(serials):
            twice = sorted({s for s in serials if serials.count(s) > 1})
            raise ValidationProblem.single(f"{where}serial_numbers",
                                           SERIAL_TWICE.say(serial=twice[0]))

    async def _item(self, item_id: int) -> Item:
        items = self.resolved.setdefault("item_id", {})
        if item_id not in items:
            items.update(await rows_by_id(self.session, self.company_id, Item, {item_id}))
        return items[item_id]

    async def _line_statuses(self) -> WorkflowStatuses:
        if self._statuses is None:
            self._statuses = await workflow_statuses(self.session, self.company_id,
                                                     "order_line")
        return self._statuses

    def _position(self) -> int:
        if self._next_position is None:
            stored = list(self.parent.lines) if self.parent is not None else []
            self._next_position = max((line.position for line in stored), default=0) + 1
        position, self._next_position = self._next_position, self._next_position + 1
        return position


# -- orders ---------------------------------------------------------------------------


@dataclass
class _Take:
    """What an action does to one line: ``index`` in the order's lines, ``quantity``,
    and for unique items the ``serials``."""

    index: int
    line: OrderLine
    quantity: Decimal
    serials: tuple[str, ...] = ()


class OrderService(ResourceService[Order]):
    repository = OrderRepository
    # customer_id is required too, but may come as customer_external_id: checked in
    # assign, once the external id has been resolved.
    read_only = (*READ_ONLY_DEFAULT, "number", "status", "net_amount", "tax_amount",
                 "gross_amount")

    async def guard(self, obj: Order, operation: Literal["update", "delete"]) -> None:
        """Only an ``open`` order changes or is deleted (its lines included)."""
        if obj.status == OPEN:
            return
        if obj.status == CANCELLED:
            raise BusinessRule.on("status", "cancelled_order")
        raise ORDER_STATES.refusals[obj.status].on(
            "status", detail=(N_("The order is {status}: it can no longer be deleted.")
                              if operation == "delete" else
                              N_("The order is {status}: it can no longer be changed.")
                              ).say(status=obj.status))

    async def assign(self, obj: Order, values: Mapping[str, Any], *, creating: bool) -> None:
        if "lines" in values:
            await self._prepare_lines(obj, values["lines"], creating=creating)
        apply_values(obj, values, self.fields)
        if creating:
            if obj.customer_id is None:
                raise ValidationProblem.single(
                    "customer_id",
                    N_("customer_id (or customer_external_id) is required").in_language())
            [number] = await NumberSeriesRepository(self.session, self.company_id).issue(
                "order")
            obj.number = str(number)
            obj.status = OPEN
            obj.lines = []
            obj.net_amount = obj.tax_amount = obj.gross_amount = ZERO
            if obj.warehouse_id is None:
                obj.warehouse_id = (await default_warehouse(self.session, self.company_id)).id
            if obj.order_date is None:
                obj.order_date = date.today()
            if "workflow_status_id" not in values:
                obj.workflow_status_id = (await workflow_statuses(
                    self.session, self.company_id, "order")).first.id
            for name in ("reference", "source", "comment"):
                if getattr(obj, name) is None:
                    setattr(obj, name, "")
        if "workflow_status_id" in values:
            (await workflow_statuses(self.session, self.company_id, "order")).check(
                values["workflow_status_id"])
        if obj.contact_id is not None and ("contact_id" in values or "customer_id" in values):
            contact = self.resolved.get("contact_id", {}).get(obj.contact_id)
            owner = contact.customer_id if contact is not None else \
                await self.repo.contact_customer(obj.contact_id)
            if owner != obj.customer_id:
                raise BusinessRule.on("contact_id", "contact_of_other_customer")
        if "lines" in values:
            await self.sync_children(obj, "lines", values["lines"], OrderLineService)
            check_groups(obj.lines, lambda index, name: f"lines[{index}].{name}")
            check_serials_across(obj.lines, lambda index, name: f"lines[{index}].{name}")
            obj.net_amount, obj.tax_amount, obj.gross_amount = totals(obj.lines)
            if not creating:
                obj.updated_at = utcnow()  # the row may be unchanged; its lines are not

    async def _prepare_lines(self, obj: Order, lines: list[dict[str, Any]], *,
                             creating: bool) -> None:
        """Before the lines are assigned: item numbers resolved, import ids checked, and
        every item in play loaded — one query each, however many lines."""
        await resolve_item_numbers(self, lines, lambda index: f"lines[{index}].")
        stored = {} if creating else {line.id: line for line in obj.lines}
        wanted: dict[str, int] = {}
        errors: dict[str, list[str]] = {}
        for index, line in enumerate(lines):
            import_id = line.get("import_id")
            if import_id is None:
                continue
            if import_id in wanted:
                errors[f"lines[{index}].import_id"] = [
                    N_("import_id '{import_id}' is listed twice").say(import_id=import_id)]
            wanted[import_id] = index
        if errors:
            raise ValidationProblem(INVALID_LIST.say(member="lines"), errors=errors)
        taken = await self.repo.line_import_ids(set(wanted))
        for import_id, line_id in taken.items():
            index = wanted[import_id]
            if lines[index].get("id") != line_id:
                raise BusinessRule.on(f"lines[{index}].import_id", "import_id_taken",
                                      import_id=import_id)
        items = self.resolved.setdefault("item_id", {})
        missing = {line.item_id for line in stored.values()} - set(items)
        items.update(await rows_by_id(self.session, self.company_id, Item, missing))

    # -- actions ----------------------------------------------------------------------
    async def allocate(self, obj: Order, payload: BaseModel | None) -> Order:
        """Reserve every line's remaining quantity (quantity − delivered − allocated) at
        the order's warehouse: 422 **3008** naming ``lines[i].quantity`` for each line the
        available stock does not cover, nothing reserved. ``open`` → ``allocated``;
        after a partial delivery the order stays ``partially_delivered``. 3026 when
        picked, 3025 when delivered, code 30 when cancelled."""
        ORDER_STATES.require(obj, (OPEN, ALLOCATED, PARTIAL), doing="allocate")
        takes = [
            _Take(index, line, line.quantity - line.delivered_quantity
                  - line.allocated_quantity)
            for index, line in enumerate(obj.lines)
        ]
        takes = [take for take in takes if take.quantity > 0]
        await allocate(self.session, self.company_id, [
            Need(take.line.item_id, obj.warehouse_id, take.quantity,
                 f"lines[{take.index}].quantity") for take in takes])
        await self._write_lines(obj, {take.line.id: {
            "allocated_quantity": take.line.allocated_quantity + take.quantity}
            for take in takes})
        if obj.status == OPEN:
            ORDER_STATES.move(obj, ALLOCATED)
        return obj

    async def pick(self, obj: Order, payload: BaseModel | None) -> Order:
        """Record what was picked: per line of the body (default: every line, all that is
        not yet picked or delivered) ``quantity`` and, for unique items, which
        ``serial_numbers`` (one per unit: 3013; each in stock at the order's warehouse:
        3008 naming ``lines[i].serial_numbers``). Picking more than is reserved reserves
        the rest (3008 naming ``lines[i].quantity`` when short). → ``picked`` when every
        line is picked in full, else ``allocated``. 3025 after a delivery, code 30 when
        cancelled."""
        ORDER_STATES.require(obj, (OPEN, ALLOCATED, PICKED), doing="pick")
        takes = await self._takes(obj, payload, lambda line: line.quantity
                                  - line.delivered_quantity - line.picked_quantity,
                                  doing="pick", skip=lambda line: int(line.picked_quantity))
        await self._check_units(obj, takes)
        await allocate(self.session, self.company_id, [
            Need(take.line.item_id, obj.warehouse_id,
                 take.line.picked_quantity + take.quantity - take.line.allocated_quantity,
                 f"lines[{take.index}].quantity")
            for take in takes
            if take.line.picked_quantity + take.quantity > take.line.allocated_quantity])
        changes = {}
        for take in takes:
            line = take.line
            picked = line.picked_quantity + take.quantity
            change = {"picked_quantity": picked,
                      "allocated_quantity": max(line.allocated_quantity, picked)}
            if take.serials:
                change["serial_numbers"] = _with_serials(line, take.serials)
            changes[line.id] = change
        await self._write_lines(obj, changes)
        every = all(line.picked_quantity + line.delivered_quantity >= line.quantity
                    for line in obj.lines)
        ORDER_STATES.move(obj, PICKED if every and obj.lines else ALLOCATED)
        return obj

    async def pick_line(self, obj: Order, line_id: int, quantity: Decimal,
                        serial_numbers: Sequence[str] | None) -> OrderLine:
        """Pick one line of ``obj`` (loaded and locked): :meth:`pick` with that line alone.
        More than the line has left to pick is a business rule here (422 code 30
        ``over_pick`` naming ``lines[i].quantity``): a picker's count that the order no
        longer needs, typically because another picker was first. Answers the line."""
        found = [(index, line) for index, line in enumerate(obj.lines) if line.id == line_id]
        if not found:  # deleted from the open order since the caller looked it up
            raise NotFound(N_("No line {line_id} in order {number}.").say(
                line_id=line_id, number=obj.number))
        [(index, line)] = found
        ORDER_STATES.require(obj, (OPEN, ALLOCATED, PICKED), doing="pick")
        left = line.quantity - line.delivered_quantity - line.picked_quantity
        if quantity > left:
            raise BusinessRule.on(f"lines[{index}].quantity", "over_pick",
                                  requested=plain(quantity), left=plain(max(left, ZERO)))
        await self.pick(obj, LinesRequest(lines=[ActionLine(
            id=line_id, quantity=quantity, serial_numbers=serial_numbers)]))
        return line

    async def deliver(self, obj: Order, payload: BaseModel | None) -> dict[str, Any]:
        """Deliver (DESIGN §7.3): per line of the body (default: every line, all that is
        not yet delivered — allocating and picking on the way) a ``delivery`` movement
        that consumes the line's reservation (3008 naming ``lines[i].quantity`` when the
        warehouse is short); unique items name their serials, one per unit (3013 naming
        ``lines[i].serial_numbers`` when missing or the count is wrong; a serial not in
        stock at the warehouse: 3008 naming it). Then by ``process``: 1 — unique units
        become ``sold`` to the customer; 2 — equipment at the customer (unique: the units
        by serial, with the line's properties; other kinds: one new record with the
        delivered quantity); 3 — as 2 plus a ``job`` work order for the line's equipment;
        4 — as 2 plus a ``file_job`` whose form is the line's ``form_properties``. The
        main line's equipment of a group becomes the main equipment of the group's other
        equipment. → ``partially_delivered`` or ``delivered``. The company's handling
        charges (``handling_order``, ``handling_line`` per delivered line; none at price
        0) become invoice charges of the order.

        All or nothing: everything is checked before anything is written, and the route's
        transaction rolls back whatever failed later. Set-based: a constant number of
        statements per table however many lines (tests/orders measures it). Answers
        the delivery ``{id, order_id, delivered_at, lines: [{order_line_id, quantity,
        serial_numbers}], equipment_ids, work_order_ids}``."""
        ORDER_STATES.require(obj, (OPEN, ALLOCATED, PICKED, PARTIAL), doing="deliver")
        takes = await self._takes(obj, payload,
                                  lambda line: line.quantity - line.delivered_quantity,
                                  doing="deliver")
        if not takes:
            raise BusinessRule.on("lines", "nothing_to_deliver")
        units = await self._check_units(obj, takes)
        await record(self.session, self.company_id, [
            Movement(MovementType.delivery.value, take.line.item_id, obj.warehouse_id,
                     -take.quantity, f"lines[{take.index}].quantity",
                     serial_numbers=take.serials, order_line_id=take.line.id,
                     comment=f"Order {obj.number}",
                     releases=min(take.line.allocated_quantity, take.quantity))
            for take in takes])

        # Equipment: unique units change hands, other kinds get one record per line.
        kinds = self.resolved["kinds"]
        sold, handed, made = [], [], []
        equipment_of: dict[int, list[int]] = {}
        for take in takes:
            line = take.line
            if kinds[line.item_id] == ItemKind.unique.value:
                ids = [units[(line.item_id, serial)] for serial in take.serials]
                equipment_of[line.id] = ids
                target = sold if line.process == 1 else handed
                target.extend({"id": unit_id, "customer_id": obj.customer_id,
                               "order_line_id": line.id,
                               "status": EquipmentStatus.sold.value if line.process == 1
                               else EquipmentStatus.at_customer.value,
                               **({} if line.process == 1
                                  else {"properties": dict(line.properties or {})})}
                              for unit_id in ids)
            elif line.process >= 2:
                made.append({"item_id": line.item_id, "kind": kinds[line.item_id],
                             "quantity": take.quantity,
                             "status": EquipmentStatus.at_customer.value,
                             "customer_id": obj.customer_id, "order_line_id": line.id,
                             "properties": dict(line.properties or {})})
        await self.repo.hand_over_units(sold)
        await self.repo.hand_over_units(handed)
        for line_id, unit_id in (await self.repo.add_equipment(made)).items():
            equipment_of[line_id] = [unit_id]
        await self._link_groups(obj, takes)

        work_order_ids = await self._work_orders(obj, takes, equipment_of)

        # The lines and the order.
        changes = {}
        for take in takes:
            line = take.line
            change = {"delivered_quantity": line.delivered_quantity + take.quantity,
                      "allocated_quantity": max(line.allocated_quantity - take.quantity, ZERO),
                      "picked_quantity": max(line.picked_quantity - take.quantity, ZERO)}
            if take.serials:
                change["serial_numbers"] = _with_serials(line, take.serials, delivered=True)
            changes[line.id] = change
        await self._write_lines(obj, changes)
        every = all(line.delivered_quantity >= line.quantity for line in obj.lines)
        ORDER_STATES.move(obj, DELIVERED if every else PARTIAL)

        equipment_ids = [unit for take in takes for unit in equipment_of.get(take.line.id, ())]
        delivery_lines = [{"order_line_id": take.line.id, "quantity": take.quantity,
                           "serial_numbers": list(take.serials)} for take in takes]
        delivery_id, delivered_at = await self.repo.add_delivery(
            obj.id, delivery_lines, equipment_ids, work_order_ids)
        # The company's handling charges, invoiced later (DESIGN §8): one statement.
        await InvoiceChargeRepository(self.session, self.company_id).add_handling_charges(
            obj.id, len(takes), date.today())
        return {"id": delivery_id, "order_id": obj.id, "delivered_at": delivered_at,
                "created_at": delivered_at, "updated_at": delivered_at,
                "lines": delivery_lines, "equipment_ids": equipment_ids,
                "work_order_ids": work_order_ids}

    async def cancel(self, obj: Order, payload: BaseModel | None) -> Order:
        """Release every reservation → ``cancelled``. After any delivery: 3025; already
        cancelled: code 30."""
        ORDER_STATES.require(obj, (OPEN, ALLOCATED, PICKED), doing="cancel")
        reserved = [(index, line) for index, line in enumerate(obj.lines)
                    if line.allocated_quantity > 0]
        await release(self.session, self.company_id, [
            Need(line.item_id, obj.warehouse_id, line.allocated_quantity,
                 f"lines[{index}].quantity") for index, line in reserved])
        await self._write_lines(obj, {line.id: {"allocated_quantity": ZERO,
                                                "picked_quantity": ZERO}
                                      for _index, line in reserved})
        ORDER_STATES.move(obj, CANCELLED)
        return obj

    # -- action helpers -------------------------------------------------------------------
    async def _takes(self, obj: Order, payload: BaseModel | None, remaining: Any, *,
                     doing: str, skip: Any = lambda line: 0) -> list[_Take]:
        """The lines an action works on, how much, and which serials (not yet checked
        against stock). Body lines: 400 for an id that is not a line of this order, a
        line listed twice, or more than the line has left; 3019 for a quantity ≤ 0.
        Without a body: every line with something left, all of it. Serials not named
        are the line's open serials, less the first ``skip(line)`` (already picked)."""
        lines = list(obj.lines)
        index_of = {line.id: index for index, line in enumerate(lines)}
        sent = getattr(payload, "lines", None)
        takes: list[_Take] = []
        errors: dict[str, list[str]] = {}
        if sent is None:
            for index, line in enumerate(lines):
                left = remaining(line)
                if left > 0:
                    takes.append(_Take(index, line, left, _default_serials(line, left, skip)))
        else:
            seen: set[int] = set()
            for position, item in enumerate(sent):
                where = f"lines[{position}]."
                if item.id not in index_of:
                    errors[f"{where}id"] = [
                        N_("line {line_id} is not a line of this order").say(line_id=item.id)]
                    continue
                if item.id in seen:
                    errors[f"{where}id"] = [
                        LINE_TWICE.say(line_id=item.id)]
                    continue
                seen.add(item.id)
                index = index_of[item.id]
                line = lines[index]
                left = remaining(line)
                if item.quantity is None and left <= 0:
                    errors[f"{where}id"] = [TAKE_MESSAGES[doing][0].say(line_id=line.id)]
                    continue
                quantity = left if item.quantity is None else item.quantity
                if quantity <= 0:
                    raise AmountNotPositive.on(f"lines[{index}].quantity")
                if quantity > left:
                    errors[f"{where}quantity"] = [TAKE_MESSAGES[doing][1].say(
                        line_id=line.id, left=plain(max(left, ZERO)))]
                    continue
                serials = tuple(item.serial_numbers) if item.serial_numbers is not None \
                    else _default_serials(line, quantity, skip)
                takes.append(_Take(index, line, quantity, serials))
        if errors:
            raise ValidationProblem(TAKE_MESSAGES[doing][2].in_language(), errors=errors)
        return takes

    async def _check_units(self, obj: Order, takes: list[_Take]) -> dict[tuple[int, str], int]:
        """Kinds and serials of ``takes``: whole units for countable kinds (code 30), no
        serials for non-unique items (400), one serial per unit for unique items, each
        once (3013 naming ``lines[i].serial_numbers``), every serial in stock at the
        order's warehouse (3008 naming it). Two queries (the items; the units, locked).
        Answers ``{(item_id, serial): equipment id}``."""
        items = await rows_by_id(self.session, self.company_id, Item,
                                {take.line.item_id for take in takes})
        kinds = self.resolved["kinds"] = {item_id: item.kind for item_id, item in items.items()}
        missing: list[Violation] = []
        errors: dict[str, list[str]] = {}
        pairs: set[tuple[int, str]] = set()
        for take in takes:
            member = f"lines[{take.index}].serial_numbers"
            kind = kinds[take.line.item_id]
            if kind != ItemKind.consumable.value \
                    and take.quantity != take.quantity.to_integral_value():
                raise BusinessRule.on(f"lines[{take.index}].quantity", "whole_units", kind=kind)
            if kind != ItemKind.unique.value:
                if take.serials:
                    errors[member] = [NO_SERIALS.say(kind=kind)]
                take.serials = ()
                continue
            if len(take.serials) != take.quantity:
                missing.append(Violation(member, "serial_count", expected=plain(take.quantity),
                                         given=str(len(take.serials))))
                continue
            if len(set(take.serials)) != len(take.serials):
                errors[member] = [N_("a serial number is listed twice").in_language()]
            pairs |= {(take.line.item_id, serial) for serial in take.serials}
        if errors:
            raise ValidationProblem(INVALID_SERIALS.in_language(), errors=errors)
        if missing:
            raise MandatoryFieldMissing(*missing)
        units = await self.repo.units_in_stock(obj.warehouse_id, pairs)
        absent = [Violation(f"lines[{take.index}].serial_numbers", "serial_not_in_stock",
                            serial=serial)
                  for take in takes for serial in take.serials
                  if (take.line.item_id, serial) not in units]
        if absent:
            raise NotEnoughInventory(*absent)
        return units

    async def _link_groups(self, obj: Order, takes: list[_Take]) -> None:
        """Every group a delivered line belongs to whose main line has delivered: the
        main line's (first) equipment becomes the main equipment of what the group's
        other lines delivered, now or before. Two statements."""
        touched = {take.line.group for take in takes if take.line.group}
        if not touched:
            return
        mains = {line.group: line.id for line in obj.lines
                 if line.group in touched and line.main}
        first = await self.repo.first_units_of(set(mains.values()))
        await self.repo.set_main_equipment([
            (line.id, first[mains[line.group]]) for line in obj.lines
            if line.group in touched and not line.main and mains.get(line.group) in first])

    async def _work_orders(self, obj: Order, takes: list[_Take],
                           equipment_of: Mapping[int, list[int]]) -> list[int]:
        """A ``job`` per delivered process-3 line and a ``file_job`` (its form: the line's
        ``form_properties``) per process-4 line, for the line's equipment: one call to
        the work-order service for all of them."""
        wanted = [take for take in takes if take.line.process >= 3]
        if not wanted:
            return []
        # Imported here: work orders build on orders (their order_id), not the reverse.
        from workledger.work_orders.service import DeliveryJob, create_for_delivery

        specs = [DeliveryJob(
            kind="job" if take.line.process == 3 else "file_job",
            customer_id=obj.customer_id, order_id=obj.id,
            equipment_ids=tuple(equipment_of.get(take.line.id, ())),
            description=f"Order {obj.number}: {take.line.description}",
            form=tuple({"form": entry["form"], "property": entry["property"],
                        "value": entry["value"]}
                       for entry in (take.line.form_properties or ()))
            if take.line.process == 4 else ())
            for take in wanted]
        made = await create_for_delivery(self.session, self.company_id, specs)
        return [work_order.id for work_order in made]

    async def _write_lines(self, obj: Order, changes: Mapping[int, Mapping[str, Any]]
                           ) -> None:
        """Store what an action changed on the order's lines (one executemany) and show
        the loaded lines the same values without a second write."""
        if not changes:
            return
        now = utcnow()
        rows = []
        for line in obj.lines:
            change = changes.get(line.id)
            if change is None:
                continue
            row = {"id": line.id, "allocated_quantity": line.allocated_quantity,
                   "picked_quantity": line.picked_quantity,
                   "delivered_quantity": line.delivered_quantity,
                   "serial_numbers": list(line.serial_numbers or ()), **change}
            rows.append(row)
            for name, value in row.items():
                if name != "id":
                    set_committed_value(line, name, value)
            set_committed_value(line, "updated_at", now)
        await self.repo.write_lines(rows)
        obj.updated_at = now


def _open_serials(line: OrderLine) -> list[str]:
    """The serials stored on a line that it has not delivered yet (delivered serials
    come first in ``serial_numbers``: see :func:`_with_serials`)."""
    return list(line.serial_numbers or ())[int(line.delivered_quantity):]


def _default_serials(line: OrderLine, quantity: Decimal, skip: Any) -> tuple[str, ...]:
    if quantity != quantity.to_integral_value():
        return ()  # not a unique item's quantity: _check_units refuses it
    start = skip(line)
    return tuple(_open_serials(line)[start:start + int(quantity)])


def _with_serials(line: OrderLine, serials: Sequence[str], *, delivered: bool = False
                  ) -> list[str]:
    """The line's ``serial_numbers`` after picking or delivering ``serials``, kept in the
    order delivered, picked, the rest: those delivered before, then (picking) those
    picked before, then ``serials``, then the other open ones; at most ``quantity``."""
    done = list(line.serial_numbers or ())[:int(line.delivered_quantity)]
    before = [] if delivered else \
        [s for s in _open_serials(line)[:int(line.picked_quantity)] if s not in serials]
    rest = [s for s in _open_serials(line) if s not in serials and s not in before]
    return (done + before + list(serials) + rest)[:int(line.quantity)]


class DeliveryService(ResourceService[Delivery]):
    """``/v1/orders/{order_id}/deliveries``: read-only; the ``deliver`` action makes them."""

    repository = DeliveryRepository
