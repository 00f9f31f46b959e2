from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes

# Filterable and sortable columns, each backed by a (company_id, column) index; import_id
# and number are covered by their unique constraints.
SUPPLIER_FIELDS = ("company_name", "email", "phone_number", "created_at",
                   "updated_at")


class Supplier(TenantOwned, Base):
    __tablename__ = "suppliers"
    __table_args__ = (
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("suppliers", *SUPPLIER_FIELDS),
        NEVER_REUSE_IDS,
    )

    company_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone_number: Mapped[str] = mapped_column(String(50), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    import_id: Mapped[str | None] = mapped_column(String(50))
