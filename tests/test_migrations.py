"""Migrations carry existing data: upgrade to head and back down again, rows intact.

Each test migrates a scratch database of its own (a SQLite file, or a PostgreSQL
database beside the suite's) with the real CLI, and downgrades with Alembic's own.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, ROOT, run_cli
from workledger.kit.db import make_engine

#: The head before structural tenancy (migration 0003).
BEFORE_TENANCY = "0002"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
async def scratch(cli_env, database_url, tmp_path):
    """The CLI environment and URL of an empty database, dropped afterwards."""
    if BACKEND != "postgres":
        url = f"sqlite+aiosqlite:///{tmp_path}/scratch.db"
        yield {**cli_env, "WORKLEDGER_DATABASE_URL": url}, url
        return
    main = make_url(database_url)
    name = f"{main.database}_migrations"
    url = main.set(database=name).render_as_string(hide_password=False)
    server = make_engine(main.render_as_string(hide_password=False))

    async def run(statement: str) -> None:
        async with server.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql(statement)

    await run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await run(f'CREATE DATABASE "{name}"')
    try:
        yield {**cli_env, "WORKLEDGER_DATABASE_URL": url}, url
    finally:
        await run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.dispose()


def migrate(env: dict[str, str], revision: str = "head") -> subprocess.CompletedProcess:
    result = run_cli(env, "migrate", "--revision", revision, "--no-sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def downgrade(env: dict[str, str], revision: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "downgrade", revision],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def add(connection, table: str, **values) -> int:
    """Insert with plain SQL: the models describe head, not this revision."""
    values = {"created_at": NOW, "updated_at": NOW, **values}
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    return await connection.scalar(
        text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"), values
    )


async def fill(url: str) -> dict[str, int]:
    """Two companies with rows that refer to each other inside each company."""
    engine = make_engine(url)
    ids: dict[str, int] = {}
    try:
        async with engine.begin() as c:
            for company in ("a", "b"):
                cid = ids[company] = await add(c, "companies", name=company, api_access=True)
                person = {"type": 1, "status": 1, "first_name": "", "last_name": "",
                          "email": "", "phone_number": "", "comment": ""}
                customer = await add(c, "customers", company_id=cid,
                                     company_name=f"{company} customer", **person)
                gone = await add(c, "customers", company_id=cid, company_name="gone", **person)
                await add(c, "contacts", company_id=cid, customer_id=customer,
                          first_name="Ed", last_name="", email="", phone_number="",
                          position=0)
                supplier = await add(c, "suppliers", company_id=cid, company_name="s",
                                     email="", phone_number="", comment="")
                await add(c, "suppliers", company_id=cid, company_name="spare", email="",
                          phone_number="", comment="")
                price = {"kind": "part", "unit": "pcs", "sales_price": 10,
                         "purchase_price": 5, "tax_rate": 25}
                await add(c, "items", company_id=cid, number="I-1", name="named",
                          supplier_id=supplier, **price)
                await add(c, "items", company_id=cid, number="I-2", name="none",
                          supplier_id=None, **price)
                await add(c, "invoices", company_id=cid, number="1", customer_id=customer,
                          date=date(2026, 11, 1), due_date=date(2026, 11, 15),
                          status="sent", currency="EUR", total_excl_tax=100,
                          total_tax=25, total_incl_tax=125)
                await add(c, "api_users", company_id=cid, username=f"WSI{company}",
                          password_hash="x", email="", integration_system="Other",
                          invoices_allowed=False, is_active=True)
                # The highest customer id is deleted: it must never be handed out again.
                await c.execute(text("DELETE FROM customers WHERE id = :id"), {"id": gone})
                ids[f"{company}_customer"] = customer
                ids[f"{company}_gone"] = gone
    finally:
        await engine.dispose()
    return ids


async def rows(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            names = await c.run_sync(lambda sync: inspect(sync).get_table_names())
            return {
                name: [dict(row._mapping) for row in await c.execute(
                    text(f"SELECT * FROM {name} ORDER BY id")
                )]
                for name in sorted(names) if name != "alembic_version"
            }
    finally:
        await engine.dispose()


async def schema(url: str) -> dict[str, dict]:
    """Constraints and indexes as the database reports them, order aside."""

    def describe(sync) -> dict[str, dict]:
        found = inspect(sync)
        return {
            table: {
                "columns": sorted((c["name"], str(c["type"]), c["nullable"])
                                  for c in found.get_columns(table)),
                "foreign_keys": sorted(
                    (k["name"], tuple(k["constrained_columns"]), k["referred_table"],
                     tuple(k["referred_columns"]), k["options"].get("ondelete"))
                    for k in found.get_foreign_keys(table)
                ),
                "unique": sorted((u["name"], tuple(u["column_names"]))
                                 for u in found.get_unique_constraints(table)),
                "indexes": sorted((i["name"], tuple(i["column_names"]), i["unique"])
                                  for i in found.get_indexes(table)),
            }
            for table in found.get_table_names()
        }

    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return await c.run_sync(describe)
    finally:
        await engine.dispose()


def only(found: dict, before: dict) -> dict:
    """``found`` restricted to the tables of ``before`` (a :func:`rows` or :func:`schema`
    answer of an earlier revision) and to the columns those tables had then: a later
    revision may add a column (with a default) to a table that holds rows."""
    kept = {}
    for name, value in found.items():
        if name in before:
            then = before[name]
            if isinstance(then, dict):  # a schema: the columns it had
                names = {column[0] for column in then["columns"]}
            else:  # rows: their columns, if it had any
                names = set(then[0]) if then else None
            kept[name] = value if names is None else [
                {k: v for k, v in row.items() if k in names} for row in value]
    return kept


async def insert_customer(url: str, company_id: int) -> int:
    engine = make_engine(url)
    try:
        async with engine.begin() as c:
            return await add(c, "customers", company_id=company_id, type=1, status=1,
                             company_name="new", first_name="", last_name="", email="",
                             phone_number="", comment="")
    finally:
        await engine.dispose()


async def test_structural_tenancy_keeps_the_data_and_goes_back(scratch, database_url,
                                                              migrated):
    env, url = scratch
    migrate(env, BEFORE_TENANCY)
    schema_before = await schema(url)
    ids = await fill(url)
    data = await rows(url)

    migrate(env)
    # Later revisions add tables (and fill some for existing companies, see
    # test_existing_companies_get_their_reference_data); the rows that were there stay.
    assert only(await rows(url), data) == data
    # The suite's database was migrated empty: both roads end at the same schema.
    assert await schema(url) == await schema(database_url)
    # A rebuilt SQLite table would restart from its highest remaining id.
    assert await insert_customer(url, ids["b"]) > ids["b_gone"]

    data = only(await rows(url), schema_before)
    downgrade(env, BEFORE_TENANCY)
    assert await rows(url) == data
    assert await schema(url) == schema_before
    assert await insert_customer(url, ids["b"]) > ids["b_gone"] + 1


async def test_a_reference_into_another_company_stops_the_upgrade(scratch):
    env, url = scratch
    migrate(env, BEFORE_TENANCY)
    ids = await fill(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as c:
            await c.execute(text("UPDATE contacts SET customer_id = :theirs "
                                 "WHERE customer_id = :mine"),
                            {"theirs": ids["b_customer"], "mine": ids["a_customer"]})
    finally:
        await engine.dispose()
    data = await rows(url)

    result = run_cli(env, "migrate")
    assert result.returncode != 0
    assert await rows(url) == data
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            version = await c.scalar(text("SELECT version_num FROM alembic_version"))
            assert version == BEFORE_TENANCY
    finally:
        await engine.dispose()
    assert "contacts [" in result.stderr and "of another company" in result.stderr


BEFORE_REFERENCE_DATA = "0003"


async def reference_data(url: str, company_ids: list[int]) -> dict[int, dict]:
    """Per company: its workflows (type → statuses as (position, names, is_final)) and
    its warehouses (code, name, is_default)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            found: dict[int, dict] = {}
            for company_id in company_ids:
                workflows = {}
                for workflow_id, workflow_type in await c.execute(text(
                    "SELECT id, type FROM workflows WHERE company_id = :c ORDER BY id"
                ), {"c": company_id}):
                    workflows[workflow_type] = [tuple(row) for row in await c.execute(text(
                        "SELECT position, name_nb, name_en, name_sv, name_da, name_es, is_final "
                        "FROM workflow_statuses WHERE workflow_id = :w ORDER BY position"
                    ), {"w": workflow_id})]
                warehouses = [tuple(row) for row in await c.execute(text(
                    "SELECT code, name, is_default FROM warehouses WHERE company_id = :c"
                ), {"c": company_id})]
                found[company_id] = {"workflows": workflows, "warehouses": warehouses}
            return found
    finally:
        await engine.dispose()


