"""Alembic environment: async engine, one metadata, batch mode for SQLite's ALTER."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import workledger.models  # noqa: F401 - registers every table on Base.metadata
from workledger.config import get_settings
from workledger.kit.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_with(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Alembic commits each SQLite migration on its own (no transactional DDL there). One
    # transaction of ours around the run, which alembic then leaves alone, lets the
    # checks below see every change before anything is committed, and undo all of it.
    with connection.begin():
        sequences = _sqlite_sequences(connection)
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        _restore_sqlite_sequences(connection, sequences)
        _check_sqlite_foreign_keys(connection)


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _set_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Batch mode rebuilds a table as copy, DROP, rename. With foreign keys on, that DROP
    deletes the table's rows first, cascading to (or refused by) the rows that refer to
    them. The pragma is ignored inside a transaction and SQLAlchemy would begin one, so it
    goes to the driver's connection before the first statement."""
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _sqlite_sequences(connection: Connection) -> dict[str, int]:
    """The highest id each AUTOINCREMENT table ever handed out. A rebuilt table starts
    again from its highest remaining id, which would reuse the ids of deleted last rows."""
    if not connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
    ).first():
        return {}
    return dict(connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all())


def _restore_sqlite_sequences(connection: Connection, sequences: dict[str, int]) -> None:
    tables = set(connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    ).scalars())
    current = _sqlite_sequences(connection)
    for table, seq in sequences.items():
        if table not in tables or current.get(table, -1) >= seq:
            continue
        if table in current:
            connection.exec_driver_sql(
                "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (seq, table)
            )
        else:
            connection.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, seq)
            )


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    """Nothing checked the rows copied while foreign keys were off; PostgreSQL checks
    them when a constraint is added. A violation rolls the whole run back."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if violations:
        shown = ", ".join(f"{table} rowid {rowid} → {parent}"
                          for table, rowid, parent, _ in violations[:20])
        raise RuntimeError(f"the migrated data breaks foreign keys: {shown}")


async def run_online() -> None:
    engine = make_engine(database_url())
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if sqlite:
            await connection.run_sync(_set_sqlite_foreign_keys, False)
        try:
            await connection.run_sync(run_with)
        finally:
            if sqlite:  # the pool may hand this connection out again
                await connection.run_sync(_set_sqlite_foreign_keys, True)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
