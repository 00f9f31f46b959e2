from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import Employee


class EmployeeRepository(TenantRepository[Employee]):
    model = Employee

    async def by_number(self) -> list[Employee]:
        """Every employee of the company, by number (the connector's ``GetEmployees`` and
        the ERP/CRM page)."""
        statement = self.readable().order_by(Employee.number, Employee.id)
        return list((await self.session.scalars(statement)).all())
