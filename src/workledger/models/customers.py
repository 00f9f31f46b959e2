from __future__ import annotations

import enum

from sqlalchemy import Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workledger.kit.db import (
    NEVER_REUSE_IDS,
    Base,
    TenantOwned,
    tenant_indexes,
    tenant_join,
    tenant_reference,
)

# Filterable and sortable columns, each backed by a (company_id, column) index; import_id
# and number are covered by their unique constraints.
CUSTOMER_FIELDS = ("type", "status", "company_name", "first_name", "last_name", "email",
                   "phone_number", "created_at", "updated_at")


class CustomerType(enum.IntEnum):
    company = 1
    person = 2


class CustomerStatus(enum.IntEnum):
    customer = 1
    lead = 2


class Customer(TenantOwned, Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("company_id", "import_id"),
        *tenant_indexes("customers", *CUSTOMER_FIELDS),
        NEVER_REUSE_IDS,
    )

    # Small integers, as the seeds number them; the schemas restrict the values.
    type: Mapped[int] = mapped_column(SmallInteger, default=CustomerType.company)
    status: Mapped[int] = mapped_column(SmallInteger, default=CustomerStatus.customer)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone_number: Mapped[str] = mapped_column(String(50), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    import_id: Mapped[str | None] = mapped_column(String(50))

    contacts: Mapped[list[Contact]] = relationship(
        primaryjoin=lambda: tenant_join(Customer, Contact.customer_id),
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="Contact.id",
        lazy="raise",
    )


class Contact(TenantOwned, Base):
    __tablename__ = "contacts"
    __table_args__ = NEVER_REUSE_IDS

    customer_id: Mapped[int] = tenant_reference("customers", ondelete="CASCADE")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone_number: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    customer: Mapped[Customer] = relationship(
        primaryjoin=lambda: tenant_join(Customer, Contact.customer_id),
        back_populates="contacts",
        lazy="raise",
    )
