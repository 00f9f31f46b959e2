from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.employees import schemas
from workledger.employees.service import EmployeeService
from workledger.kit.i18n import N_
from workledger.kit.resource import Names, Resource
from workledger.models import Employee

EMPLOYEES = Resource(
    names=Names("employee", "employees", N_("No employee with id {id}.")),
    model=Employee,
    read=schemas.Employee,
    create=schemas.EmployeeCreate,
    update=schemas.EmployeeUpdate,
    service=EmployeeService,
    reader=Reader,
    writer=Writer,
    filters=("id", "number", "first_name", "last_name", "email", "phone_number", "active",
             "import_id", "created_at", "updated_at"),
    sorts=("id", "number", "first_name", "last_name", "email", "active", "created_at",
           "updated_at"),
)

router = EMPLOYEES.router()
