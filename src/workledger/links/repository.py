from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import CompanyLink, ContactLink


class CompanyLinkRepository(TenantRepository[CompanyLink]):
    model = CompanyLink


class ContactLinkRepository(TenantRepository[ContactLink]):
    model = ContactLink
