from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import Customer


class CustomerRepository(TenantRepository[Customer]):
    model = Customer
    # Contacts render with every customer: one extra query per page, never one per row;
    # a single customer brings its contacts in the same query.
    load_options = (selectinload(Customer.contacts),)
    one_options = (joinedload(Customer.contacts),)
