from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workledger.items.repository import ItemRepository
from workledger.kit.body import apply_values
from workledger.kit.resource import ResourceService
from workledger.kit.rules import BusinessRule, InvalidReference
from workledger.models import Item
from workledger.suppliers.repository import SupplierRepository


class ItemService(ResourceService[Item]):
    repository = ItemRepository
    fields = ("number", "name", "kind", "unit", "sales_price", "purchase_price", "tax_rate",
              "supplier_id", "import_id")
    required = ("number", "name")

    async def assign(self, obj: Item, values: Mapping[str, Any], *, creating: bool) -> None:
        number = values.get("number")
        if number is not None and number != obj.number:
            taken = await self.repo.find(number=number)
            if taken is not None:
                raise BusinessRule.on("number", "number_taken", number=number)
        supplier_id = values.get("supplier_id")
        suppliers = SupplierRepository(self.session, self.company_id)
        if (
            supplier_id is not None
            and supplier_id != obj.supplier_id
            and not await suppliers.exists(supplier_id)
        ):
            raise InvalidReference.on("supplier_id")
        apply_values(obj, values, self.fields)
