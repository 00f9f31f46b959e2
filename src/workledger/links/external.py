"""How ``customer_external_id``, ``supplier_external_id`` and ``contact_external_id``
find our rows (DESIGN §7): through the company's links, of the right type.

A resource accepts them by naming the spec on its reference, and declaring the member
(``kit.types.ExternalId``) in its write schemas::

    references=(Reference("supplier_id", Supplier, external=SUPPLIER_LINK),)
"""

from __future__ import annotations

from workledger.kit.resource import LinkSpec
from workledger.models import CompanyLink, ContactLink, LinkType

CUSTOMER_LINK = LinkSpec(CompanyLink, "customer_id", noun="customer",
                         where=(("link_type", LinkType.customer.value),))
SUPPLIER_LINK = LinkSpec(CompanyLink, "supplier_id", noun="supplier",
                         where=(("link_type", LinkType.supplier.value),))
CONTACT_LINK = LinkSpec(ContactLink, "contact_id", noun="contact")
