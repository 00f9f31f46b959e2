from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.body import apply_values
from workledger.kit.i18n import N_
from workledger.kit.problems import CannotDelete
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import BusinessRule
from workledger.models import Warehouse
from workledger.stock.repository import StockLevelRepository
from workledger.warehouses.repository import WarehouseRepository


class WarehouseService(ResourceService[Warehouse]):
    """``code`` is required and unique per company (422 code 30 ``value_taken``); the
    default warehouse cannot be deleted (422 code 3)."""

    repository = WarehouseRepository
    required = ("code",)
    read_only = (*READ_ONLY_DEFAULT, "is_default")

    async def assign(self, obj: Warehouse, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        code = values.get("code")
        if (code is not None and code != obj.code
                and await self.repo.find(code=code) is not None):
            raise BusinessRule.on("code", "value_taken", value=code)
        apply_values(obj, values, self.fields)
        if creating:
            obj.is_default = False

    async def check_deletable(self, obj: Warehouse) -> None:
        if obj.is_default:
            raise CannotDelete(
                reason=N_("The warehouse {code} is the default warehouse: orders and "
                          "purchase orders that name none use it.").say(code=obj.code)
            )
        # -- stock (issue 8, DESIGN §7.2) --
        holding, moved = await StockLevelRepository(
            self.session, self.company_id).holds_stock_or_moved(obj.id)
        if holding:
            raise CannotDelete(reason=N_("The warehouse {code} holds stock (on hand, "
                                         "allocated or incoming).").say(code=obj.code))
        if moved:
            raise CannotDelete(reason=N_(
                "The warehouse {code} is named by stock movements or equipment: the ledger "
                "keeps its history.").say(code=obj.code))
        # Orders and purchase orders refer to warehouses with RESTRICT, which kit.resource
        # turns into 422 code 3 as well.
        # -- end of stock --

async def default_warehouse(session: AsyncSession, company_id: int) -> Warehouse:
    """The warehouse an order or purchase order uses when it names none (DESIGN §7.1):
    the company's default, made with it (code ``MAIN`` unless renamed)."""
    return await WarehouseRepository(session, company_id).default()


async def create_default_warehouse(session: AsyncSession, company_id: int) -> Warehouse:
    """``MAIN``, for a company being created (companies.service.create_company)."""
    return await WarehouseRepository(session, company_id).add_default()
