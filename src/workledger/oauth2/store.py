"""What the authorization server reads and writes, in one request's unit of work.

Authlib's hooks are synchronous and run in a worker thread (see ``server.py``); they
reach these async methods through :meth:`OAuthStore.call`, which runs the coroutine on
the event loop and waits for it. Authlib only ever sees the frozen *views* below, never
ORM objects, so nothing in the worker thread can trigger a lazy load.

The two single-use rules are enforced here with conditional UPDATEs: a code is claimed
with ``... WHERE used_at IS NULL`` and a refresh token is rotated with
``... WHERE refreshed_at IS NULL AND revoked_at IS NULL``; the statement that changes no
row lost a race, and the caller refuses the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.from_thread
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.secrets import Keyring
from workledger.kit.db import utcnow
from workledger.models import OAuthAuthorizationCode, OAuthClient, OAuthToken, User

#: The only scope (seed 002): read access plus a refresh token.
SCOPE = "offline_access"
GRANT_TYPES = ("authorization_code", "refresh_token")
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
CODE_LIFETIME = timedelta(minutes=10)
#: How long after a rotation the rotated refresh token counts as a concurrent refresh's
#: loser rather than a replay (docs/oauth2.md 2.7): long enough for a client's parallel
#: requests to arrive, short enough that a leaked token is still caught by the next use.
REFRESH_RACE_WINDOW = timedelta(seconds=5)
ACCESS_TOKEN_LIFETIME = timedelta(seconds=3600)

T = TypeVar("T")


@dataclass(frozen=True)
class ClientView(ClientMixin):
    id: int
    client_id: str
    name: str
    company_name: str
    logo_url: str
    website_url: str
    redirect_uris: tuple[str, ...]
    secret_digest: str | None = field(repr=False)
    keyring: Keyring = field(repr=False, compare=False)

    @property
    def is_public(self) -> bool:
        return self.secret_digest is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is required (seed 002), even with one registered

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return SCOPE  # RFC 6749 §3.3: the server may apply its default
        return SCOPE if SCOPE in scope.split() else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact string match (RFC 9700 §4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret_digest is not None and self.keyring.matches(
            client_secret, self.secret_digest
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint != "token":
            return False
        return method == "none" if self.is_public else method in CONFIDENTIAL_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


@dataclass(frozen=True)
class UserView:
    id: int
    company_id: int | None


@dataclass(frozen=True)
class CodeView(AuthorizationCodeMixin):
    id: int
    oauth_client_id: int
    user_id: int
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: datetime
    used_at: datetime | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True)
class TokenView(TokenMixin):
    id: int
    oauth_client_id: int
    user_id: int
    family_id: str
    authorization_code_id: int | None
    scope: str
    refreshed_at: datetime | None
    revoked_at: datetime | None

    def check_client(self, client: ClientView) -> bool:
        return client.id == self.oauth_client_id

    def get_scope(self) -> str:
        return self.scope


class OAuthStore:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring
        self._clients: dict[str, ClientView | None] = {}
        #: Revocations that must hold although the request fails (a replayed code or
        #: refresh token): run in their own transaction after this one rolled back.
        self.revoke_after: list[tuple[str, int | str]] = []

    def call(self, function: Callable[..., Awaitable[T]], *args: Any) -> T:
        """From Authlib's worker thread: run ``function(*args)`` on the event loop."""
        return anyio.from_thread.run(function, *args)

    # -- reads ---------------------------------------------------------------------------

    async def client(self, client_id: str) -> ClientView | None:
        """An *active* application by its public ``client_id`` (cached per request)."""
        if client_id not in self._clients:
            row = await self.session.scalar(
                select(OAuthClient).where(OAuthClient.client_id == client_id)
            )
            self._clients[client_id] = None if row is None or not row.is_active else ClientView(
                row.id, row.client_id, row.name, row.company_name, row.logo_url,
                row.website_url, tuple(row.redirect_uris), row.secret_digest, self.keyring,
            )
        return self._clients[client_id]

    async def user(self, user_id: int) -> UserView | None:
        row = (await self.session.execute(
            select(User.id, User.company_id, User.is_active).where(User.id == user_id)
        )).first()
        return UserView(row.id, row.company_id) if row is not None and row.is_active else None

    async def find_code(self, code: str) -> CodeView | None:
        row = await self.session.scalar(
            select(OAuthAuthorizationCode)
            .where(OAuthAuthorizationCode.code_digest == self.keyring.digest(code))
        )
        if row is None:
            return None
        return CodeView(
            row.id, row.oauth_client_id, row.user_id, row.redirect_uri, row.scope,
            row.code_challenge, row.code_challenge_method, row.expires_at, row.used_at,
        )

    async def find_refresh(self, refresh_token: str) -> TokenView | None:
        row = await self.session.scalar(
            select(OAuthToken)
            .where(OAuthToken.refresh_digest == self.keyring.digest(refresh_token))
        )
        if row is None:
            return None
        return TokenView(
            row.id, row.oauth_client_id, row.user_id, row.family_id,
            row.authorization_code_id, row.scope, row.refreshed_at, row.revoked_at,
        )

    async def lost_refresh_race(self, token_id: int) -> bool:
        """Whether refresh token ``token_id`` was rotated moments ago by another request
        whose successor is still the family's live token: a client's concurrent refresh,
        not a replay. Read afresh (not from the identity map): on PostgreSQL the winner
        committed while this request waited on the row lock."""
        row = (await self.session.execute(
            select(OAuthToken.family_id, OAuthToken.refreshed_at, OAuthToken.revoked_at)
            .where(OAuthToken.id == token_id)
        )).first()
        if row is None or row.refreshed_at is None or row.revoked_at is not None:
            return False
        if utcnow() - row.refreshed_at > REFRESH_RACE_WINDOW:
            return False
        # Only the latest rotation: a token two generations back is a replay however
        # recent (the grace must not reach down the chain).
        newer = (await self.session.execute(
            select(OAuthToken.refreshed_at, OAuthToken.revoked_at)
            .where(OAuthToken.family_id == row.family_id, OAuthToken.id > token_id)
        )).all()
        return len(newer) == 1 and newer[0].refreshed_at is None and newer[0].revoked_at is None

    # -- writes --------------------------------------------------------------------------

    async def save_code(
        self, client: ClientView, user: UserView, code: str, redirect_uri: str, scope: str,
        code_challenge: str | None, code_challenge_method: str | None,
    ) -> None:
        now = utcnow()
        self.session.add(OAuthAuthorizationCode(
            created_at=now, oauth_client_id=client.id, user_id=user.id,
            code_digest=self.keyring.digest(code),
            redirect_uri=redirect_uri, scope=scope, code_challenge=code_challenge or None,
            code_challenge_method=(code_challenge_method or "plain") if code_challenge else None,
            expires_at=now + CODE_LIFETIME,
        ))
        await self.session.flush()

    async def issue_for_code(self, code: CodeView, token: dict[str, Any]) -> bool:
        """Claim the code (the one exchange that changes the row wins), then store the
        tokens as a new family. ``False``: another exchange claimed it first."""
        now = utcnow()
        claimed = await self.session.execute(
            update(OAuthAuthorizationCode)
            .where(OAuthAuthorizationCode.id == code.id,
                   OAuthAuthorizationCode.used_at.is_(None),
                   OAuthAuthorizationCode.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return False
        self._add_token(token, code.oauth_client_id, code.user_id, secrets.token_hex(16),
                        code.id)
        await self.session.flush()
        return True

    async def rotate(self, old: TokenView, token: dict[str, Any]) -> bool:
        """Retire ``old``'s refresh token and store ``token`` in the same family.
        ``False``: it was refreshed or revoked meanwhile (a replay)."""
        retired = await self.session.execute(
            update(OAuthToken)
            .where(OAuthToken.id == old.id, OAuthToken.refreshed_at.is_(None),
                   OAuthToken.revoked_at.is_(None))
            .values(refreshed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if retired.rowcount != 1:
            return False
        self._add_token(token, old.oauth_client_id, old.user_id, old.family_id,
                        old.authorization_code_id)
        await self.session.flush()
        return True

    def _add_token(self, token: dict[str, Any], client_pk: int, user_id: int, family_id: str,
                   code_id: int | None) -> None:
        refresh = token.get("refresh_token")
        now = utcnow()
        self.session.add(OAuthToken(
            created_at=now,
            oauth_client_id=client_pk, user_id=user_id, authorization_code_id=code_id,
            family_id=family_id, access_digest=self.keyring.digest(token["access_token"]),
            refresh_digest=self.keyring.digest(refresh) if refresh else None,
            scope=token["scope"], access_expires_at=now + ACCESS_TOKEN_LIFETIME,
        ))



async def apply_revocations(session: AsyncSession, revocations: list[tuple[str, Any]]) -> None:
    """What a replay revokes: ``("code", id)`` every token the code started,
    ``("family", id)`` every token of the refresh family."""
    for kind, value in revocations:
        if kind == "code":
            await revoke_tokens(session, OAuthToken.authorization_code_id == value)
        else:
            await revoke_tokens(session, OAuthToken.family_id == value)


async def revoke_tokens(session: AsyncSession, *criteria: Any) -> int:
    """Revoke every live token matching ``criteria``; returns how many."""
    result = await session.execute(
        update(OAuthToken)
        .where(*criteria, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def void_codes(session: AsyncSession, *criteria: Any) -> None:
    """Codes handed out but not exchanged yet stop working (they expire now)."""
    now = utcnow()
    await session.execute(
        update(OAuthAuthorizationCode)
        .where(*criteria, OAuthAuthorizationCode.used_at.is_(None),
               OAuthAuthorizationCode.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
