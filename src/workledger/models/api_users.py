from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity, TenantOwned


class ApiUser(TenantOwned, Base):
    """A goods-owner API user (seed 001): HTTP Basic ``WSI…:password``, REST and SOAP.

    ``username`` is unique across the installation, not per company, because Basic auth
    presents only the username; like ``users.email`` it is the exception to the rule that
    unique keys start with ``company_id``. It is a tenant table all the same
    (:class:`TenantOwned`: ``(company_id, id)`` is unique), so tenant rows may refer to an
    API user with :func:`~workledger.kit.db.tenant_reference`.
    """

    __tablename__ = "api_users"
    __table_args__ = NEVER_REUSE_IDS

    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    integration_system: Mapped[str] = mapped_column(String(100), default="")
    #: "Allow this user to see invoicing information in the API" — off by default.
    invoices_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class AutomationUser(Entity, Base):
    """An automation API user (seed 001): reaches every goods owner.

    Not a tenant table: it has no ``company_id`` (it names its company per request with
    ``X-Company-Id``), so it has no ``(company_id, id)`` key and nothing tenant-owned
    may refer to it; a Citus layout would make it a reference table.
    """

    __tablename__ = "automation_users"
    __table_args__ = NEVER_REUSE_IDS

    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
