from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity, Id, UTCDateTime


class CredentialKind(enum.StrEnum):
    #: Long-lived company token (``Authorization: Key``), shown again on its settings page.
    company_key = "company_key"
    #: API e-mail + key for HTTP Basic (page Settings → API settings).
    api_key = "api_key"
    #: Short-lived Bearer token from ``POST /v1/Account/token`` (60 minutes).
    session_token = "session_token"
    #: ``?token=`` of the connector face, chosen per ERP/CRM package; never changes.
    connector_token = "connector_token"
    #: ``X-API-Authorization`` for the company management endpoints, issued by staff.
    company_admin_token = "company_admin_token"


class Credential(Entity, Base):
    """A secret that lets a caller in. Only its HMAC digest is stored (DESIGN §4.7).

    ``digest`` is unique and indexed, so resolving a presented secret is one indexed
    lookup. ``sealed`` holds the encrypted secret for kinds that the documented pages
    show again (the company key); it is empty for every other kind.

    Not a tenant table, though most rows have a company: staff's session tokens have
    none (``company_id`` NULL), and a secret is resolved by its digest before any company
    is known. So no ``(company_id, id)`` key, and ``user_id`` stays a plain foreign key:
    as ``(company_id, user_id)`` it would go unchecked for staff (MATCH SIMPLE skips a key
    with a NULL column) and would stop a user from moving to another company, which
    ``set_user`` does after revoking the user's tokens (the revoked rows keep the old
    company).
    """

    __tablename__ = "credentials"
    __table_args__ = NEVER_REUSE_IDS

    company_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CredentialKind] = mapped_column(Enum(CredentialKind, native_enum=False, length=30))
    #: The public half of a Basic-auth credential (the API e-mail of an API key).
    login: Mapped[str | None] = mapped_column(String(254), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, to recognise it in lists without revealing it.
    hint: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
