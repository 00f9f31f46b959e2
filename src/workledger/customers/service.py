from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workledger.customers.repository import CustomerRepository
from workledger.kit.body import apply_values, sent_values, sync_list
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.resource import ResourceService
from workledger.models import Contact, Customer, CustomerType

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone_number")


class CustomerService(ResourceService[Customer]):
    repository = CustomerRepository

    async def assign(self, obj: Customer, values: Mapping[str, Any], *, creating: bool) -> None:
        apply_values(obj, values, self.fields)
        if creating:
            obj.type = obj.type or CustomerType.company
            obj.contacts = []
        if "contacts" in values:
            obj.contacts = sync_list(
                "contacts",
                list(obj.contacts),
                [sent_values(item) for item in values["contacts"]],
                create=self._new_contact,
                update=lambda contact, item: apply_values(contact, item, CONTACT_FIELDS),
            )
            if not creating:
                obj.updated_at = utcnow()  # the row may be unchanged; its contacts are not
        self._check_name(obj)

    def _new_contact(self, values: Mapping[str, Any]) -> Contact:
        contact = Contact(company_id=self.company_id)
        for name in CONTACT_FIELDS:
            setattr(contact, name, values.get(name, ""))
        return contact

    @staticmethod
    def _check_name(obj: Customer) -> None:
        if obj.type == CustomerType.company and not obj.company_name:
            raise ValidationProblem.single(
                "company_name",
                N_("company_name is required for a company (type 1)").in_language()
            )
        if obj.type == CustomerType.person and not (obj.first_name or obj.last_name):
            raise ValidationProblem.single(
                "last_name",
                N_("a person (type 2) needs a first_name or last_name").in_language()
            )
