"""Every documented way in, each resolving to the one :class:`Principal` (DESIGN §4.7).

One resolver per scheme; each costs one indexed query. Secrets are compared as keyed
digests in constant time; passwords (API users, automation users) are checked with
argon2 only when the verified-password cache misses (DESIGN §5).
"""

from __future__ import annotations

import base64

from fastapi import Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.passwords import spend_verification_time, verify_password
from workledger.auth.principal import ALL_PERMISSIONS, INVOICES, READ, WRITE, Principal
from workledger.auth.secrets import PREFIXES
from workledger.kit.db import utcnow
from workledger.kit.gates import MAX_ID, query_int, text_fault
from workledger.kit.i18n import N_
from workledger.kit.prepared import Prepared, RowView, first
from workledger.kit.problems import Forbidden, NotFound, Unauthorized, ValidationProblem
from workledger.kit.session import connection as request_connection
from workledger.models import (
    ApiUser,
    AutomationUser,
    Company,
    Credential,
    CredentialKind,
    OAuthClient,
    OAuthToken,
    User,
)

#: The resolvers read on the request's connection (kit.session.connection), never through
#: a session: the faces that hold one pass it along, ``/v1`` passes ``None``.
MaybeSession = AsyncSession | None
INACTIVE = N_("Unauthorized: the provided token is not active")
#: RFC 6750 §3.1: what a resource server answers for an OAuth token it does not accept.
INVALID_OAUTH_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
#: Scope ``offline_access`` is read access (DESIGN §3).
OAUTH_PERMISSIONS = frozenset({READ})
API_ACCESS_OFF = N_("API access is switched off for this company.")
MALFORMED_BASIC = N_("Malformed Basic credentials: expected base64 of 'user:password'.")
UNKNOWN_TOKEN = N_("Unknown token.")
UNKNOWN_LOGIN = N_("Unknown username or password.")


#: The credential lookups run on every request: prebuilt, compiled once (kit.prepared).
_CREDENTIAL = Prepared(
    select(
        Credential.id, Credential.kind, Credential.company_id, Credential.user_id,
        Credential.revoked_at, Credential.expires_at, Credential.digest,
        Credential.login, Company.api_access,
    )
    .outerjoin(Company, Company.id == Credential.company_id)
    .where(Credential.digest == bindparam("digest"), Credential.kind == bindparam("kind"))
)
_USER_ACTIVE = Prepared(select(User.is_active).where(User.id == bindparam("user_id")))
_OAUTH_ACCESS_TOKEN = Prepared(
    select(
        OAuthToken.id, OAuthToken.oauth_client_id, OAuthToken.user_id,
        OAuthToken.access_digest, OAuthToken.access_expires_at, OAuthToken.revoked_at,
        OAuthClient.is_active.label("client_active"),
        User.is_active.label("user_active"), User.company_id, Company.api_access,
    )
    .join(OAuthClient, OAuthClient.id == OAuthToken.oauth_client_id)
    .join(User, User.id == OAuthToken.user_id)
    .outerjoin(Company, Company.id == User.company_id)
    .where(OAuthToken.access_digest == bindparam("digest"))
)
_API_KEY = Prepared(
    select(Credential.id, Credential.company_id, Credential.digest,
           Credential.revoked_at, Company.api_access)
    .join(Company, Company.id == Credential.company_id)
    .where(Credential.login == bindparam("login"),
           Credential.kind == CredentialKind.api_key)
)
_API_USER = Prepared(
    select(ApiUser.id, ApiUser.company_id, ApiUser.password_hash, ApiUser.is_active,
           ApiUser.invoices_allowed, Company.api_access)
    .join(Company, Company.id == ApiUser.company_id)
    .where(ApiUser.username == bindparam("login"))
)
_AUTOMATION_USER = Prepared(
    select(AutomationUser.id, AutomationUser.password_hash, AutomationUser.is_active)
    .where(AutomationUser.username == bindparam("login"))
)
_COMPANY = Prepared(select(Company.id).where(Company.id == bindparam("company_id"),
                                             Company.api_access.is_(True)))


