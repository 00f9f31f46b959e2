from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes

# Filterable and sortable columns, each backed by a (company_id, column) index; import_id
# and number are covered by their unique constraints.
EMPLOYEE_FIELDS = ("first_name", "last_name", "email", "phone_number", "active",
                   "created_at", "updated_at")


class Employee(TenantOwned, Base):
    """A person who does the work: planned on work orders, named by the connector's
    ``PostEmployees`` (which upserts by ``number``)."""

    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("employees", *EMPLOYEE_FIELDS),
        NEVER_REUSE_IDS,
    )

    number: Mapped[str] = mapped_column(String(30))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone_number: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    import_id: Mapped[str | None] = mapped_column(String(50))
