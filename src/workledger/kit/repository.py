"""The base of every tenant-owned repository (DESIGN §2: queries live in repositories).

Every query starts from :meth:`TenantRepository.readable`, the one statement that
filters by ``company_id``. Nothing else filters by tenant, and another company's row is
simply not found (404, no existence leak).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.listing import ListQuery, Page
from workledger.kit.problems import NotFound

M = TypeVar("M")


class TenantRepository(Generic[M]):
    model: ClassVar[type]
    #: Loader options for the relationships a resource renders (they are lazy="raise"):
    #: ``load_options`` for pages of rows (selectin: one more query per page),
    #: ``one_options`` for a single row (joined: the same single round trip).
    load_options: ClassVar[tuple[Any, ...]] = ()
    one_options: ClassVar[tuple[Any, ...] | None] = None

    def __init__(self, session: AsyncSession, company_id: int) -> None:
        self.session = session
        self.company_id = company_id

    def readable(self) -> Select:
        return select(self.model).where(self.model.company_id == self.company_id)

    def listed(self) -> Select:
        return self.readable().options(*self.load_options)

    async def _first(self, statement: Select) -> M | None:
        options = self.load_options if self.one_options is None else self.one_options
        return (await self.session.scalars(statement.options(*options))).unique().first()

    async def get(self, object_id: int) -> M:
        obj = await self._first(self.readable().where(self.model.id == object_id))
        if obj is None:
            raise NotFound(f"No {self.model.__tablename__[:-1]} with id {object_id}.")
        return obj

    async def find(self, **equals: Any) -> M | None:
        return await self._first(self.readable().filter_by(**equals))

    async def exists(self, object_id: int) -> bool:
        statement = (
            select(self.model.id)
            .where(self.model.company_id == self.company_id, self.model.id == object_id)
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
