from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workledger.employees.repository import EmployeeRepository
from workledger.kit.body import apply_values
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.resource import ResourceService
from workledger.kit.rules import BusinessRule
from workledger.models import Employee


class EmployeeService(ResourceService[Employee]):
    """``number`` is required and unique per company (422 code 30 ``number_taken``, as
    items); an employee needs a first or last name."""

    repository = EmployeeRepository
    required = ("number",)

    async def assign(self, obj: Employee, values: Mapping[str, Any], *, creating: bool) -> None:
        number = values.get("number")
        if (number is not None and number != obj.number
                and await self.repo.find(number=number) is not None):
            raise BusinessRule.on("number", "number_taken", number=number)
        apply_values(obj, values, self.fields)
        if not (obj.first_name or obj.last_name):
            raise ValidationProblem.single(
                "last_name", N_("an employee needs a first_name or last_name").in_language()
            )
