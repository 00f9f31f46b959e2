"""Registering applications (staff) and the authorizations users gave them.

Used by the pages and the demo alike. Functions flush; the caller's unit of work
commits. Secrets are returned once and stored only as digests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from ipaddress import ip_address
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.secrets import PREFIXES, Keyring, new_secret
from workledger.kit.i18n import N_
from workledger.kit.problems import NotFound, ValidationProblem
from workledger.models import OAuthAuthorizationCode, OAuthClient, OAuthToken
from workledger.oauth2.store import revoke_tokens, void_codes

MAX_REDIRECT_URIS = 10
MAX_URL_LENGTH = 2000
LOOPBACK_HOSTS = ("localhost",)


@dataclass(frozen=True)
class AuthorizedApplication:
    id: int
    name: str
    company_name: str
    logo_url: str
    website_url: str
    authorized_at: datetime
    last_used_at: datetime


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(member: str, value: str, *, https_only: bool) -> str:
    """An absolute http(s) URL without credentials or fragment. ``https_only``: plain
    http is accepted for loopback addresses only (RFC 8252 §7.3, RFC 9700 §2.6)."""
    value = value.strip()
    if not value or len(value) > MAX_URL_LENGTH or any(ch.isspace() for ch in value):
        raise ValidationProblem.single(member, N_(
            "enter a URL of at most {maximum} characters, without spaces"
        ).say(maximum=MAX_URL_LENGTH))
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationProblem.single(
            member, N_("{value} is not a URL").say(value=value)) from None
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationProblem.single(
            member, N_("{value} is not an http(s) URL").say(value=value))
    if https_only and parts.scheme == "http" and not _loopback(host):
        raise ValidationProblem.single(
            member, N_("{value} must use https (plain http only for 127.0.0.1 or "
                       "localhost)").say(value=value)
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationProblem.single(
            member, N_("{value} must not contain a user name").say(value=value))
    if parts.fragment or "#" in value:
        raise ValidationProblem.single(
            member, N_("{value} must not have a fragment (#...)").say(value=value))
    if any(ch in value for ch in "*;,'\"<>\\"):
        raise ValidationProblem.single(
            member, N_("{value} contains a character a URL may not").say(value=value))
    return value


def parse_redirect_uris(text: str | list[str]) -> list[str]:
    lines = text.splitlines() if isinstance(text, str) else text
    uris: list[str] = []
    for line in lines:
        if line.strip():
            uri = check_url("redirect_uris", line, https_only=True)
            if uri not in uris:
                uris.append(uri)
    if not uris:
        raise ValidationProblem.single(
            "redirect_uris", N_("enter at least one redirect URI").in_language())
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationProblem.single(
            "redirect_uris",
            N_("enter at most {maximum} redirect URIs").say(maximum=MAX_REDIRECT_URIS)
        )
    return uris


def _details(company_name: str, name: str, logo_url: str, website_url: str) -> dict[str, str]:
    company_name, name = company_name.strip(), name.strip()
    if not company_name or len(company_name) > 200:
        raise ValidationProblem.single(
            "company_name", N_("enter the company (1-200 characters)").in_language())
    if not name or len(name) > 100:
        raise ValidationProblem.single(
            "name", N_("enter the application's name (1-100 characters)").in_language())
    return {
        "company_name": company_name,
        "name": name,
        "logo_url": check_url("logo_url", logo_url, https_only=True) if logo_url.strip() else "",
        "website_url": check_url("website_url", website_url, https_only=False),
    }


def _new_client_id() -> str:
    return "app_" + secrets.token_hex(12)


def _set_secret(client: OAuthClient, keyring: Keyring) -> str:
    secret = new_secret("oauth_client_secret")
    client.secret_digest = keyring.digest(secret)
    client.secret_hint = secret[: len(PREFIXES["oauth_client_secret"]) + 4]
    return secret


async def register(
    session: AsyncSession, keyring: Keyring, *, company_name: str, name: str, logo_url: str,
    website_url: str, redirect_uris: str | list[str], public: bool = False,
) -> tuple[OAuthClient, str | None]:
    """A new application and its client secret (``None`` for a public client)."""
    client = OAuthClient(
        client_id=_new_client_id(), redirect_uris=parse_redirect_uris(redirect_uris),
        is_active=True, **_details(company_name, name, logo_url, website_url),
    )
    secret = None if public else _set_secret(client, keyring)
    session.add(client)
    await session.flush()
    return client, secret


async def get(session: AsyncSession, application_id: int) -> OAuthClient:
    client = await session.get(OAuthClient, application_id)
    if client is None:
        raise NotFound(N_("No OAuth application with id {id}.").say(id=application_id))
    return client


async def find_by_name(session: AsyncSession, name: str) -> OAuthClient | None:
    return await session.scalar(
        select(OAuthClient).where(OAuthClient.name == name).order_by(OAuthClient.id).limit(1)
    )


async def list_all(session: AsyncSession) -> list[OAuthClient]:
    statement = select(OAuthClient).order_by(OAuthClient.company_name, OAuthClient.name,
                                             OAuthClient.id)
    return list((await session.scalars(statement)).all())


async def update(
    session: AsyncSession, application_id: int, *, company_name: str, name: str,
    logo_url: str, website_url: str, redirect_uris: str | list[str],
) -> OAuthClient:
    client = await get(session, application_id)
    details = _details(company_name, name, logo_url, website_url)
    uris = parse_redirect_uris(redirect_uris)
    for key, value in details.items():
        setattr(client, key, value)
    client.redirect_uris = uris
    await session.flush()
    return client


async def regenerate_secret(session: AsyncSession, keyring: Keyring, application_id: int) -> str:
    """A new client secret; the previous one stops working at once (tokens keep working)."""
    client = await get(session, application_id)
    if client.is_public:
        raise ValidationProblem.single(
            "client_type", N_("a public client has no secret").in_language())
    secret = _set_secret(client, keyring)
    await session.flush()
    return secret


async def set_active(session: AsyncSession, application_id: int, active: bool) -> OAuthClient:
    """Disabling stops the application at once: /oauth2/auth refuses it, its codes and
    tokens are void (and stay void if it is enabled again: users authorize anew)."""
    client = await get(session, application_id)
    client.is_active = active
    if not active:
        await revoke_tokens(session, OAuthToken.oauth_client_id == client.id)
        await void_codes(session, OAuthAuthorizationCode.oauth_client_id == client.id)
    await session.flush()
    return client


async def authorized_applications(
    session: AsyncSession, user_id: int
) -> list[AuthorizedApplication]:
    """Applications that hold a live authorization of this user (a token not revoked)."""
    rows = await session.execute(
        select(
            OAuthClient.id, OAuthClient.name, OAuthClient.company_name, OAuthClient.logo_url,
            OAuthClient.website_url, func.min(OAuthToken.created_at),
            func.max(OAuthToken.created_at),
        )
        .join(OAuthToken, OAuthToken.oauth_client_id == OAuthClient.id)
        .where(OAuthToken.user_id == user_id, OAuthToken.revoked_at.is_(None))
        .group_by(OAuthClient.id, OAuthClient.name, OAuthClient.company_name,
                  OAuthClient.logo_url, OAuthClient.website_url)
        .order_by(OAuthClient.name, OAuthClient.id)
    )
    return [AuthorizedApplication(*row) for row in rows.all()]


async def revoke_authorization(session: AsyncSession, user_id: int, application_id: int) -> int:
    """The user takes back what they gave the application: every token and unused code.
    Returns how many tokens were revoked (0: there was nothing to revoke)."""
    revoked = await revoke_tokens(
        session, OAuthToken.user_id == user_id, OAuthToken.oauth_client_id == application_id
    )
    await void_codes(
        session, OAuthAuthorizationCode.user_id == user_id,
        OAuthAuthorizationCode.oauth_client_id == application_id,
    )
    return revoked
