from __future__ import annotations

from workledger.kit.i18n import N_
from workledger.kit.problems import CannotDelete
from workledger.kit.resource import ResourceService
from workledger.models import Supplier
from workledger.suppliers.repository import SupplierRepository


class SupplierService(ResourceService[Supplier]):
    repository = SupplierRepository
    required = ("company_name",)

    async def check_deletable(self, obj: Supplier) -> None:
        items = await self.repo.referencing_items(obj.id)
        if items:
            raise CannotDelete(
                reason=N_("The supplier cannot be deleted because it is referenced by: "
                          "{items}").say(items=", ".join(
                              N_("Item {number}").say(number=number) for number in items))
            )
