"""Automation picking (DESIGN §8 "Automation"; seed 001: one automation user reaches
every goods owner).

The pick list
    Allocated, unpicked order lines of every company with API access: lines of
    ``allocated`` or ``picked`` orders whose ``allocated_quantity`` exceeds their
    ``picked_quantity``, each with what is still to pick (allocated − picked) and, for
    unique items, the serials the line names that are neither picked nor delivered.
    Companies without API access are invisible, as they are to every integration
    credential.

A pick
    ``{company_id, order_line_id, quantity, serial_numbers}`` is one line's share of the
    order's ``pick`` action (:meth:`OrderService.pick_line`), in the request's
    transaction with the order locked: the same rules, stock reservations and state
    moves as ``POST /v1/orders/{id}/pick``. A company that does not exist or has no API
    access, or a line that is not that company's: 404. More than the line has left to
    pick: 422 code 30 ``over_pick``. The rules' members are the body's own
    (``quantity``, ``serial_numbers``), not the order's ``lines[i]...``.

Replays: ``Idempotency-Key`` (kit.idempotency) holds for this ``POST`` like for every
other, per credential — an automation user's keys span the companies it picks for.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workledger.automation.repository import PICK_LIST_COLUMNS, AutomationRepository
from workledger.automation.schemas import PickRequest
from workledger.kit.i18n import N_
from workledger.kit.listing import ListQuery, ListSpec, Page
from workledger.kit.problems import NotFound, ValidationProblem
from workledger.kit.rules import BusinessRule, Violation
from workledger.orders.service import OrderService

PICK_LIST = ListSpec(
    PICK_LIST_COLUMNS,
    {"id": int, "company_id": int, "order_id": int, "warehouse_id": int, "item_id": int},
    ("id", "company_id", "order_id", "warehouse_id", "item_id"),
)
#: ``lines[3].quantity`` → ``quantity``: the order action's members, as this body names them.
ORDER_LINE_MEMBER = re.compile(r"^lines\[\d+\]\.")


async def pick_list(session: AsyncSession, query: ListQuery) -> tuple[Page, list[dict]]:
    """One page of the pick list (two queries: the lines with their orders, their items)."""
    repo = AutomationRepository(session)
    page = await repo.page(query)
    numbers = await repo.item_numbers({line.item_id for line in page.items})
    rows = []
    for line in page.items:
        to_pick = line.allocated_quantity - line.picked_quantity
        start = int(line.delivered_quantity + line.picked_quantity)
        serials = list(line.serial_numbers or ())[start:start + int(to_pick)]
        rows.append({"company_id": line.company_id, "order_id": line.order_id,
                     "order_number": line.order.number, "order_line_id": line.id,
                     "warehouse_id": line.order.warehouse_id, "item_id": line.item_id,
                     "item_number": numbers[line.item_id], "quantity": to_pick,
                     "serial_numbers": serials})
    return page, rows


async def pick(session: AsyncSession, body: PickRequest) -> dict[str, Any]:
    """Record a pick of one line; answers ``{company_id, order_id, order_number,
    order_status, order_line_id, quantity, serial_numbers, line}``."""
    repo = AutomationRepository(session)
    missing = NotFound(N_("Company {company_id} has no order line {line_id}.").say(
        company_id=body.company_id, line_id=body.order_line_id))
    if not await repo.open_company(body.company_id):
        raise missing
    order_id = await repo.line_order(body.company_id, body.order_line_id)
    if order_id is None:
        raise missing
    orders = OrderService(session, body.company_id)
    order = await orders.locked(order_id)
    try:
        line = await orders.pick_line(order, body.order_line_id, body.quantity,
                                      body.serial_numbers)
    except (BusinessRule, ValidationProblem) as problem:
        raise _in_own_members(problem) from None
    await session.flush()
    # A line keeps its serials delivered first, then picked: this pick's are the last
    # picked (only unique items have serials, in whole units).
    end = int(line.delivered_quantity + line.picked_quantity)
    serials = list(line.serial_numbers)[end - int(body.quantity):end] \
        if line.serial_numbers else []
    return {"company_id": body.company_id, "order_id": order.id,
            "order_number": order.number, "order_status": order.status,
            "order_line_id": line.id, "quantity": body.quantity,
            "serial_numbers": serials, "line": line}


def _in_own_members(problem: BusinessRule | ValidationProblem) -> Exception:
    """The order action's problem, its members renamed to this body's."""
    if isinstance(problem, BusinessRule):
        problem.violations = tuple(
            Violation([ORDER_LINE_MEMBER.sub("", name) for name in violation.members],
                      violation.message_id, **violation.params)
            for violation in problem.violations)
    elif problem.errors:
        problem.errors = {ORDER_LINE_MEMBER.sub("", name): messages
                          for name, messages in problem.errors.items()}
    return problem

