"""Database machinery: the declarative base, mixins, engine and the request's session.

One model serves SQLite (embedded default) and PostgreSQL. Every tenant table carries
``company_id`` and puts it first in its unique keys and indexes, so every per-company
query is an index range scan and the schema can be distributed by company later.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there).
Id = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        if value is not None and dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Entity:
    """``id``, ``created_at`` and ``updated_at``: every resource has them (DESIGN §7)."""

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TenantOwned(Entity):
    """A row that belongs to one company (tenant)."""

    @declared_attr
    def company_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(Id, ForeignKey("companies.id", ondelete="CASCADE"), nullable=False)


#: Execution options for a unit of work that must hold the write lock from its first
#: statement (``session.connection(execution_options=WRITE_LOCK)``). On SQLite that is
#: ``BEGIN IMMEDIATE``: a transaction that reads and then writes could otherwise fail
#: with SQLITE_BUSY when another connection committed in between (WAL snapshots), and
#: check-then-claim sequences are serialised. PostgreSQL ignores it: its row locks and
#: conditional UPDATEs do the same job under READ COMMITTED.
WRITE_LOCK = {"workledger_write_lock": True}

#: SQLite reuses the id of a deleted last row unless AUTOINCREMENT is on; an API must
#: never hand out an id twice, so every table asks for it (PostgreSQL sequences never do).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def tenant_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """``(company_id, column)`` indexes backing each filterable and sortable field."""
    return tuple(Index(f"ix_{table}_company_id_{c}", "company_id", c) for c in columns)


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    kwargs: dict = {"echo": echo}
    if url.startswith("postgresql"):
        # Enough steady connections for a worker's concurrency: overflow connections are
        # opened and closed per burst, which costs more CPU than the queries. No
        # pre-ping (a round trip per request); recycling covers idle disconnects.
        kwargs.update(pool_size=20, max_overflow=10, pool_recycle=1800)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and SQLAlchemy's recipe for working SAVEPOINTs.

    The sqlite3 module's own transaction handling does not cover SAVEPOINT, which bulk
    delete relies on; so the driver's autocommit is switched off and we emit BEGIN.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("workledger_write_lock")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The engine and session factory of one database (production or sandbox)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work outside a request (CLI, demo): commits on success."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
