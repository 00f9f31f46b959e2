"""The stock ledger and allocations (DESIGN §7.2): the only code that writes
``stock_levels`` and ``stock_movements``.

Everything that changes stock — order allocation, picking and delivery, purchase-order
receipts, equipment returns, work-order consumption and a caller's adjustments — goes
through the four functions here, inside the caller's transaction:

- :func:`allocate` / :func:`release` reserve and unreserve stock for needs;
- :func:`record` writes movements and moves ``on_hand`` (and ``allocated``) with them;
- :func:`refresh_incoming` recomputes what open purchase orders bring in.

Each checks everything before it writes anything and raises a business rule
(``NotEnoughInventory`` 3008, ``InventoryTooLow`` 3023) whose violations name the
request member given with each need or movement, so a failing call leaves the database
as it was. Each costs a constant number of statements however many needs or movements
it gets (lock the levels in one query, insert the movements in one executemany, update
the levels in one executemany). Levels are locked ``FOR UPDATE`` in (item_id,
warehouse_id) order, so two concurrent calls touching the same levels run one after the
other and never deadlock.

Unique items (serialised equipment) are stocked by unit: their ``on_hand`` is the number
of their equipment records ``in_stock`` at the warehouse. The callers keep both in step
in the same transaction — a receipt of 3 units creates 3 equipment records ``in_stock``
and records a movement of +3 with their 3 serials; a delivery or an adjustment of −1
takes one unit out. ``record`` does not check serials (the caller names the member that
is wrong: 3013 for a missing or wrong count, 3008 for a serial not in stock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.body import (
    FIELDS_MISSING,
    IS_REQUIRED,
    NO_SERIALS,
    SERIAL_TWICE,
    check_read_only,
    sent_values,
)
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.resource import ResourceService, resolve_references
from workledger.kit.rules import (
    AmountNotPositive,
    BusinessRule,
    InventoryTooLow,
    MandatoryFieldMissing,
    NotEnoughInventory,
    Violation,
)
from workledger.models import (
    EquipmentStatus,
    ItemKind,
    MovementType,
    StockLevel,
    StockMovement,
)
from workledger.stock.repository import (
    Pair,
    StockLevelRepository,
    StockMovementRepository,
    UnitRepository,
)
from workledger.warehouses.service import default_warehouse

ZERO = Decimal(0)

#: Movement types that take stock out and so need it to be available.
OUTGOING = frozenset({MovementType.delivery.value, MovementType.consumption.value})


@dataclass(frozen=True)
class Need:
    """A claim on stock of one item at one warehouse.

    ``quantity`` > 0 (in the item's unit); ``member`` is the request member a shortage
    names (``"lines[2].quantity"``)."""

    item_id: int
    warehouse_id: int
    quantity: Decimal
    member: str


@dataclass(frozen=True)
class Movement:
    """One ledger entry to record.

    ``type``: a :class:`MovementType` value. ``quantity``: signed, + in and − out
    (receipts and returns +, deliveries and consumption −, adjustments either).
    ``member``: the request member a 3008 or 3023 violation names. ``releases``: the
    allocated quantity this outgoing movement consumes (a delivery of goods allocated
    to its order line): it is taken off ``allocated`` and counts as available to it.
    """

    type: str
    item_id: int
    warehouse_id: int
    quantity: Decimal
    member: str
    serial_numbers: tuple[str, ...] = ()
    order_line_id: int | None = None
    purchase_order_line_id: int | None = None
    work_order_id: int | None = None
    equipment_id: int | None = None
    comment: str = ""
    releases: Decimal = Decimal(0)


def plain(quantity: Decimal) -> str:
    """``Decimal("5.0000")`` → ``"5"``, ``Decimal("2.5000")`` → ``"2.5"``: a quantity as a
    person writes it, for messages."""
    text = format(quantity.normalize(), "f")
    return text


def _raise_first_rule(violations: list[tuple[type, Violation]]) -> None:
    """Raise the rule of the first violation, with every violation of that rule."""
    if not violations:
        return
    rule = violations[0][0]
    raise rule(*(violation for kind, violation in violations if kind is rule))


async def allocate(session: AsyncSession, company_id: int, needs: Sequence[Need]) -> None:
    """Reserve stock: per (item, warehouse) ``allocated += q`` and ``available −= q``.

    Needs of the same item and warehouse add up. If the available quantity does not cover
    them: 422 **3008** ``NotEnoughInventory`` with one violation per need that does not
    fit (its ``member``, message ``quantity_available``), nothing reserved. Two
    statements: lock the levels, update them."""
    if not needs:
        return
    levels_repo = StockLevelRepository(session, company_id)
    levels = await levels_repo.lock({(n.item_id, n.warehouse_id) for n in needs})
    taken: dict[Pair, Decimal] = defaultdict(lambda: ZERO)
    violations: list[tuple[type, Violation]] = []
    for need in needs:
        pair = (need.item_id, need.warehouse_id)
        level = levels.get(pair)
        available = (level["available"] if level else ZERO) - taken[pair]
        if need.quantity > available:
            violations.append((NotEnoughInventory, Violation(
                need.member, "quantity_available", requested=plain(need.quantity),
                available=plain(max(available, ZERO)))))
        taken[pair] += need.quantity
    _raise_first_rule(violations)
    changed = []
    for pair, quantity in taken.items():
        level = levels[pair]
        level["allocated"] += quantity
        level["available"] = level["on_hand"] - level["allocated"]
        changed.append(level)
    await levels_repo.write(changed, "allocated", "available")


async def release(session: AsyncSession, company_id: int, needs: Sequence[Need]) -> None:
    """Unreserve stock: ``allocated −= q`` (never below 0), ``available`` follows. Needs
    without a level row release nothing. Two statements."""
    if not needs:
        return
    levels_repo = StockLevelRepository(session, company_id)
    levels = await levels_repo.lock({(n.item_id, n.warehouse_id) for n in needs})
    changed = {}
    for need in needs:
        level = levels.get((need.item_id, need.warehouse_id))
        if level is None:
            continue
        level["allocated"] = max(level["allocated"] - need.quantity, ZERO)
        level["available"] = level["on_hand"] - level["allocated"]
        changed[level["id"]] = level
    await levels_repo.write(changed.values(), "allocated", "available")


async def record(session: AsyncSession, company_id: int,
                 movements: Sequence[Movement]) -> list[StockMovement]:
    """Write ``movements`` to the ledger and move the levels with them; returns the
    stored movements by id, which is the order given (one multi-row insert).

    Checks first, in the order given, movements of one item and warehouse adding up:
    an outgoing ``delivery`` or ``consumption`` needs ``−quantity ≤ available +
    releases`` (else 422 **3008** naming its ``member``); an ``adjustment`` may take
    ``on_hand`` neither below zero nor below ``allocated`` (else 422 **3023**
    ``InventoryTooLow`` naming its ``member``). A failing call writes nothing. Four
    statements: make missing level rows, lock the levels, insert the movements
    (executemany), update the levels (executemany)."""
    if not movements:
        return []
    levels_repo = StockLevelRepository(session, company_id)
    pairs = {(m.item_id, m.warehouse_id) for m in movements}
    await levels_repo.ensure(pairs)
    levels = await levels_repo.lock(pairs)
    violations: list[tuple[type, Violation]] = []
    for movement in movements:
        level = levels[(movement.item_id, movement.warehouse_id)]
        on_hand = level["on_hand"] + movement.quantity
        allocated = max(level["allocated"] - movement.releases, ZERO)
        if movement.type in OUTGOING and movement.quantity < 0:
            available = level["available"] + min(movement.releases, level["allocated"])
            if -movement.quantity > available:
                violations.append((NotEnoughInventory, Violation(
                    movement.member, "quantity_available",
                    requested=plain(-movement.quantity), available=plain(max(available, ZERO)))))
        elif (movement.type == MovementType.adjustment.value and movement.quantity < 0
              and (on_hand < 0 or on_hand < allocated)):
            violations.append((InventoryTooLow, Violation(movement.member)))
        level["on_hand"] = on_hand
        level["allocated"] = allocated
        level["available"] = on_hand - allocated
    _raise_first_rule(violations)
    stored = await StockMovementRepository(session, company_id).insert_many([
        {"type": m.type, "item_id": m.item_id, "warehouse_id": m.warehouse_id,
         "quantity": m.quantity, "serial_numbers": list(m.serial_numbers),
         "order_line_id": m.order_line_id, "purchase_order_line_id": m.purchase_order_line_id,
         "work_order_id": m.work_order_id, "equipment_id": m.equipment_id,
         "comment": m.comment}
        for m in movements
    ])
    await levels_repo.write(levels.values(), "on_hand", "allocated", "available")
    return stored


async def refresh_incoming(session: AsyncSession, company_id: int,
                           pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute ``incoming`` of the (item_id, warehouse_id) ``pairs`` from the open
    purchase-order lines (``quantity − received_quantity``, summed), after a purchase
    order's lines or status changed. The levels are locked before the sum is read, so
    two purchase orders written at once both count. Four statements."""
    wanted = set(pairs)
    if not wanted:
        return
    levels_repo = StockLevelRepository(session, company_id)
    await levels_repo.ensure(wanted)
    levels = await levels_repo.lock(wanted)
    incoming = await levels_repo.open_incoming(wanted)
    changed = []
    for pair, level in levels.items():
        value = incoming.get(pair, ZERO)
        if level["incoming"] != value:
            level["incoming"] = value
            changed.append(level)
    await levels_repo.write(changed, "incoming")


# -- the /v1/stock and /v1/stock-movements resources -------------------------------------


class StockService(ResourceService[StockLevel]):
    """``/v1/stock``: read-only; the levels change only through the functions above."""

    repository = StockLevelRepository


class StockMovementService(ResourceService[StockMovement]):
    """``/v1/stock-movements``: an append-only ledger. A caller creates adjustments only
    (422 code 30 naming ``type`` for the rest: the actions write them); nothing is ever
    updated or deleted (405).

    An adjustment: ``quantity`` ≠ 0 (3019), whole for countable kinds (code 30
    ``whole_units``); for a ``unique`` item one serial per unit (3013 ``serial_count``):
    + creates the units ``in_stock`` at the warehouse (a serial the item already has:
    code 30 ``serial_known``), − scraps in-stock units with those serials (one not in
    stock there: 3008 ``serial_not_in_stock``); serials of other kinds are a 400. Then
    :func:`record` (3023 when on_hand would drop below 0 or below allocated)."""

    repository = StockMovementRepository
    required = ("item_id", "quantity")

    async def create_or_update(self, payload: BaseModel | Mapping[str, Any]) -> StockMovement:
        values = sent_values(payload)
        check_read_only(values, self.read_only, None)
        missing = [name for name in self.required if name not in values]
        if missing:
            raise ValidationProblem(FIELDS_MISSING.in_language(), errors={
                name: [IS_REQUIRED.say(name=name)] for name in missing})
        self.resolved = await resolve_references(self.session, self.company_id,
                                                 self.resource, values)
        kind = self.resolved["item_id"][values["item_id"]].kind
        warehouse_id = values.get("warehouse_id")
        if warehouse_id is None:
            warehouse_id = (await default_warehouse(self.session, self.company_id)).id
        movement_type = values.get("type") or MovementType.adjustment.value
        if movement_type != MovementType.adjustment.value:
            raise BusinessRule.on("type", "adjustments_only", type=movement_type)
        quantity: Decimal = values["quantity"]
        if quantity == 0:
            raise AmountNotPositive.on("quantity", detail=N_(
                "An adjustment changes stock: its quantity is not 0.").in_language())
        if kind != ItemKind.consumable.value and quantity != quantity.to_integral_value():
            raise BusinessRule.on("quantity", "whole_units", kind=kind)
        serials = tuple(values.get("serial_numbers") or ())
        units = UnitRepository(self.session, self.company_id)
        if kind != ItemKind.unique.value:
            if serials:
                raise ValidationProblem.single(
                    "serial_numbers", NO_SERIALS.say(kind=kind))
        else:
            check_serials(serials, abs(quantity), "serial_numbers")
            item_id = values["item_id"]
            if quantity > 0:
                known = await units.known_serials({(item_id, s) for s in serials})
                if known:
                    raise BusinessRule(*(Violation("serial_numbers", "serial_known", serial=s)
                                         for s in serials if (item_id, s) in known))
            else:
                found = await units.in_stock(item_id, warehouse_id, serials)
                if len(found) < len(serials):
                    raise NotEnoughInventory(*(
                        Violation("serial_numbers", "serial_not_in_stock", serial=s)
                        for s in serials if s not in found))
        [stored] = await record(self.session, self.company_id, [Movement(
            MovementType.adjustment.value, values["item_id"], warehouse_id, quantity,
            "quantity", serial_numbers=serials, comment=values.get("comment") or "")])
        if kind == ItemKind.unique.value:
            if quantity > 0:
                await units.add_units([
                    {"item_id": values["item_id"], "kind": kind, "serial_number": serial,
                     "quantity": Decimal(1), "status": EquipmentStatus.in_stock.value,
                     "warehouse_id": warehouse_id} for serial in serials])
            else:
                await units.set_status(found.values(), EquipmentStatus.scrapped.value)
        return stored


def check_serials(serials: Sequence[str], quantity: Decimal, member: str) -> None:
    """A unique item's movement names one serial per unit, each once: 3013
    ``serial_count`` naming ``member`` otherwise (a serial listed twice is a 400)."""
    if len(serials) != quantity:
        raise MandatoryFieldMissing.on(member, "serial_count", expected=plain(quantity),
                                       given=str(len(serials)))
    if len(set(serials)) != len(serials):
        twice = sorted({s for s in serials if serials.count(s) > 1})
        raise ValidationProblem.single(member, SERIAL_TWICE.say(serial=twice[0]))
