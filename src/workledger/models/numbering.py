"""Number series: the numbers Workledger issues (orders, purchase orders, work orders)."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, TenantOwned


class NumberSeries(TenantOwned, Base):
    """The last number issued in one series of one company. Issuing locks this row, so
    two concurrent orders never get the same number and none is skipped by a rollback."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("company_id", "name"), NEVER_REUSE_IDS)

    name: Mapped[str] = mapped_column(String(30))
    last_number: Mapped[int] = mapped_column(Integer, default=0)
