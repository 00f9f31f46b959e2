from __future__ import annotations

from collections.abc import Collection

from workledger.kit.repository import TenantRepository
from workledger.models import Employee


class EmployeeRepository(TenantRepository[Employee]):
    model = Employee

    async def by_number(self) -> list[Employee]:
        """Every employee of the company, by number (the connector's ``GetEmployees`` and
        the ERP/CRM page)."""
        statement = self.readable().order_by(Employee.number, Employee.id)
        return list((await self.session.scalars(statement)).all())

    async def with_numbers(self, numbers: Collection[str]) -> dict[str, Employee]:
        """``{number: employee}`` for those of ``numbers`` the company has: one query."""
        if not numbers:
            return {}
        statement = self.readable().where(Employee.number.in_(sorted(numbers)))
        return {row.number: row for row in (await self.session.scalars(statement)).all()}
