"""A delivery is set-based (DESIGN §5): the statements it issues do not grow with its
number of lines. Counted with SQLAlchemy's ``before_cursor_execute`` (an executemany
counts once) around the whole request, for 5 and for 60 lines of every kind, with
serials, groups and each process."""

from __future__ import annotations

from sqlalchemy import select

from tests.orders.helpers import ORDERS, make, receive, world
from tests.stock.test_stock_service import counting_statements

#: What the last run measured, for the report in the test's output (pytest -s).
MEASURED: dict[int, int] = {}


def block_lines(w, block: int, processes: tuple[int, int]) -> list[dict]:
    """Five lines: a group (a unique main unit with process ``main``, goods with process
    ``sub`` and a consumable as its subs), a unique unit sold, and parts."""
    group = f"G{block:02d}"
    sub, main = processes
    return [
        {"item_id": w["pump"], "quantity": 1, "process": main, "group": group, "main": True,
         "serial_numbers": [f"M-{block:03d}"], "properties": {"n": str(block)},
         "form_properties": [{"form": "F", "property": "p", "value": str(block)}]},
        {"item_id": w["goods"], "quantity": 2, "process": sub, "group": group},
        {"item_id": w["oil"], "quantity": 0.5, "process": 2, "group": group},
        {"item_id": w["pump"], "quantity": 1, "process": 1, "serial_numbers": [f"S-{block:03d}"]},
        {"item_id": w["part"], "quantity": 2, "process": 1},
    ]


async def delivery_statements(app, client, tenant, w, blocks: int, first: int,
                              processes: tuple[int, int]) -> int:
    serials = [f"{p}-{b:03d}" for b in range(first, first + blocks) for p in ("M", "S")]
    await receive(client, tenant, w["pump"], len(serials), serials)
    await receive(client, tenant, w["goods"], 2 * blocks)
    await receive(client, tenant, w["oil"], blocks)
    await receive(client, tenant, w["part"], 2 * blocks)
    lines = [line for b in range(first, first + blocks) for line in block_lines(w, b, processes)]
    order = await make(client, tenant, ORDERS, {"customer_id": w["customer"], "lines": lines})
    url = f"{ORDERS}/{order['id']}"
    await make(client, tenant, f"{url}/allocate", {})
    await client.get(url, headers=tenant.headers)  # credentials cached, as for the first
    with counting_statements(app.state.database.engine) as statements:
        response = await client.post(f"{url}/deliver", headers=tenant.headers)
    assert response.status_code == 200, response.text
    delivery = response.json()
    assert len(delivery["lines"]) == 5 * blocks
    return len(statements)


async def test_delivery_statements_do_not_grow_with_its_lines(app, client, acme):
    w = await world(client, acme)
    small = await delivery_statements(app, client, acme, w, 1, 0, (2, 2))
    large = await delivery_statements(app, client, acme, w, 12, 1, (2, 2))
    MEASURED.update({5: small, 60: large})
    print(f"\ndelivery statements: 5 lines {small}, 60 lines {large}")
    assert large == small, (small, large)


async def test_with_work_orders_too(app, client, acme):
    """Every group's main line makes a file job and its goods line a job: 2 work orders
    per 5 lines, still the same statements for 5 lines as for 60."""
    w = await world(client, acme)
    small = await delivery_statements(app, client, acme, w, 1, 0, (3, 4))
    large = await delivery_statements(app, client, acme, w, 12, 1, (3, 4))
    print(f"\ndelivery statements with work orders: 5 lines {small}, 60 lines {large}")
    assert large == small, (small, large)


async def test_handling_charges_cost_one_statement_whatever_the_prices(app, client, acme):
    """The company's handling charges go in with one INSERT … SELECT that reads the prices
    itself: the same statements with prices set as without, for 5 lines as for 60."""
    from workledger.models import Company, InvoiceCharge

    w = await world(client, acme)
    without = await delivery_statements(app, client, acme, w, 1, 0, (2, 2))
    async with app.state.database.session() as session:
        company = await session.get(Company, acme.id)
        company.handling_charge_per_order, company.handling_charge_per_line = 45, 7.5
    small = await delivery_statements(app, client, acme, w, 1, 1, (2, 2))
    large = await delivery_statements(app, client, acme, w, 12, 2, (2, 2))
    print(f"\ndelivery statements with handling charges: 5 lines {small}, 60 lines {large}")
    assert small == large == without, (without, small, large)
    async with app.state.database.session() as session:
        charged = (await session.execute(
            select(InvoiceCharge.code, InvoiceCharge.quantity)
            .where(InvoiceCharge.company_id == acme.id).order_by(InvoiceCharge.id))).all()
    assert [(code, int(quantity)) for code, quantity in charged] == [
        ("handling_order", 1), ("handling_line", 5), ("handling_order", 1),
        ("handling_line", 60)]
