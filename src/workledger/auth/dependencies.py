"""Resolving the ``Authorization`` header into a :class:`Principal`.

Each scheme is one resolver in :data:`SCHEMES`; adding a way in means adding a resolver,
never touching endpoints. Endpoints declare what they need with the ``Reader`` /
``Writer`` annotations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import select

from workledger.auth.principal import ALL_PERMISSIONS, READ, WRITE, Principal
from workledger.kit.db import utcnow
from workledger.kit.problems import Forbidden, Unauthorized
from workledger.kit.session import Session
from workledger.models import Company, Credential, CredentialKind

INACTIVE = "Unauthorized: the provided token is not active"

#: Registers the scheme in OpenAPI so Swagger's Authorize dialog sends it; the value
#: includes the scheme name ("Key wlk_...").
authorization_header = APIKeyHeader(
    name="Authorization",
    scheme_name="CompanyKey",
    description="Your company key, with its scheme: `Key wlk_...` (the scheme may be omitted).",
    auto_error=False,
)

Resolver = Callable[[Request, Session, str], Awaitable[Principal]]


async def resolve_company_key(request: Request, session: Session, token: str) -> Principal:
    keyring = request.app.state.keyring
    row = (
        await session.execute(
            select(
                Credential.id, Credential.company_id, Credential.revoked_at,
                Credential.digest, Company.api_access,
            )
            .join(Company, Company.id == Credential.company_id)
            .where(
                Credential.digest == keyring.digest(token),
                Credential.kind == CredentialKind.company_key,
            )
        )
    ).first()
    if row is None or not keyring.matches(token, row.digest):
        raise Unauthorized("Unknown token: no company key matches it.")
    if row.revoked_at is not None and row.revoked_at <= utcnow():
        raise Unauthorized(INACTIVE)
    if not row.api_access:
        raise Forbidden("API access is switched off for this company.")
    return Principal(
        kind="company_key",
        company_id=row.company_id,
        permissions=ALL_PERMISSIONS,
        credential_id=row.id,
    )


SCHEMES: dict[str, Resolver] = {"key": resolve_company_key}
#: A token sent with no scheme is taken as a company key (seed 000: "the Key scheme can
#: be omitted").
BARE_TOKEN_SCHEME = "key"


async def current_principal(
    request: Request,
    session: Session,
    authorization: Annotated[str | None, Security(authorization_header)] = None,
) -> Principal:
    if not authorization or not authorization.strip():
        raise Unauthorized("Missing token: send 'Authorization: Key <company key>'.")
    scheme, _, token = authorization.strip().partition(" ")
    if not token:
        scheme, token = BARE_TOKEN_SCHEME, scheme
    resolver = SCHEMES.get(scheme.lower())
    if resolver is None:
        known = ", ".join(s.capitalize() for s in SCHEMES)
        raise Unauthorized(f"Unknown authorization scheme '{scheme}'. Use one of: {known}.")
    principal = await resolver(request, session, token.strip())
    request.state.principal = principal
    return principal


def _requiring(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.can(permission):
            raise Forbidden(f"This credential lacks the '{permission}' permission.")
        return principal

    return check


Reader = Annotated[Principal, Depends(_requiring(READ))]
Writer = Annotated[Principal, Depends(_requiring(WRITE))]
