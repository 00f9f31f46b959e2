"""``PostEmployees`` and ``GetEmployees`` (DESIGN §8, seed 003): the ERP/CRM package
keeps the technicians; they then show on the Settings → Start → ERP/CRM page and can be
named on work orders by ``number``.

An employee in the connector's names: ``{"number", "firstname", "lastname", "email",
"phone"}``; ``number`` and a first or last name are required (1101), the rest optional.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workledger.auth.principal import Principal
from workledger.connector.protocol import (
    EMPLOYEE_FIELD_MISSING,
    UNKNOWN_FIELD,
    UNPARSABLE_VALUE,
    Call,
    ConnectorFault,
    missing,
    place,
    unparsable,
)
from workledger.employees import schemas
from workledger.employees.repository import EmployeeRepository
from workledger.employees.service import EmployeeService
from workledger.kit.i18n import N_
from workledger.models import Employee

#: Where in the body an employee is: "employee 1: ".
EMPLOYEE = N_("employee {number}: ")
#: connector name → ``/v1/employees`` member
FIELDS = {"number": "number", "firstname": "first_name", "lastname": "last_name",
          "email": "email", "phone": "phone_number"}
BACK = {member: name for name, member in FIELDS.items()}


def _values(index: int, entry: dict[str, Any]) -> dict[str, Any]:
    where = place(EMPLOYEE, index)
    unknown = sorted(set(entry) - set(FIELDS) - {"active"})
    if unknown:
        raise unparsable(where, unknown[0], UNKNOWN_FIELD.in_language())
    number = entry.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)  # packages that keep numbers as integers
    if number is None or number == "":
        raise missing(EMPLOYEE_FIELD_MISSING, where, "number")
    if not (entry.get("firstname") or entry.get("lastname")):
        raise ConnectorFault(EMPLOYEE_FIELD_MISSING, N_(
            "{where}firstname or lastname is missing").say(where=where))
    values = {FIELDS[name]: value for name, value in entry.items() if name in FIELDS}
    values["number"] = number
    if "active" in entry:
        values["active"] = entry["active"]
    try:
        return schemas.EmployeeCreate.model_validate(values).model_dump(exclude_unset=True)
    except ValidationError as error:
        first = error.errors()[0]
        member = str(first["loc"][0]) if first["loc"] else "entry"
        raise unparsable(where, BACK.get(member, member), first["msg"]) from None


async def post_employees(session: Any, principal: Principal, call: Call) -> int:
    """Create or update each employee by ``number``; all or nothing. Answers how many
    were stored."""
    sent = call.array((N_("expected a JSON array of employees"),
                       N_("at most {maximum} employees per call")), EMPLOYEE)
    entries = [_values(index, entry) for index, entry in enumerate(sent)]
    numbers = [values["number"] for values in entries]
    twice = sorted({number for number in numbers if numbers.count(number) > 1})
    if twice:
        raise ConnectorFault(UNPARSABLE_VALUE, N_("number {number} is sent twice").say(
            number=twice[0]))
    service = EmployeeService(session, principal.company_id)
    # Two packages posting one new number at once: the second waits, then updates.
    await service.repo.serialize("number")
    existing = await service.repo.with_numbers(numbers)
    for values in entries:
        found = existing.get(values["number"])
        if found is None:
            await service.create_or_update(values)
        else:
            await service.update(found.id, values)
    return len(entries)


def shown(employee: Employee) -> dict[str, Any]:
    return {"number": employee.number, "firstname": employee.first_name,
            "lastname": employee.last_name, "email": employee.email,
            "phone": employee.phone_number, "active": employee.active}


async def get_employees(session: Any, principal: Principal, call: Call) -> list[dict]:
    """Every employee of the company, by number."""
    employees = await EmployeeRepository(session, principal.company_id).by_number()
    return [shown(employee) for employee in employees]
