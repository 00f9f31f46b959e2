from __future__ import annotations

from sqlalchemy import Boolean, String
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
