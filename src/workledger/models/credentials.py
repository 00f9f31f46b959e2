from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import Base, Entity, Id, UTCDateTime


class CredentialKind(enum.StrEnum):
    company_key = "company_key"


class Credential(Entity, Base):
    """A secret that lets a caller in. Only its HMAC digest is stored (DESIGN §4.7).

    ``digest`` is unique and indexed, so resolving a presented secret is one indexed
    lookup. ``sealed`` holds the encrypted secret for kinds that the documented pages
    show again (the company key); it is empty for every other kind.
    """

    __tablename__ = "credentials"

    company_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CredentialKind] = mapped_column(Enum(CredentialKind, native_enum=False, length=30))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, to recognise it in lists without revealing it.
    hint: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
