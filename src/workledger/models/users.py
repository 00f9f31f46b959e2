from __future__ import annotations

import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity, Id


class UserRole(enum.StrEnum):
    admin = "admin"
    member = "member"


class User(Entity, Base):
    """A person who logs in to the pages. Staff is a flag, not a company role.

    Not a tenant table: staff belong to no company (``company_id`` NULL), a login finds
    the user by e-mail across the installation, and ``set_user`` may move a user to
    another company. Nothing tenant-owned refers to a user yet.
    """

    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    company_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(
        Enum(UserRole, native_enum=False, length=20), default=UserRole.member
    )
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
