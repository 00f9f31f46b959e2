"""The few reads the pages need beyond the administration services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.repository import CredentialRepository
from workledger.kit.db import utcnow
from workledger.models import ApiUser, Company, CredentialKind


@dataclass(frozen=True)
class GoodsOwnerRow:
    id: int
    name: str
    api_access: bool
    api_users: int


@dataclass(frozen=True)
class IssuedCredential:
    hint: str
    login: str | None
    created_at: datetime


async def goods_owners(session: AsyncSession) -> list[GoodsOwnerRow]:
    counts = (
        select(ApiUser.company_id, func.count(ApiUser.id).label("n"))
        .group_by(ApiUser.company_id)
        .subquery()
    )
    rows = await session.execute(
        select(Company.id, Company.name, Company.api_access, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.company_id == Company.id)
        .order_by(Company.name, Company.id)
    )
    return [GoodsOwnerRow(*row) for row in rows.all()]


async def active_credential(
    session: AsyncSession, company_id: int, kind: CredentialKind
) -> IssuedCredential | None:
    """The newest credential of that kind that still works (never its secret)."""
    now = utcnow()
    credential = await CredentialRepository(session, company_id).newest_unrevoked(kind)
    if credential is None or (credential.expires_at is not None and credential.expires_at <= now):
        return None
    return IssuedCredential(credential.hint, credential.login, credential.created_at)
