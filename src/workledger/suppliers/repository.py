from __future__ import annotations

from sqlalchemy import select

from workledger.kit.repository import TenantRepository
from workledger.models import Item, Supplier


class SupplierRepository(TenantRepository[Supplier]):
    model = Supplier

    async def referencing_items(self, supplier_id: int, limit: int = 5) -> list[str]:
        """Numbers of items that name this supplier as their default supplier."""
        statement = (
            select(Item.number)
            .where(Item.company_id == self.company_id, Item.supplier_id == supplier_id)
            .order_by(Item.id)
            .limit(limit)
        )
        return list((await self.session.scalars(statement)).all())
