from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from workledger.kit.db import NEVER_REUSE_IDS, Base, Id, UTCDateTime


class SandboxRestore(Base):
    """One finished restore of the sandbox from production (docs/sandbox.md).

    The newest row names the sandbox's current copy: every process reads it (at most once
    a second) and moves its sandbox requests there, so a restore switches the whole
    installation at once. ``scheduled_for`` is the cron slot a scheduled restore ran for:
    unique, so one slot is restored once however many processes and machines run it."""

    __tablename__ = "sandbox_restores"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    #: The copy's database name (PostgreSQL) or file (SQLite); never a password.
    database: Mapped[str] = mapped_column(String(500))
    #: ``command``, ``staff`` (the page, with who in ``requested_by``) or ``schedule``.
    trigger: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str | None] = mapped_column(String(320))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The whole restore, and how long it held a snapshot (a read transaction) of production.
    seconds: Mapped[float] = mapped_column(Float)
    snapshot_seconds: Mapped[float] = mapped_column(Float)
    #: Rows copied per table, and their sum.
    rows: Mapped[dict] = mapped_column(JSON)
    total_rows: Mapped[int] = mapped_column(Integer)
