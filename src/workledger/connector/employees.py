"""``PostEmployees`` and ``GetEmployees`` (DESIGN §8, seed 003): the ERP/CRM package
keeps the technicians; they then show on the Settings → Start → ERP/CRM page and can be
named on work orders by ``number``.

An employee in the connector's names: ``{"number", "firstname", "lastname", "email",
"phone"}``; ``number`` and a first or last name are required (1101), the rest optional.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from workledger.auth.principal import Principal
from workledger.connector.protocol import (
    EMPLOYEE_FIELD_MISSING,
    UNPARSABLE_VALUE,
    Call,
    ConnectorFault,
    missing,
    unparsable,
)
from workledger.employees import schemas
from workledger.employees.repository import EmployeeRepository
from workledger.employees.service import EmployeeService
from workledger.models import Employee

#: connector name → ``/v1/employees`` member
FIELDS = {"number": "number", "firstname": "first_name", "lastname": "last_name",
          "email": "email", "phone": "phone_number"}
BACK = {member: name for name, member in FIELDS.items()}


def _values(index: int, entry: dict[str, Any]) -> dict[str, Any]:
    where = f"employee {index + 1}: "
    unknown = sorted(set(entry) - set(FIELDS) - {"active"})
    if unknown:
        raise unparsable(where, unknown[0], "unknown field")
    number = entry.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)  # packages that keep numbers as integers
    if number is None or number == "":
        raise missing(EMPLOYEE_FIELD_MISSING, where, "number")
    if not (entry.get("firstname") or entry.get("lastname")):
        raise missing(EMPLOYEE_FIELD_MISSING, where, "firstname or lastname")
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
    sent = call.array("employees", "employee")
    entries = [_values(index, entry) for index, entry in enumerate(sent)]
    numbers = [values["number"] for values in entries]
    twice = sorted({number for number in numbers if numbers.count(number) > 1})
    if twice:
        raise ConnectorFault(UNPARSABLE_VALUE, f"number {twice[0]} is sent twice")
    service = EmployeeService(session, principal.company_id)
    # Two packages posting one new number at once: the second waits, then updates.
    await service.repo.serialize("number")
    existing = await _by_number(session, principal.company_id, numbers)
    for values in entries:
        found = existing.get(values["number"])
        if found is None:
            await service.create_or_update(values)
        else:
            await service.update(found.id, values)
    return len(entries)


async def _by_number(session: Any, company_id: int, numbers: list[str]) -> dict[str, Employee]:
    statement = select(Employee).where(Employee.company_id == company_id,
                                       Employee.number.in_(numbers))
    return {row.number: row for row in (await session.scalars(statement)).all()}


def shown(employee: Employee) -> dict[str, Any]:
    return {"number": employee.number, "firstname": employee.first_name,
            "lastname": employee.last_name, "email": employee.email,
            "phone": employee.phone_number, "active": employee.active}


async def get_employees(session: Any, principal: Principal, call: Call) -> list[dict]:
    """Every employee of the company, by number."""
    employees = await EmployeeRepository(session, principal.company_id).by_number()
    return [shown(employee) for employee in employees]
