"""The base of every tenant-owned repository (DESIGN §2: queries live in repositories).

Every query starts from :meth:`TenantRepository.readable`, the one statement that
filters by ``company_id`` (and, for a nested resource, by its parent). Nothing else
filters by tenant, and another company's row is simply not found (404, no existence
leak).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.listing import ListQuery, Page
from workledger.kit.problems import NotFound

M = TypeVar("M")


class TenantRepository(Generic[M]):
    model: ClassVar[type]
    #: What a person calls one row ("work order"); bound by the resource declaration.
    noun: ClassVar[str] = "object"
    #: The resource's names (kit.resource.Names), bound with ``noun``: its 404 detail.
    names: ClassVar[Any] = None
    #: For a nested resource: the column holding the parent's id (bound by the resource).
    parent_column: ClassVar[str | None] = None
    #: Loader options for the relationships a resource renders (they are lazy="raise"):
    #: ``load_options`` for pages of rows (selectin: one more query per page),
    #: ``one_options`` for a single row (joined: the same single round trip).
    load_options: ClassVar[tuple[Any, ...]] = ()
    one_options: ClassVar[tuple[Any, ...] | None] = None

    def __init__(self, session: AsyncSession, company_id: int, **parent: int) -> None:
        self.session = session
        self.company_id = company_id
        #: ``{parent_column: parent_id}`` when the rows are scoped by a parent row.
        self.parent = parent

    def readable(self) -> Select:
        statement = select(self.model).where(self.model.company_id == self.company_id)
        for column, value in self.parent.items():
            statement = statement.where(getattr(self.model, column) == value)
        return statement

    def listed(self) -> Select:
        return self.readable().options(*self.load_options)

    async def _first(self, statement: Select) -> M | None:
        options = self.load_options if self.one_options is None else self.one_options
        return (await self.session.scalars(statement.options(*options))).unique().first()

    async def get_or_none(self, object_id: int, *, for_update: bool = False) -> M | None:
        """The row, or ``None``. ``for_update`` locks it until the transaction ends
        (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are already
        exclusive), so a read-check-write cannot interleave with another writer."""
        statement = self.readable().where(self.model.id == object_id)
        if for_update:
            # Lock the row alone first, then read it and its children in a statement of
            # their own: under READ COMMITTED a statement that waited for a lock re-reads
            # the locked row but not the rows it joined, so children loaded with the lock
            # could be the ones a concurrent writer just replaced. populate_existing:
            # refresh what the identity map holds from before the lock.
            locked = await self.session.scalar(
                self.readable().with_only_columns(self.model.id)
                .where(self.model.id == object_id).with_for_update()
            )
            if locked is None:
                return None
            statement = statement.execution_options(populate_existing=True)
        return await self._first(statement)

    async def serialize(self, *key: str | int) -> None:
        """Make concurrent transactions that pass the same ``key`` run one after the
        other from here on (until this one ends): a transaction-scoped advisory lock on
        PostgreSQL, for check-then-insert sequences that no row lock can cover (two POSTs
        with one new ``import_id``). SQLite needs nothing: its writers already hold the
        database's write lock from their first statement."""
        if self.session.bind.dialect.name != "postgresql":
            return
        text_key = ":".join(str(part) for part in (self.model.__tablename__, self.company_id,
                                                   *key))
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(text_key, 0)))
        )

    async def get(self, object_id: int, *, for_update: bool = False) -> M:
        obj = await self.get_or_none(object_id, for_update=for_update)
        if obj is None:
            raise NotFound(self.names.not_found(object_id) if self.names is not None
                           else f"No {self.noun} with id {object_id}.")
        return obj

    async def find(self, **equals: Any) -> M | None:
        return await self._first(self.readable().filter_by(**equals))

    async def exists(self, object_id: int) -> bool:
        statement = self.readable().with_only_columns(self.model.id).where(
            self.model.id == object_id
        )
        return (await self.session.scalar(statement)) is not None

    async def page(self, query: ListQuery) -> Page:
        return await query.fetch(self.session, self.listed())

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
        await self.session.flush()


async def rows_by_id(session: AsyncSession, company_id: int, model: type, ids: set[int]) -> dict:
    """``{id: row}`` for those of ``ids`` that are rows of ``model`` in this company: one
    query however many ids (references of a whole body are resolved with it)."""
    if not ids:
        return {}
    statement = select(model).where(model.company_id == company_id, model.id.in_(ids))
    return {row.id: row for row in (await session.scalars(statement)).all()}


async def rows_by_external_id(
    session: AsyncSession, company_id: int, model: type, external_ids: set[str],
    key: str = "external_id",
) -> list:
    """The rows of the link table ``model`` in this company whose ``key`` column is one
    of ``external_ids``: one query however many (a link table may hold one external id
    once per link type, so the caller picks the row of the type it needs)."""
    if not external_ids:
        return []
    column = getattr(model, key)
    statement = select(model).where(model.company_id == company_id, column.in_(external_ids))
    return list((await session.scalars(statement)).all())
