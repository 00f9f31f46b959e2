"""Queries of the automation API. They span companies on purpose (seed 001: an
automation user reaches every goods owner), but only companies with API access: the
others are invisible here, as they are to every integration credential."""

from __future__ import annotations

from collections.abc import Collection
from types import SimpleNamespace

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from workledger.kit.db import tenant_join
from workledger.kit.listing import ListQuery, Page
from workledger.models import Company, Item, Order, OrderLine, OrderStatus

#: Orders whose lines the ``pick`` action takes and that can hold allocations.
PICKABLE = (OrderStatus.allocated.value, OrderStatus.picked.value)
#: The columns the pick list filters and sorts on, by their names in the answer.
PICK_LIST_COLUMNS = SimpleNamespace(
    id=OrderLine.id, company_id=OrderLine.company_id, order_id=OrderLine.order_id,
    warehouse_id=Order.warehouse_id, item_id=OrderLine.item_id,
)


class AutomationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_company(self, company_id: int) -> bool:
        """Whether ``company_id`` is a company with API access (the others do not exist
        for an automation user)."""
        found = await self.session.scalar(select(Company.id).where(
            Company.id == company_id, Company.api_access.is_(True)))
        return found is not None

    async def open_companies(self) -> list[Company]:
        """Every company with API access, by id."""
        statement = select(Company).where(Company.api_access.is_(True)).order_by(Company.id)
        return list((await self.session.scalars(statement)).all())

    def pick_list(self) -> Select:
        """Allocated, unpicked order lines of every company with API access, each with
        its order."""
        return (
            select(OrderLine)
            .join(Order, tenant_join(Order, OrderLine.order_id))
            .join(Company, Company.id == OrderLine.company_id)
            .where(Company.api_access.is_(True), Order.status.in_(PICKABLE),
                   OrderLine.allocated_quantity > OrderLine.picked_quantity)
            .options(contains_eager(OrderLine.order))
        )

    async def page(self, query: ListQuery) -> Page:
        return await query.fetch(self.session, self.pick_list())

    async def item_numbers(self, item_ids: Collection[int]) -> dict[int, str]:
        """``{item id: number}`` for the items of a page (ids are unique across
        companies): one query."""
        if not item_ids:
            return {}
        statement = select(Item.id, Item.number).where(Item.id.in_(sorted(item_ids)))
        return dict((await self.session.execute(statement)).all())

    async def line_order(self, company_id: int, line_id: int) -> int | None:
        """The order of the company's order line ``line_id``, if it has one."""
        return await self.session.scalar(select(OrderLine.order_id).where(
            OrderLine.company_id == company_id, OrderLine.id == line_id))
