from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes

# Filterable and sortable columns, each backed by a (company_id, column) index; code and
# import_id are covered by their unique constraints.
WAREHOUSE_FIELDS = ("name", "created_at", "updated_at")
#: The code of the warehouse every company starts with (DESIGN §7.1).
DEFAULT_WAREHOUSE_CODE = "MAIN"


class Warehouse(TenantOwned, Base):
    __tablename__ = "warehouses"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("warehouses", *WAREHOUSE_FIELDS),
        NEVER_REUSE_IDS,
    )

    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The warehouse orders and purchase orders use when they name none: the one made
    #: with the company (code MAIN). A flag, not the code, so the code may be renamed.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[str | None] = mapped_column(String(50))
