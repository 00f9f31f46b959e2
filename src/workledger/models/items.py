from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned, tenant_indexes, tenant_reference

# Filterable and sortable columns, each backed by a (company_id, column) index; import_id
# and number are covered by their unique constraints.
ITEM_FIELDS = ("name", "kind", "sales_price", "purchase_price", "supplier_id",
               "created_at", "updated_at")


class ItemKind(enum.StrEnum):
    """Unique equipment is serialised and returnable; the rest are non-unique (seed 000)."""

    unique = "unique"
    consumable = "consumable"
    stock_goods = "stock_goods"
    part = "part"


class Item(TenantOwned, Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("items", *ITEM_FIELDS),
        NEVER_REUSE_IDS,
    )

    number: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=ItemKind.stock_goods.value)
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    sales_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    purchase_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    #: RESTRICT: a supplier still named here cannot be deleted (422 code 3 with a reason).
    supplier_id: Mapped[int | None] = tenant_reference("suppliers", ondelete="RESTRICT")
    import_id: Mapped[str | None] = mapped_column(String(50))
