"""Statement counts of the hot and the bulk paths (DESIGN §5, issue 13).

Counted with SQLAlchemy's ``before_cursor_execute`` around one request (an executemany
counts once; the prebuilt statements of kit.prepared report there too), so they are
deterministic and may be asserted, unlike timings. Bulk work must not grow with its
number of rows: each count is taken for a small and a large batch and the two must be
equal, and within a small bound. Reads must cost exactly their statements: a customer
is the credential lookup and one statement (its contacts joined), a page of customers
the credential lookup, the page and the contacts of the page, with no BEGIN/COMMIT.

On SQLite the ORM inserts new rows one statement each: it needs their ids back in the
order it sent them, and SQLite cannot promise that order for an ``INSERT … RETURNING``
of several rows without a sentinel column (SQLAlchemy's "insertmanyvalues"). SQLite runs
in the process, with no round trip per statement; there the counts without the INSERTs
must not grow. On PostgreSQL every count must stay the same, INSERTs included.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from tests.orders.helpers import ORDERS, make, world
from tests.orders.test_statements import delivery_statements
from tests.stock.test_stock_service import counting_statements
from workledger.models import Contact, Customer

CUSTOMERS = "/v1/customers"


def contacts(n: int, first: str = "C") -> list[dict]:
    return [{"first_name": f"{first}{i}", "last_name": "Kontakt", "email": f"c{i}@example.com"}
            for i in range(n)]


def grows(app, small: list[str], large: list[str]) -> bool:
    """Whether the larger batch took more statements than the smaller one (on SQLite,
    leaving out the INSERTs: see the module's docstring)."""
    if app.state.database.engine.dialect.name == "sqlite":
        small = [s for s in small if not s.startswith("INSERT")]
        large = [s for s in large if not s.startswith("INSERT")]
    return len(large) != len(small)


@contextmanager
def counting_transactions(engine):
    """``BEGIN`` / ``COMMIT`` / ``ROLLBACK`` of SQLAlchemy's transactions: asyncpg sends
    BEGIN without a cursor statement, so the statement counter alone would miss it."""
    seen: list[str] = []

    def recorder(word: str):
        return lambda *_: seen.append(word)

    listeners = {name: recorder(name.upper()) for name in ("begin", "commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(engine.sync_engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners.items():
            event.remove(engine.sync_engine, name, listener)


async def counted(app, call) -> tuple[object, list[str]]:
    """The statements one request sent, with its transactions' BEGIN and COMMIT (a
    BEGIN that SQLite sends as a statement counts once)."""
    engine = app.state.database.engine
    with counting_statements(engine) as statements, counting_transactions(engine) as ends:
        response = await call()
    assert response.status_code == 200, response.text
    sent = [s for s in statements if not s.startswith("BEGIN")]
    return response, [*sent, *ends]


def transaction_control(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split(None, 1)[0].upper() in
            ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")]


async def test_get_customer_is_the_credential_and_one_statement(app, client, acme):
    customer = await make(client, acme, CUSTOMERS, {"company_name": "Read AS",
                                                    "contacts": contacts(3)})
    response, statements = await counted(
        app, lambda: client.get(f"{CUSTOMERS}/{customer['id']}", headers=acme.headers))
    assert len(response.json()["contacts"]) == 3
    assert len(statements) == 2, statements  # no BEGIN, no COMMIT
    assert "credentials" in statements[0] and "contacts" in statements[1]


async def test_a_list_page_is_the_credential_the_page_and_its_children(app, client, acme):
    for n in range(12):
        await make(client, acme, CUSTOMERS, {"company_name": f"Page {n:02d}",
                                             "contacts": contacts(2)})
    response, statements = await counted(app, lambda: client.get(
        CUSTOMERS, params={"per_page": 10, "sort": "-company_name"}, headers=acme.headers))
    page = response.json()
    assert len(page) == 10 and all(len(c["contacts"]) == 2 for c in page)
    assert len(statements) == 3, statements
    assert not transaction_control(statements)


async def bulk_delete_statements(app, client, tenant, n: int) -> int:
    ids = [(await make(client, tenant, CUSTOMERS, {"company_name": f"Bulk {i}",
                                                   "contacts": contacts(2)}))["id"]
           for i in range(n)]
    response, statements = await counted(app, lambda: client.delete(
        CUSTOMERS, params={"ids": ",".join(map(str, [*ids, 999_999_999]))},
        headers=tenant.headers))
    answer = response.json()
    assert answer["success_count"] == n and answer["error_count"] == 1
    assert [c["id"] for c in answer["successes"]] == ids
    assert answer["errors"][0]["id"] == 999_999_999
    async with app.state.database.session() as session:
        left = await session.scalar(select(func.count()).select_from(Customer)
                                    .where(Customer.id.in_(ids)))
        orphans = await session.scalar(select(func.count()).select_from(Contact)
                                       .where(Contact.customer_id.in_(ids)))
    assert (left, orphans) == (0, 0)
    return statements


async def test_bulk_delete_of_50_is_a_constant_number_of_statements(app, client, acme):
    small = await bulk_delete_statements(app, client, acme, 2)
    large = await bulk_delete_statements(app, client, acme, 49)  # + one unknown id = 50
    print(f"\nbulk delete statements: 3 ids {len(small)}, 50 ids {len(large)}")
    assert len(large) == len(small), (small, large)
    assert len(large) <= 16, large


async def test_bulk_delete_of_referenced_rows_answers_per_id(app, client, acme):
    """The set-based path keeps the per-id answers: a customer named by an order is
    422 code 3, the others go, in as many statements as without the reference."""
    w = await world(client, acme)
    free = (await make(client, acme, CUSTOMERS, {"company_name": "Free AS"}))["id"]
    await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": []})
    response, _ = await counted(app, lambda: client.delete(
        CUSTOMERS, params={"ids": f"{w['customer']},{free}"}, headers=acme.headers))
    answer = response.json()
    assert [c["id"] for c in answer["successes"]] == [free]
    [error] = answer["errors"]
    assert error["id"] == w["customer"]
    assert (error["error"]["status"], error["error"]["code"]) == (422, "3")
    assert "cannot be deleted" in error["error"]["reason"]
    got = await client.get(f"{CUSTOMERS}/{w['customer']}", headers=acme.headers)
    assert got.status_code == 200


async def patch_contacts_statements(app, client, tenant, n: int) -> int:
    customer = await make(client, tenant, CUSTOMERS, {"company_name": f"Patch {n}",
                                                      "contacts": contacts(n)})
    response, statements = await counted(app, lambda: client.patch(
        f"{CUSTOMERS}/{customer['id']}", json={"contacts": contacts(n, "New")},
        headers=tenant.headers))
    names = [c["first_name"] for c in response.json()["contacts"]]
    assert names == [f"New{i}" for i in range(n)]
    return statements


async def test_patch_replacing_100_contacts_is_a_constant_number_of_statements(
        app, client, acme):
    small = await patch_contacts_statements(app, client, acme, 2)
    large = await patch_contacts_statements(app, client, acme, 100)
    print(f"\nPATCH contacts statements: 2 contacts {len(small)}, 100 contacts {len(large)}")
    assert not grows(app, small, large), (small, large)
    assert len(large) <= 12 or app.state.database.engine.dialect.name == "sqlite", large


async def order_import_statements(app, client, tenant, w, n: int) -> int:
    lines = [{"item_id": w["part"] if i % 2 else w["goods"], "quantity": 1 + i % 3}
             for i in range(n)]
    response, statements = await counted(app, lambda: client.post(
        ORDERS, json={"customer_id": w["customer"], "lines": lines},
        headers=tenant.headers))
    assert len(response.json()["lines"]) == n
    return statements


async def test_importing_an_order_of_50_lines_is_a_constant_number_of_statements(
        app, client, acme):
    w = await world(client, acme)
    small = await order_import_statements(app, client, acme, w, 5)
    large = await order_import_statements(app, client, acme, w, 50)
    print(f"\norder POST statements: 5 lines {len(small)}, 50 lines {len(large)}")
    assert not grows(app, small, large), (small, large)
    assert len(large) <= 20 or app.state.database.engine.dialect.name == "sqlite", large


async def test_a_delivery_of_200_lines_is_a_constant_number_of_statements(app, client, acme):
    w = await world(client, acme)
    small = await delivery_statements(app, client, acme, w, 1, 0, (2, 2))
    large = await delivery_statements(app, client, acme, w, 40, 1, (2, 2))
    print(f"\ndelivery statements: 5 lines {small}, 200 lines {large}")
    assert large == small, (small, large)
    assert large <= 30, large
