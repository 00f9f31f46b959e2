"""The queries that pick one company's credentials and API users (DESIGN §2)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.db import utcnow
from workledger.kit.repository import TenantRepository
from workledger.models import ApiUser, Credential, CredentialKind


class CredentialRepository:
    """Credentials of one company, or with ``company_id=None`` those of no company.

    Not a :class:`TenantRepository`: a credential is not a tenant row (staff's session
    tokens belong to no company, see the model), and resolving a presented secret looks
    it up by digest before any company is known (``auth/schemes.py``).
    """

    def __init__(self, session: AsyncSession, company_id: int | None) -> None:
        self.session = session
        self.company_id = company_id

    def _owned(self) -> ColumnElement[bool]:
        if self.company_id is None:
            return Credential.company_id.is_(None)
        return Credential.company_id == self.company_id

    def readable(self) -> Select:
        return select(Credential).where(self._owned())

    async def unrevoked(self) -> list[Credential]:
        statement = self.readable().where(Credential.revoked_at.is_(None)).order_by(
            Credential.id
        )
        return list((await self.session.scalars(statement)).all())

    async def find(self, credential_id: int) -> Credential | None:
        return await self.session.scalar(self.readable().where(Credential.id == credential_id))

    async def newest_unrevoked(self, kind: CredentialKind) -> Credential | None:
        return await self.session.scalar(
            self.readable()
            .where(Credential.kind == kind, Credential.revoked_at.is_(None))
            .order_by(Credential.id.desc())
            .limit(1)
        )

    async def revoke_all(self, kind: CredentialKind, *, user_id: int | None) -> None:
        """Revoke every unrevoked credential of the kind (of that user, or of no user)."""
        await self.session.execute(
            update(Credential)
            .where(
                self._owned(),
                Credential.kind == kind,
                Credential.user_id == user_id if user_id is not None
                else Credential.user_id.is_(None),
                Credential.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )


class ApiUserRepository(TenantRepository[ApiUser]):
    model = ApiUser

    async def all_by_id(self) -> list[ApiUser]:
        statement = self.readable().order_by(ApiUser.id)
        return list((await self.session.scalars(statement)).all())
