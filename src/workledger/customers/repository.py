from __future__ import annotations

from sqlalchemy.orm import selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import Customer


class CustomerRepository(TenantRepository[Customer]):
    model = Customer
    # Contacts render with every customer: one extra query per page, never one per row.
    load_options = (selectinload(Customer.contacts),)
