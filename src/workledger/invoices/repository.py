from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import Invoice


class InvoiceRepository(TenantRepository[Invoice]):
    model = Invoice
