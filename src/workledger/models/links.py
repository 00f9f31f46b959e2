"""The caller's own ids for our rows (seed 000 "Company links", "Contact links").

An integrator keeps its customer and supplier numbers; a link maps one of them (the
*external id*) onto one of our customers or suppliers, so a body may name
``customer_external_id`` instead of ``customer_id``.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes, tenant_reference

# Filterable and sortable columns, each backed by an index starting with company_id;
# link_type is covered by the unique key (company_id, link_type, external_id).
COMPANY_LINK_FIELDS = ("external_id", "customer_id", "supplier_id", "created_at", "updated_at")
CONTACT_LINK_FIELDS = ("contact_id", "created_at", "updated_at")


class LinkType(enum.StrEnum):
    customer = "customer"
    supplier = "supplier"


class CompanyLink(TenantOwned, Base):
    __tablename__ = "company_links"
    __table_args__ = (
        # The seed's rule: an external id exists once "with the correct link type".
        UniqueConstraint("company_id", "link_type", "external_id"),
        *tenant_indexes("company_links", *COMPANY_LINK_FIELDS),
        # A link names exactly the row its type says; the service answers 400 before this
        # could fail, the database keeps it true whatever writes the row.
        CheckConstraint(
            "(link_type = 'customer' AND customer_id IS NOT NULL AND supplier_id IS NULL) OR "
            "(link_type = 'supplier' AND supplier_id IS NOT NULL AND customer_id IS NULL)",
            name="one_target",
        ),
        NEVER_REUSE_IDS,
    )

    link_type: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(50))
    #: CASCADE: a link to a deleted customer or supplier maps onto nothing.
    customer_id: Mapped[int | None] = tenant_reference("customers", ondelete="CASCADE")
    supplier_id: Mapped[int | None] = tenant_reference("suppliers", ondelete="CASCADE")


class ContactLink(TenantOwned, Base):
    __tablename__ = "contact_links"
    __table_args__ = (
        UniqueConstraint("company_id", "external_id"),
        *tenant_indexes("contact_links", *CONTACT_LINK_FIELDS),
        NEVER_REUSE_IDS,
    )

    external_id: Mapped[str] = mapped_column(String(50))
    #: CASCADE: contacts are replaced with their customer's list (a contact left out of
    #: ``contacts`` is deleted), and its link goes with it.
    contact_id: Mapped[int] = tenant_reference("contacts", ondelete="CASCADE")
