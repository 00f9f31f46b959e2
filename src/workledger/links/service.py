from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workledger.kit.body import apply_values
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.resource import ResourceService
from workledger.kit.rules import BusinessRule
from workledger.links.repository import CompanyLinkRepository, ContactLinkRepository
from workledger.models import CompanyLink, ContactLink, LinkType

#: link_type → the member naming the row it links to, and the member it must not send.
TARGETS = {LinkType.customer: ("customer_id", "supplier_id"),
           LinkType.supplier: ("supplier_id", "customer_id")}


class CompanyLinkService(ResourceService[CompanyLink]):
    """A link names exactly the row its type says: a customer link a ``customer_id``, a
    supplier link a ``supplier_id`` (the other is a 400); its ``external_id`` is unique
    per company and link type (422 code 30 ``value_taken``)."""

    repository = CompanyLinkRepository
    required = ("link_type", "external_id")

    async def assign(self, obj: CompanyLink, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        if not creating and values.get("link_type", obj.link_type) != obj.link_type:
            raise ValidationProblem.single(
                "link_type", N_("link_type cannot be changed: delete the link and create "
                                "another").in_language()
            )
        link_type = LinkType(values.get("link_type", obj.link_type))
        target, other = TARGETS[link_type]
        if other in values:
            raise ValidationProblem.single(
                other, N_("a {link_type} link names a {target}, not a {other}").say(
                    link_type=link_type.value, target=target, other=other)
            )
        if creating and target not in values:
            raise ValidationProblem.single(target, N_(
                "{target} is required for a {link_type} link").say(
                    target=target, link_type=link_type.value))
        external_id = values.get("external_id")
        if external_id is not None and external_id != obj.external_id:
            taken = await self.repo.find(link_type=link_type.value, external_id=external_id)
            if taken is not None:
                raise BusinessRule.on("external_id", "value_taken", value=external_id)
        apply_values(obj, values, self.fields)


class ContactLinkService(ResourceService[ContactLink]):
    """``external_id`` is unique per company (422 code 30 ``value_taken``)."""

    repository = ContactLinkRepository
    required = ("external_id", "contact_id")

    async def assign(self, obj: ContactLink, values: Mapping[str, Any], *, creating: bool
                     ) -> None:
        external_id = values.get("external_id")
        if (external_id is not None and external_id != obj.external_id
                and await self.repo.find(external_id=external_id) is not None):
            raise BusinessRule.on("external_id", "value_taken", value=external_id)
        apply_values(obj, values, self.fields)
