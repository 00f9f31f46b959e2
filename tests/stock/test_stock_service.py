"""The stock ledger and allocations through workledger.stock.service (DESIGN §7.2): levels
follow movements, shortages name their members and write nothing, the statement count
does not grow with the number of movements, and concurrent allocations never oversell."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from workledger.kit.db import WRITE_LOCK
from workledger.kit.rules import InventoryTooLow, NotEnoughInventory, Violation
from workledger.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
)
from workledger.stock import service as stock
from workledger.stock.service import Movement, Need
from workledger.warehouses.service import default_warehouse

D = Decimal


async def in_transaction(app, work):
    """Run ``work(session)`` in one write transaction, committed on success."""
    async with app.state.database.session() as session:
        await session.connection(execution_options=WRITE_LOCK)
        return await work(session)


async def make_items(client, tenant, count: int = 1, kind: str = "stock_goods") -> list[int]:
    ids = []
    for n in range(count):
        response = await client.post("/v1/items", json={
            "number": f"{kind}-{n:03d}", "name": f"Item {n}", "kind": kind},
            headers=tenant.headers)
        assert response.status_code == 200, response.text
        ids.append(response.json()["id"])
    return ids


async def warehouse_id(app, tenant) -> int:
    async with app.state.database.session() as session:
        return (await default_warehouse(session, tenant.id)).id


async def levels(app, tenant) -> dict[tuple[int, int], tuple[Decimal, ...]]:
    async with app.state.database.session() as session:
        rows = (await session.scalars(
            select(StockLevel).where(StockLevel.company_id == tenant.id))).all()
        return {(r.item_id, r.warehouse_id): (D(r.on_hand), D(r.allocated), D(r.available),
                                              D(r.incoming)) for r in rows}


async def movement_count(app, tenant) -> int:
    async with app.state.database.session() as session:
        return len((await session.scalars(
            select(StockMovement.id).where(StockMovement.company_id == tenant.id))).all())


def receipt(item: int, warehouse: int, quantity: int, member: str = "quantity") -> Movement:
    return Movement("receipt", item, warehouse, D(quantity), member)


async def test_movements_move_on_hand_and_available(app, client, acme):
    [item] = await make_items(client, acme)
    wh = await warehouse_id(app, acme)
    stored = await in_transaction(app, lambda s: stock.record(s, acme.id, [
        receipt(item, wh, 10), Movement("adjustment", item, wh, D(-3), "quantity",
                                        comment="counted")]))
    assert [(m.type, D(m.quantity), m.comment) for m in stored] == [
        ("receipt", D(10), ""), ("adjustment", D(-3), "counted")]
    assert all(m.id and m.company_id == acme.id for m in stored)
    assert await levels(app, acme) == {(item, wh): (D(7), D(0), D(7), D(0))}


async def test_allocations_add_up_and_name_each_short_need(app, client, acme):
    a, b = await make_items(client, acme, 2)
    wh = await warehouse_id(app, acme)
    await in_transaction(app, lambda s: stock.record(s, acme.id, [receipt(a, wh, 5)]))

    with pytest.raises(NotEnoughInventory) as raised:
        await in_transaction(app, lambda s: stock.allocate(s, acme.id, [
            Need(a, wh, D(3), "lines[0].quantity"), Need(a, wh, D(3), "lines[1].quantity"),
            Need(b, wh, D(1), "lines[2].quantity")]))
    assert raised.value.violations == (
        Violation("lines[1].quantity", "quantity_available", requested="3", available="2"),
        Violation("lines[2].quantity", "quantity_available", requested="1", available="0"),
    )
    assert await levels(app, acme) == {(a, wh): (D(5), D(0), D(5), D(0))}  # nothing reserved

    await in_transaction(app, lambda s: stock.allocate(s, acme.id, [
        Need(a, wh, D(3), "lines[0].quantity"), Need(a, wh, D(2), "lines[1].quantity")]))
    assert await levels(app, acme) == {(a, wh): (D(5), D(5), D(0), D(0))}
    await in_transaction(app, lambda s: stock.release(s, acme.id, [
        Need(a, wh, D(2), "lines[0].quantity"), Need(b, wh, D(1), "lines[1].quantity")]))
    assert await levels(app, acme) == {(a, wh): (D(5), D(3), D(2), D(0))}
    await in_transaction(app, lambda s: stock.release(s, acme.id, [
        Need(a, wh, D(9), "lines[0].quantity")]))  # never below zero
    assert await levels(app, acme) == {(a, wh): (D(5), D(0), D(5), D(0))}


async def test_deliveries_use_their_own_allocation_and_nothing_else(app, client, acme):
    [item] = await make_items(client, acme)
    wh = await warehouse_id(app, acme)
    await in_transaction(app, lambda s: stock.record(s, acme.id, [receipt(item, wh, 5)]))
    await in_transaction(app, lambda s: stock.allocate(s, acme.id, [
        Need(item, wh, D(4), "lines[0].quantity")]))

    # Unallocated: only 1 is available to it.
    with pytest.raises(NotEnoughInventory) as raised:
        await in_transaction(app, lambda s: stock.record(s, acme.id, [
            Movement("delivery", item, wh, D(-2), "lines[3].quantity")]))
    assert raised.value.violations == (Violation(
        "lines[3].quantity", "quantity_available", requested="2", available="1"),)
    assert await movement_count(app, acme) == 1

    # A delivery of allocated goods consumes its allocation.
    await in_transaction(app, lambda s: stock.record(s, acme.id, [
        Movement("delivery", item, wh, D(-4), "lines[0].quantity", releases=D(4))]))
    assert await levels(app, acme) == {(item, wh): (D(1), D(0), D(1), D(0))}


async def test_an_adjustment_cannot_go_below_zero_or_below_allocated(app, client, acme):
    [item] = await make_items(client, acme)
    wh = await warehouse_id(app, acme)
    await in_transaction(app, lambda s: stock.record(s, acme.id, [receipt(item, wh, 5)]))
    await in_transaction(app, lambda s: stock.allocate(s, acme.id, [
        Need(item, wh, D(3), "lines[0].quantity")]))
    for quantity in (-3, -6):
        with pytest.raises(InventoryTooLow) as raised:
            await in_transaction(app, lambda s, q=quantity: stock.record(s, acme.id, [
                Movement("adjustment", item, wh, D(q), "quantity")]))
        assert raised.value.violations == (Violation("quantity"),)
        assert raised.value.code == "3023"
    await in_transaction(app, lambda s: stock.record(s, acme.id, [
        Movement("adjustment", item, wh, D(-2), "quantity")]))
    assert await levels(app, acme) == {(item, wh): (D(3), D(3), D(0), D(0))}


async def test_a_failing_batch_writes_nothing(app, client, acme):
    """The last of many movements fails: no movement, no level row, no change."""
    items = await make_items(client, acme, 5)
    wh = await warehouse_id(app, acme)
    movements = [receipt(item, wh, 2, f"lines[{n}].quantity") for n, item in enumerate(items)]
    movements.append(Movement("delivery", items[0], wh, D(-3), "lines[5].quantity"))
    with pytest.raises(NotEnoughInventory) as raised:
        await in_transaction(app, lambda s: stock.record(s, acme.id, movements))
    assert [v.members for v in raised.value.violations] == [("lines[5].quantity",)]
    assert await levels(app, acme) == {}
    assert await movement_count(app, acme) == 0


@contextmanager
def counting_statements(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def test_statements_do_not_grow_with_the_number_of_movements(app, client, acme):
    items = await make_items(client, acme, 50)
    wh = await warehouse_id(app, acme)
    counts = []
    for size in (1, 50):
        moves = [receipt(item, wh, 3, f"lines[{n}].quantity")
                 for n, item in enumerate(items[:size])]
        needs = [Need(item, wh, D(1), f"lines[{n}].quantity")
                 for n, item in enumerate(items[:size])]
        async with app.state.database.session() as session:
            await session.connection(execution_options=WRITE_LOCK)
            with counting_statements(app.state.database.engine) as statements:
                await stock.record(session, acme.id, moves)
                await stock.allocate(session, acme.id, needs)
                await stock.release(session, acme.id, needs)
                await stock.refresh_incoming(session, acme.id,
                                             [(n.item_id, n.warehouse_id) for n in needs])
            await session.rollback()
        counts.append(len(statements))
    assert counts[0] == counts[1], (counts, [s[:60] for s in statements])
    assert counts[1] <= 14


async def test_incoming_counts_open_purchase_order_lines(app, client, acme):
    a, b = await make_items(client, acme, 2)
    wh = await warehouse_id(app, acme)

    async def order(session, status: str, lines):
        supplier = Supplier(company_id=acme.id, company_name="S")
        session.add(supplier)
        await session.flush()
        po = PurchaseOrder(company_id=acme.id, number=f"PO-{status}", supplier_id=supplier.id,
                           warehouse_id=wh, order_date=__import__("datetime").date.today(),
                           status=status)
        po.lines = [PurchaseOrderLine(company_id=acme.id, item_id=i, quantity=D(q),
                                      received_quantity=D(r)) for i, q, r in lines]
        session.add(po)
        await session.flush()
        await stock.refresh_incoming(session, acme.id, [(a, wh), (b, wh)])

    await in_transaction(app, lambda s: order(s, "open", [(a, 5, 0), (a, 2, 0), (b, 4, 1)]))
    await in_transaction(app, lambda s: order(s, "received", [(a, 7, 7)]))
    assert await levels(app, acme) == {(a, wh): (D(0), D(0), D(0), D(7)),
                                       (b, wh): (D(0), D(0), D(0), D(3))}


async def test_concurrent_allocations_never_oversell(app, client, acme):
    """Two allocations that together exceed the stock: exactly one gets 3008."""
    [item] = await make_items(client, acme)
    wh = await warehouse_id(app, acme)
    await in_transaction(app, lambda s: stock.record(s, acme.id, [receipt(item, wh, 10)]))

    async def claim(quantity: int):
        try:
            await in_transaction(app, lambda s: stock.allocate(s, acme.id, [
                Need(item, wh, D(quantity), "lines[0].quantity")]))
        except NotEnoughInventory:
            return "short"
        return "allocated"

    for _ in range(3):
        outcomes = await asyncio.gather(claim(6), claim(6))
        assert sorted(outcomes) == ["allocated", "short"]
        assert (await levels(app, acme))[(item, wh)][:3] == (D(10), D(6), D(4))
        await in_transaction(app, lambda s: stock.release(s, acme.id, [
            Need(item, wh, D(6), "lines[0].quantity")]))