async def _credential(
    request: Request, session: MaybeSession, secret: str, kind: CredentialKind
):
    """The row of an active credential of ``kind`` with its company's switch."""
    keyring = request.app.state.keyring
    row = await first_row(request, _CREDENTIAL, digest=keyring.digest(secret), kind=kind)
    if row is None or not keyring.matches(secret, row.digest):
        raise Unauthorized(UNKNOWN_TOKEN.in_language())
    now = utcnow()
    if (row.revoked_at is not None and row.revoked_at <= now) or (
        row.expires_at is not None and row.expires_at <= now
    ):
        raise Unauthorized(INACTIVE.in_language())
    if row.company_id is not None and not row.api_access:
        raise Forbidden(API_ACCESS_OFF.in_language())
    return row


async def first_row(request: Request, prepared: Prepared, **values) -> RowView | None:
    """One row on the request's connection, outside any transaction: credential lookups
    run on every request, and a read-only request then needs no BEGIN/COMMIT."""
    connection = await request_connection(request)
    row = await first(prepared, connection, **values)
    return None if row is None else RowView(prepared.keys(connection.dialect), row)


async def resolve_key(request: Request, session: MaybeSession, token: str) -> Principal:
    row = await _credential(request, session, token, CredentialKind.company_key)
    return Principal("company_key", row.company_id, ALL_PERMISSIONS, credential_id=row.id)


async def resolve_bearer(request: Request, session: MaybeSession, token: str) -> Principal:
    """A short-lived token (``wlt_``) or an OAuth access token (``wlo_``): the prefix
    says which table holds it, so each costs one indexed lookup."""
    if token.startswith(PREFIXES["oauth_access_token"]):
        return await _oauth_access_token(request, session, token)
    row = await _credential(request, session, token, CredentialKind.session_token)
    active = await first_row(request, _USER_ACTIVE, user_id=row.user_id)
    if active is None or not active[0]:
        raise Unauthorized(INACTIVE.in_language())
    return Principal(
        "session_token", row.company_id, ALL_PERMISSIONS, credential_id=row.id,
        user_id=row.user_id,
    )


async def _oauth_access_token(request: Request, session: MaybeSession, token: str) -> Principal:
    keyring = request.app.state.keyring
    row = await first_row(request, _OAUTH_ACCESS_TOKEN, digest=keyring.digest(token))
    if row is None or not keyring.matches(token, row.access_digest):
        raise Unauthorized(UNKNOWN_TOKEN.in_language(), headers=INVALID_OAUTH_TOKEN)
    if (row.revoked_at is not None or row.access_expires_at <= utcnow()
            or not row.client_active or not row.user_active):
        raise Unauthorized(INACTIVE.in_language(), headers=INVALID_OAUTH_TOKEN)
    if row.company_id is not None and not row.api_access:
        raise Forbidden(API_ACCESS_OFF.in_language())
    return Principal(
        "oauth_access_token", row.company_id, OAUTH_PERMISSIONS, credential_id=row.id,
        user_id=row.user_id, limit_key=f"oauth:{row.oauth_client_id}:{row.user_id}",
    )


async def resolve_basic(request: Request, session: MaybeSession, encoded: str) -> Principal:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except ValueError:  # not base64 (binascii.Error), not UTF-8, not ASCII
        raise Unauthorized(MALFORMED_BASIC.in_language()) from None
    login, separator, password = decoded.partition(":")
    # The login is looked up in the database: a NUL in it must never get there.
    if not separator or not login or text_fault(decoded):
        raise Unauthorized(MALFORMED_BASIC.in_language()) from None
    if login.startswith("api_") and "@" in login:
        return await _api_key(request, session, login, password)
    if login.startswith("WSI"):
        return await _api_user(request, session, login, password)
    return await _automation_user(request, session, login, password)


async def _api_key(request: Request, session: MaybeSession, login: str, key: str) -> Principal:
    keyring = request.app.state.keyring
    row = await first_row(request, _API_KEY, login=login)
    if row is None or not keyring.matches(key, row.digest):
        await request.app.state.login_guard.failed(client_address(request), login)
        raise Unauthorized(N_("Unknown API e-mail or key.").in_language())
    if row.revoked_at is not None:
        raise Unauthorized(INACTIVE.in_language())
    if not row.api_access:
        raise Forbidden(API_ACCESS_OFF.in_language())
    return Principal("api_key", row.company_id, ALL_PERMISSIONS, credential_id=row.id)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _password_ok(request: Request, kind: str, login: str, password: str,
                       password_hash: str) -> bool:
    """The cache first; argon2 only on a miss, and only while the login limits allow."""
    cache = request.app.state.verified_passwords
    digest = request.app.state.keyring.cache_digest(kind, login, password, password_hash)
    if digest in cache:
        return True
    guard, address = request.app.state.login_guard, client_address(request)
    await guard.check(address, login, closed_when_unsure=False)
    if await verify_password(password, password_hash):
        cache.remember(digest)
        return True
    await guard.failed(address, login)
    return False


