"""OAuth 2.0: registered applications, authorization codes and tokens (DESIGN §6).

None of these tables is tenant-owned: an application is registered once by staff and
any user of any company may authorize it; the data it reaches is the consenting user's
company's. Every secret (client secret, code, access and refresh token) is stored only
as its keyed digest (DESIGN §4.7), looked up through a unique index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity, Id, UTCDateTime


class OAuthClient(Entity, Base):
    """A third-party application, registered by staff (seed 002 "Client Credentials")."""

    __tablename__ = "oauth_clients"
    __table_args__ = NEVER_REUSE_IDS

    #: Public identifier the application sends as ``client_id``.
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: The integrator's company (free text: it is not one of our tenants).
    company_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    logo_url: Mapped[str] = mapped_column(String(2000), default="")
    website_url: Mapped[str] = mapped_column(String(2000))
    #: Exact redirect URIs; the one sent at /oauth2/auth must equal one of them.
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    #: Digest of the client secret; ``None`` for a public client (which must use PKCE).
    secret_digest: Mapped[str | None] = mapped_column(String(64))
    secret_hint: Mapped[str | None] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def is_public(self) -> bool:
        return self.secret_digest is None


class OAuthAuthorizationCode(Entity, Base):
    """A code handed to the application after consent: single-use, ≤ 10 minutes."""

    __tablename__ = "oauth_authorization_codes"
    __table_args__ = NEVER_REUSE_IDS

    oauth_client_id: Mapped[int] = mapped_column(
        Id, ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(100))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set by the one exchange that wins (``UPDATE ... WHERE used_at IS NULL``).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthToken(Entity, Base):
    """An access token with its refresh token. Refreshing makes a new row in the same
    family and marks this one ``refreshed_at``; presenting a refreshed (rotated) refresh
    token again revokes the whole family (RFC 9700 §4.14.2)."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (
        Index("ix_oauth_tokens_user_id_oauth_client_id", "user_id", "oauth_client_id"),
        NEVER_REUSE_IDS,
    )

    oauth_client_id: Mapped[int] = mapped_column(
        Id, ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    #: The code the family started from: a replayed code revokes what it issued.
    authorization_code_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("oauth_authorization_codes.id", ondelete="SET NULL"), index=True
    )
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(100))
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The refresh token was exchanged (rotated); the access token lives on until expiry.
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Both halves are dead (user revoked, staff disabled, reuse detected).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
