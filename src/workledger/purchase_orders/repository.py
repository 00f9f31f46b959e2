from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import Item, PurchaseOrder


class PurchaseOrderRepository(TenantRepository[PurchaseOrder]):
    model = PurchaseOrder
    # Lines render with every purchase order: one extra query per page, never one per
    # row; a single purchase order brings its lines in the same query.
    load_options = (selectinload(PurchaseOrder.lines),)
    one_options = (joinedload(PurchaseOrder.lines),)

    async def items_by_number(self, numbers: Collection[str]) -> dict[str, Item]:
        """``{number: item}`` for those of ``numbers`` that are this company's items: one
        query however many lines name their item by number."""
        if not numbers:
            return {}
        statement = select(Item).where(Item.company_id == self.company_id,
                                       Item.number.in_(sorted(numbers)))
        return {item.number: item for item in (await self.session.scalars(statement)).all()}
