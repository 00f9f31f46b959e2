"""Equipment (DESIGN §7.4, seed 000 "unique and non-unique equipment", "main and sub
equipment"): every unit of a unique item from the moment it is received, and what a
delivery leaves at a customer."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    tenant_indexes,
    tenant_join,
    tenant_reference,
)

EQUIPMENT_FIELDS = ("kind", "serial_number", "quantity", "status", "warehouse_id",
                    "customer_id", "main_equipment_id", "order_line_id", "installed_at",
                    "warranty_until", "created_at", "updated_at")


class EquipmentStatus(enum.StrEnum):
    in_stock = "in_stock"
    at_customer = "at_customer"
    sold = "sold"
    returned = "returned"
    scrapped = "scrapped"


class Equipment(TenantOwned, Base):
    __tablename__ = "equipment"
    __table_args__ = (
        # NULL serials (non-unique kinds) never collide: NULLs are distinct in both
        # databases' unique keys.
        UniqueConstraint("company_id", "item_id", "serial_number"),
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("equipment", *EQUIPMENT_FIELDS),
        NEVER_REUSE_IDS,
    )

    item_id: Mapped[int] = tenant_reference("items", ondelete="RESTRICT")
    #: The item's kind when the record was made (read-only).
    kind: Mapped[str] = mapped_column(String(20))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(1))
    status: Mapped[str] = mapped_column(String(20), default=EquipmentStatus.at_customer.value)
    warehouse_id: Mapped[int | None] = tenant_reference("warehouses", ondelete="RESTRICT")
    customer_id: Mapped[int | None] = tenant_reference("customers", ondelete="RESTRICT")
    #: RESTRICT: a main cannot be deleted while it has subs.
    main_equipment_id: Mapped[int | None] = tenant_reference("equipment", ondelete="RESTRICT")
    order_line_id: Mapped[int | None] = tenant_reference("order_lines", ondelete="RESTRICT")
    properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    installed_at: Mapped[date | None] = mapped_column(Date)
    warranty_until: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[str | None] = mapped_column(String(50))

    sub_equipment: Mapped[list[Equipment]] = relationship(
        primaryjoin=lambda: tenant_join(Equipment, Equipment.main_equipment_id),
        order_by="Equipment.id",
        lazy="raise",
        viewonly=True,
    )

    @property
    def sub_equipment_ids(self) -> list[int]:
        return [sub.id for sub in self.sub_equipment]
