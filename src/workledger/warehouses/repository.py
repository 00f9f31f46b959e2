from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import DEFAULT_WAREHOUSE_CODE, Warehouse


class WarehouseRepository(TenantRepository[Warehouse]):
    model = Warehouse

    async def default(self) -> Warehouse:
        """The company's default warehouse (made with the company, never deleted)."""
        warehouse = await self.find(is_default=True)
        if warehouse is None:  # every company has one: made with it, or by migration 0004
            raise LookupError(f"company {self.company_id} has no default warehouse")
        return warehouse

    async def add_default(self) -> Warehouse:
        """Make the default warehouse ``MAIN`` of a new company."""
        return await self.add(Warehouse(company_id=self.company_id, code=DEFAULT_WAREHOUSE_CODE,
                                        name="Main warehouse", is_default=True))
