from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from workledger.kit.db import NEVER_REUSE_IDS, Base, Entity, UTCDateTime


class IdempotencyKey(Entity, Base):
    """A POST that carried ``Idempotency-Key``, and once it succeeded, its answer.

    Keyed by credential, not by company: an automation user's keys span companies, and
    two credentials of one company never share keys. Kept 24 hours (``expires_at``)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("credential", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
        NEVER_REUSE_IDS,
    )

    #: The principal's rate-limit key: one credential (``company_key:12``).
    credential: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path, query and body: the same key with another request is 409.
    request_digest: Mapped[str] = mapped_column(String(64))
    #: ``None`` while the first request runs; the answer's status once it succeeded.
    status: Mapped[int | None] = mapped_column(SmallInteger)
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: While running: when a crashed first attempt may be taken over.
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
