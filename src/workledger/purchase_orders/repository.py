from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import PurchaseOrder


class PurchaseOrderRepository(TenantRepository[PurchaseOrder]):
    model = PurchaseOrder
    # Lines render with every purchase order: one extra query per page, never one per
    # row; a single purchase order brings its lines in the same query.
    load_options = (selectinload(PurchaseOrder.lines),)
    one_options = (joinedload(PurchaseOrder.lines),)

