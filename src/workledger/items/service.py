from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workledger.items.repository import ItemRepository
from workledger.kit.body import apply_values
from workledger.kit.resource import ResourceService
from workledger.kit.rules import BusinessRule
from workledger.models import Item


class ItemService(ResourceService[Item]):
    repository = ItemRepository
    required = ("number", "name")

    async def assign(self, obj: Item, values: Mapping[str, Any], *, creating: bool) -> None:
        number = values.get("number")
        if number is not None and number != obj.number:
            taken = await self.repo.find(number=number)
            if taken is not None:
                raise BusinessRule.on("number", "number_taken", number=number)
        apply_values(obj, values, self.fields)
