"""``GetWorkorders`` hands each Compleet work order to exactly one poller (seed 003's
Compleet → Afgehandeld on fetch, DESIGN §8): eight pollers at once over 2,000 completed
work orders, on both databases. None is returned twice, none is left Compleet, and none
becomes Afgehandeld without being in an answer."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from tests.connector.conftest import Connector
from workledger.kit.db import utcnow
from workledger.models import WorkOrder
from workledger.work_orders.repository import WorkOrderRepository

POLLERS, WORK_ORDERS, LIMIT = 8, 2_000, 50


async def completed_work_orders(app, company_id: int, count: int) -> None:
    async with app.state.database.session() as session:
        await WorkOrderRepository(session, company_id).insert_many([
            {"number": f"C-{n:05d}", "kind": "manual", "type_of_work": "service",
             "status": "complete", "completed_at": utcnow(), "description": "",
             "internal_description": "", "work_status": "", "form": []}
            for n in range(count)])
        await session.commit()


async def test_eight_pollers_get_each_work_order_exactly_once(app, client, acme, connector):
    await completed_work_orders(app, acme.id, WORK_ORDERS)
    token = (await connector(acme)).token
    answers: list[list[int]] = [[] for _ in range(POLLERS)]

    async def poll(index: int) -> None:
        wb = Connector(client, token)
        while True:
            got = await wb.call("GetWorkorders", limit=LIMIT)
            if not got:
                return
            assert {w["Status"] for w in got} == {"Afgehandeld"}
            answers[index].extend(w["row_id"] for w in got)

    await asyncio.gather(*(poll(i) for i in range(POLLERS)))
    returned = Counter(row_id for answer in answers for row_id in answer)
    assert len(returned) == WORK_ORDERS
    assert max(returned.values()) == 1  # never twice
    # The pollers shared the work (a poller that got everything proves nothing).
    assert sum(1 for answer in answers if answer) >= 2
    async with app.state.database.session() as session:
        by_status = dict((await session.execute(
            select(WorkOrder.status, func.count()).where(WorkOrder.company_id == acme.id)
            .group_by(WorkOrder.status))).all())
        handled = set((await session.scalars(select(WorkOrder.id).where(
            WorkOrder.company_id == acme.id, WorkOrder.status == "handled"))).all())
    assert by_status == {"handled": WORK_ORDERS}
    assert handled == set(returned)  # handled ⇔ returned
