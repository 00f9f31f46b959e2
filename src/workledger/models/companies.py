from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity


class Company(Entity, Base):
    """A tenant — a *goods owner* in warehouse language (DESIGN §3)."""

    __tablename__ = "companies"
    __table_args__ = NEVER_REUSE_IDS

    name: Mapped[str] = mapped_column(String(200))
    #: Switched on per company by staff; while off no integration credential works.
    api_access: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The ERP/CRM package chosen on Settings → Start → ERP/CRM (connector face).
    erp_package: Mapped[str | None] = mapped_column(String(50))
    #: Handling charges a delivery adds (invoice charges): per order and per delivered
    #: line, excluding tax; 0 adds none.
    handling_charge_per_order: Mapped[Decimal] = mapped_column(Numeric(14, 4),
                                                               default=Decimal(0),
                                                               server_default="0")
    handling_charge_per_line: Mapped[Decimal] = mapped_column(Numeric(14, 4),
                                                              default=Decimal(0),
                                                              server_default="0")
