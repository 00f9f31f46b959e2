"""Issuing and revoking credentials. The secret is returned once; only its digest stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.repository import CredentialRepository
from workledger.auth.secrets import PREFIXES, Keyring, new_secret
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import NotFound
from workledger.models import Credential, CredentialKind

#: Kinds whose secret the documented pages show again, so they are kept sealed too.
RECOVERABLE = {CredentialKind.company_key, CredentialKind.connector_token}


async def issue(
    session: AsyncSession,
    keyring: Keyring,
    kind: CredentialKind,
    *,
    company_id: int | None,
    user_id: int | None = None,
    login: str | None = None,
    expires_at: datetime | None = None,
    replace_existing: bool = False,
) -> tuple[Credential, str]:
    """A new credential and its secret. ``replace_existing`` revokes the kind's old ones."""
    if replace_existing:
        await revoke_all(session, kind, company_id=company_id, user_id=user_id)
    secret = new_secret(kind.value)
    credential = Credential(
        company_id=company_id,
        user_id=user_id,
        kind=kind,
        login=login,
        expires_at=expires_at,
        digest=keyring.digest(secret),
        hint=secret[: len(PREFIXES[kind.value]) + 4],
        sealed=keyring.seal(secret) if kind in RECOVERABLE else None,
    )
    session.add(credential)
    await session.flush()
    return credential, secret


async def active(session: AsyncSession, company_id: int) -> list[Credential]:
    """The company's credentials that still work (for its management endpoints)."""
    now = utcnow()
    return [c for c in await CredentialRepository(session, company_id).unrevoked()
            if c.expires_at is None or c.expires_at > now]


async def revoke(session: AsyncSession, company_id: int, credential_id: int) -> Credential:
    credential = await CredentialRepository(session, company_id).find(credential_id)
    if credential is None:
        raise NotFound(N_("No credential with id {id}.").say(id=credential_id))
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        await session.flush()
    return credential


async def revoke_all(
    session: AsyncSession, kind: CredentialKind, *, company_id: int | None, user_id: int | None
) -> None:
    await CredentialRepository(session, company_id).revoke_all(kind, user_id=user_id)


async def current_secret(
    session: AsyncSession, keyring: Keyring, kind: CredentialKind, company_id: int
) -> str | None:
    """The active recoverable secret of a company (for its settings page), if any."""
    credential = await CredentialRepository(session, company_id).newest_unrevoked(kind)
    return keyring.unseal(credential.sealed) if credential and credential.sealed else None
