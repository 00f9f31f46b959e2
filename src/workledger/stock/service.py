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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.rules import InventoryTooLow, NotEnoughInventory, Violation
from workledger.models import MovementType, StockMovement
from workledger.stock.repository import Pair, StockLevelRepository, StockMovementRepository

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
