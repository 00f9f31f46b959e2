"""Database machinery: the declarative base, mixins, engine and the request's session.

One model serves SQLite (embedded default) and PostgreSQL. Every tenant table carries
``company_id`` and puts it first in its unique keys and indexes, so every per-company
query is an index range scan and the schema can be distributed by company later.

Tenancy is structural (DESIGN §1): a tenant table has the unique key ``(company_id, id)``
and every reference between tenant rows is the composite foreign key
``(company_id, x_id) → x(company_id, id)``, so the database itself refuses a row that
points into another company. A model declares it in one line per reference::

    class Item(TenantOwned, Base):
        __tablename__ = "items"
        supplier_id: Mapped[int | None] = tenant_reference("suppliers", ondelete="RESTRICT")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
    and_,
    event,
)
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    MappedColumn,
    declared_attr,
    foreign,
    mapped_column,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    # All columns: a table may refer twice to one table, and each composite reference
    # starts with company_id.
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
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

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            # TIMESTAMP WITH TIME ZONE comes back aware already: no call per value.
            return None
        return super().result_processor(dialect, coltype)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table) and not issubclass(cls, TenantOwned):
            # Only TenantOwned turns the marker into a foreign key; elsewhere the column
            # would silently refer to nothing.
            stray = [c.name for c in table.columns if _TENANT_REFERENCE in c.info]
            if stray:
                raise TypeError(f"{cls.__name__}.{stray[0]}: tenant_reference() needs a "
                                "TenantOwned model")


class Entity:
    """``id``, ``created_at`` and ``updated_at``: every resource has them (DESIGN §7)."""

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TenantOwned(Entity):
    """A row that belongs to one company (tenant).

    Its table also gets the unique key ``(company_id, id)``: a composite foreign key must
    point at a unique key, and it is the index for reading one row of one company. Each
    :func:`tenant_reference` column becomes its composite foreign key here.
    """

    @declared_attr
    def company_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(Id, ForeignKey("companies.id", ondelete="CASCADE"), nullable=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # DeclarativeBase builds cls.__table__ here
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table):  # not for abstract classes or single-table subclasses
            _declare_tenancy(table)


_TENANT_REFERENCE = "workledger_tenant_reference"
OnDelete = Literal["CASCADE", "RESTRICT", "NO ACTION"]


def tenant_reference(target: str, *, ondelete: OnDelete, **kwargs: Any) -> MappedColumn:
    """A column naming a row of the tenant table ``target`` in the same company.

    It becomes ``FOREIGN KEY (company_id, <column>) REFERENCES target (company_id, id)``,
    backed by an index ``(company_id, <column>)`` unless an index or unique key of the
    table already starts with those two columns (a filter field, say). A nullable
    reference (``Mapped[int | None]``) may be NULL: foreign keys are MATCH SIMPLE, so a
    key with a NULL column is not checked.

    ``ondelete`` has to be chosen; ``SET NULL`` is not offered because it would null
    ``company_id`` too (SQLite cannot limit it to one column).
    """
    if ondelete not in ("CASCADE", "RESTRICT", "NO ACTION"):
        raise ValueError(f"tenant_reference(ondelete={ondelete!r}): CASCADE, RESTRICT or "
                         "NO ACTION; SET NULL would null company_id as well")
    return mapped_column(Id, info={_TENANT_REFERENCE: (target, ondelete)}, **kwargs)


def tenant_join(target: Any, reference: Any) -> ColumnElement[bool]:
    """The ``primaryjoin`` of a relationship over a :func:`tenant_reference`.

    ``relationship(primaryjoin=lambda: tenant_join(Customer, Contact.customer_id))`` on
    both sides of the pair. The join matches both key columns, but only the reference
    column is marked foreign: the ORM sets ``customer_id`` from the related object and
    leaves ``company_id`` alone. Otherwise every relationship of a model would write the
    shared ``company_id`` (SQLAlchemy warns that they conflict), and unsetting a
    many-to-one would null it.
    """
    column = reference.property.columns[0]
    target_table = target.__table__
    return and_(
        foreign(column) == target_table.c.id,
        column.table.c.company_id == target_table.c.company_id,
    )


def _declare_tenancy(table: Table) -> None:
    table.append_constraint(UniqueConstraint("company_id", "id"))
    for column in list(table.columns):
        reference = column.info.get(_TENANT_REFERENCE)
        if reference is None:
            continue
        target, ondelete = reference
        table.append_constraint(ForeignKeyConstraint(
            ["company_id", column.name], [f"{target}.company_id", f"{target}.id"],
            ondelete=ondelete,
        ))
        if not _starts_some_index(table, ["company_id", column.name]):
            # PostgreSQL does not index a foreign key by itself, and deleting the target
            # row looks its referrers up by these columns.
            Index(f"ix_{table.name}_company_id_{column.name}", table.c.company_id, column)


def _starts_some_index(table: Table, names: list[str]) -> bool:
    keys = [index.columns for index in table.indexes]
    keys += [c.columns for c in table.constraints if isinstance(c, UniqueConstraint)]
    return any([c.name for c in columns][: len(names)] == names for columns in keys)


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
    """``(company_id, column)`` indexes backing each filterable and sortable field.

    ``id`` needs none: the unique key ``(company_id, id)`` of :class:`TenantOwned` is one.
    """
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
    elif engine.dialect.driver == "asyncpg":
        _drop_dead_connections(engine)
    return engine


def _drop_dead_connections(engine: AsyncEngine) -> None:
    """After the database restarted, hand out no connection of the old server.

    A connection that fails in use already invalidates the whole pool (SQLAlchemy's
    disconnect handling), but that request fails. asyncpg notices a server that went
    away even while a connection sits idle in the pool (the event loop sees the socket
    close), so checking that flag on checkout costs no round trip, unlike
    ``pool_pre_ping``; a closed one discards every pooled connection as old as it
    (tests/test_faults.py)."""

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise InvalidatePoolError("the database closed this connection")


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
