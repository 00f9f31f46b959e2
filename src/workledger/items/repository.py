from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import Item


class ItemRepository(TenantRepository[Item]):
    model = Item
