"""Company links and contact links (seed 000): the caller's own ids for our customers,
suppliers and contacts, which bodies may then use as ``customer_external_id``,
``supplier_external_id`` and ``contact_external_id`` (see links/external.py)."""

from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Reference, Resource
from workledger.links import schemas
from workledger.links.service import CompanyLinkService, ContactLinkService
from workledger.models import CompanyLink, Contact, ContactLink, Customer, Supplier

COMPANY_LINKS = Resource(
    names=Names("company link", "company links", N_("No company link with id {id}.")),
    model=CompanyLink,
    read=schemas.CompanyLink,
    create=schemas.CompanyLinkCreate,
    update=schemas.CompanyLinkUpdate,
    service=CompanyLinkService,
    reader=Reader,
    writer=Writer,
    filters=("id", "link_type", "external_id", "customer_id", "supplier_id", "created_at",
             "updated_at"),
    # Not customer_id / supplier_id: one of them is always null, and the databases
    # order nulls differently.
    sorts=("id", "link_type", "external_id", "created_at", "updated_at"),
    references=(Reference("customer_id", Customer), Reference("supplier_id", Supplier)),
)

CONTACT_LINKS = Resource(
    names=Names("contact link", "contact links", N_("No contact link with id {id}.")),
    model=ContactLink,
    read=schemas.ContactLink,
    create=schemas.ContactLinkCreate,
    update=schemas.ContactLinkUpdate,
    service=ContactLinkService,
    reader=Reader,
    writer=Writer,
    filters=("id", "external_id", "contact_id", "created_at", "updated_at"),
    sorts=("id", "external_id", "contact_id", "created_at", "updated_at"),
    references=(Reference("contact_id", Contact),),
)

company_links_router = COMPANY_LINKS.router()
contact_links_router = CONTACT_LINKS.router()
