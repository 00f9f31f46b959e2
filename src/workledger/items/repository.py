from __future__ import annotations

from collections.abc import Collection

from workledger.kit.repository import TenantRepository
from workledger.models import Item


class ItemRepository(TenantRepository[Item]):
    model = Item

    async def by_number(self, numbers: Collection[str]) -> dict[str, Item]:
        """``{number: item}`` for those of ``numbers`` that are this company's items: one
        query however many lines name their item by number."""
        if not numbers:
            return {}
        statement = self.readable().where(Item.number.in_(sorted(numbers)))
        return {item.number: item for item in (await self.session.scalars(statement)).all()}