async def _unknown_login(request: Request, login: str, password: str) -> None:
    guard, address = request.app.state.login_guard, client_address(request)
    await guard.check(address, login, closed_when_unsure=False)
    await spend_verification_time(password)  # as long as a real check: no user enumeration
    await guard.failed(address, login)
    raise Unauthorized(UNKNOWN_LOGIN.in_language())


async def resolve_api_user(request: Request, session: MaybeSession, login: str,
                           password: str) -> Principal:
    """A ``WSI`` API user by name and password, wherever they were sent: HTTP Basic on
    REST, ``UserName`` / ``Password`` in a SOAP request (seed 001: one user for both).
    Another name is an unknown login, counted as a failed one."""
    if text_fault(login) or text_fault(password):
        raise Unauthorized(N_("Malformed credentials.").in_language())
    if not login.startswith("WSI"):
        await _unknown_login(request, login, password)
    return await _api_user(request, session, login, password)


async def _api_user(request: Request, session: MaybeSession, login: str, password: str):
    row = await first_row(request, _API_USER, login=login)
    if row is None:
        await _unknown_login(request, login, password)
    if not await _password_ok(request, "api_user", login, password, row.password_hash):
        raise Unauthorized(UNKNOWN_LOGIN.in_language())
    if not row.is_active:
        raise Unauthorized(INACTIVE.in_language())
    if not row.api_access:
        raise Forbidden(API_ACCESS_OFF.in_language())
    permissions = {READ, WRITE} | ({INVOICES} if row.invoices_allowed else set())
    return Principal("api_user", row.company_id, frozenset(permissions), user_id=row.id)


async def _automation_user(request: Request, session: MaybeSession, login: str, password: str):
    row = await first_row(request, _AUTOMATION_USER, login=login)
    if row is None:
        await _unknown_login(request, login, password)
    if not await _password_ok(request, "automation_user", login, password, row.password_hash):
        raise Unauthorized(UNKNOWN_LOGIN.in_language())
    if not row.is_active:
        raise Unauthorized(INACTIVE.in_language())
    company_id = await _chosen_company(request, session)
    return Principal("automation_user", company_id, ALL_PERMISSIONS, user_id=row.id)


async def _chosen_company(request: Request, session: MaybeSession) -> int | None:
    """The company an automation user acts on, from ``X-Company-Id`` (if sent)."""
    values = request.headers.getlist("x-company-id")
    if not values:
        return None
    company_id = query_int(values[0].strip(), minimum=1, maximum=MAX_ID)
    if len(values) > 1 or company_id is None:
        raise ValidationProblem.single(
            "X-Company-Id",
            N_("X-Company-Id must be one company id, in ASCII digits").in_language()
        )
    # A company without API access does not exist for an automation user (seed 001),
    # as it does not for any integration credential of its own.
    if await first_row(request, _COMPANY, company_id=company_id) is None:
        raise NotFound(N_("No company with id {id}.").say(id=company_id))
    return company_id


async def resolve_company_admin(request: Request, session: MaybeSession, token: str) -> Principal:
    row = await _credential(request, session, token, CredentialKind.company_admin_token)
    return Principal("company_admin_token", row.company_id, frozenset({"manage"}),
                     credential_id=row.id)


async def resolve_connector(request: Request, session: MaybeSession, token: str) -> Principal:
    row = await _credential(request, session, token, CredentialKind.connector_token)
    return Principal("connector_token", row.company_id, frozenset({READ, WRITE}),
                     credential_id=row.id)


#: ``Authorization`` schemes. A token with no scheme is a company key (seed 000).
SCHEMES = {"key": resolve_key, "bearer": resolve_bearer, "basic": resolve_basic}
BARE_TOKEN_SCHEME = "key"