async def test_existing_companies_get_their_reference_data(scratch, database_url, migrated):
    """Revision 0004 gives every existing company what create_company gives a new one:
    the order and order_line workflows with the default statuses, and MAIN."""
    from workledger.companies.service import create_company
    from workledger.kit.db import Database

    env, url = scratch
    migrate(env, BEFORE_REFERENCE_DATA)
    schema_before = await schema(url)
    ids = await fill(url)
    data = await rows(url)

    migrate(env)
    assert only(await rows(url), data) == data
    assert await schema(url) == await schema(database_url)
    database = Database(url)
    try:
        async with database.session() as session:
            new = (await create_company(session, "new", api_access=False)).id
    finally:
        await database.dispose()
    found = await reference_data(url, [ids["a"], ids["b"], new])
    # The migration's frozen copy of the defaults is what a new company gets today.
    assert found[ids["a"]] == found[ids["b"]] == found[new]
    assert list(found[new]["workflows"]) == ["order", "order_line"]
    assert [status[2] for status in found[new]["workflows"]["order"]] == [
        "New", "Confirmed", "In progress", "Completed"]
    assert found[new]["warehouses"] == [("MAIN", "Main warehouse", True)]

    data = only(await rows(url), schema_before)
    downgrade(env, BEFORE_REFERENCE_DATA)
    assert await schema(url) == schema_before
    assert await rows(url) == data
