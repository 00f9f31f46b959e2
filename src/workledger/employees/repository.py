from __future__ import annotations

from workledger.kit.repository import TenantRepository
from workledger.models import Employee


class EmployeeRepository(TenantRepository[Employee]):
    model = Employee
