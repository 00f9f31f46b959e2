"""Work orders a delivery makes (DESIGN §7.3 processes 3 and 4, §7.4):
``work_orders.service.create_for_delivery`` — numbers from one issue call that skip
numbers given by hand, the rows and their equipment links in a constant number of
statements, in the caller's transaction."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from workledger.kit.db import WRITE_LOCK
from workledger.models import Order
from workledger.warehouses.service import default_warehouse
from workledger.work_orders.service import DeliveryJob, create_for_delivery
from workledger.workflows.service import first_status


async def in_transaction(app, work):
    async with app.state.database.session() as session:
        await session.connection(execution_options=WRITE_LOCK)
        return await work(session)


@contextmanager
def counting(app):
    """Count the statements sent to the database (executemany counts once)."""
    engine = app.state.database.engine.sync_engine
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def make_order(app, tenant, customer_id: int) -> int:
    async def work(session):
        order = Order(company_id=tenant.id, number="SO-1", customer_id=customer_id,
                      warehouse_id=(await default_warehouse(session, tenant.id)).id,
                      order_date=date(2026, 11, 30),
                      workflow_status_id=(await first_status(session, tenant.id, "order")).id)
        session.add(order)
        await session.commit()
        return order.id
    return await in_transaction(app, work)


async def setup(app, client, tenant, units: int):
    headers = tenant.headers
    customer = (await client.post("/v1/customers", json={"company_name": "Customer A"},
                                  headers=headers)).json()
    item = (await client.post("/v1/items", json={"number": "PUMP", "name": "Pump",
                                                 "kind": "stock_goods"},
                              headers=headers)).json()
    equipment = []
    for n in range(units):
        response = await client.post("/v1/equipment", json={
            "item_id": item["id"], "customer_id": customer["id"], "quantity": 1 + n},
            headers=headers)
        assert response.status_code == 200, response.text
        equipment.append(response.json()["id"])
    return customer["id"], await make_order(app, tenant, customer["id"]), equipment


async def test_jobs_and_file_jobs_for_a_delivery(app, client, acme):
    customer_id, order_id, units = await setup(app, client, acme, 3)
    # A number given by hand that the series would issue next is skipped.
    taken = await client.post("/v1/work-orders", json={"number": "2"}, headers=acme.headers)
    assert taken.status_code == 200, taken.text
    assert (await client.post("/v1/work-orders", json={}, headers=acme.headers)
            ).json()["number"] == "1"
    form = ({"form": "Check", "property": "Pressure", "value": "2 bar"},)
    made = await in_transaction(app, lambda s: _commit(s, create_for_delivery(s, acme.id, [
        DeliveryJob("job", customer_id, order_id, (units[0], units[1]), "Install"),
        DeliveryJob("file_job", customer_id, order_id, (units[2],), "Inspect", form),
    ])))
    assert [w.number for w in made] == ["3", "4"]
    first, second = [(await client.get(f"/v1/work-orders/{w.id}", headers=acme.headers)).json()
                     for w in made]
    assert (first["kind"], first["status"], first["order_id"], first["customer_id"],
            first["equipment_ids"], first["description"], first["form"],
            first["type_of_work"]) == (
        "job", "ready", order_id, customer_id, units[:2], "Install", [], "delivery")
    assert (second["kind"], second["equipment_ids"], second["form"]) == (
        "file_job", units[2:], [dict(form[0])])


async def _commit(session, made):
    result = await made
    await session.commit()
    return result


@pytest.mark.parametrize("count", [1, 40])
async def test_statements_do_not_grow_with_the_jobs(app, client, acme, count):
    customer_id, order_id, units = await setup(app, client, acme, 2)
    specs = [DeliveryJob("job", customer_id, order_id, tuple(units), f"Job {n}")
             for n in range(count)]
    with counting(app) as seen:
        made = await in_transaction(app, lambda s: _commit(s, create_for_delivery(
            s, acme.id, specs)))
    assert len(made) == count and len({w.number for w in made}) == count
    writes = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    # series upsert + issue, taken-number lookup, work-order insert, link insert; the
    # insert of the rows may be split in batches by the driver but not per row.
    assert len(writes) <= 6, writes


async def test_nothing_to_make(app, acme):
    assert await in_transaction(app, lambda s: create_for_delivery(s, acme.id, [])) == []
