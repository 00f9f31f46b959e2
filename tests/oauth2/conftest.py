"""OAuth 2.0 fixtures: registered applications, people who authorize them, and the flow
up to the code driven over HTTP (login page, consent page, Allow), all through the app.

The browser test (test_flow.py) drives the same pages in chromium against uvicorn."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from workledger.companies.service import set_user
from workledger.models import UserRole
from workledger.oauth2 import clients

PASSWORD = "correct horse battery"
REDIRECT_URI = "https://client.example/callback"
TOKEN = "/oauth2/token"
AUTHORIZE = "/oauth2/auth"


@dataclass
class Application:
    id: int
    client_id: str
    secret: str | None
    redirect_uri: str = REDIRECT_URI
    redirect_uris: list[str] = field(default_factory=list)

    def credentials(self) -> dict[str, str]:
        """client_secret_post, as the seed shows (client_id alone for a public client)."""
        form = {"client_id": self.client_id}
        if self.secret:
            form["client_secret"] = self.secret
        return form


@dataclass
class Person:
    id: int
    email: str
    company_id: int | None
    password: str = PASSWORD


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"="
    ).decode()


def verifier() -> str:
    return secrets.token_urlsafe(48)  # 64 characters


def csrf_of(html: str) -> str:
    return re.findall(r'name="csrf_token" value="([^"]+)"', html)[-1]


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def make_application(app):
    async def make(*, public: bool = False, redirect_uris: list[str] | None = None,
                   logo_url: str = "https://client.example/logo.png") -> Application:
        uris = redirect_uris or [REDIRECT_URI]
        async with app.state.database.session() as session:
            client, secret = await clients.register(
                session, app.state.keyring, company_name="Client Company",
                name=f"Reporting {secrets.token_hex(3)}", logo_url=logo_url,
                website_url="https://client.example", redirect_uris=uris, public=public,
            )
        return Application(client.id, client.client_id, secret, uris[0], uris)

    return make


@pytest.fixture
def make_person(app, make_tenant):
    async def make(*, company_id: int | None = None) -> Person:
        if company_id is None:
            company_id = (await make_tenant()).id
        email = f"oauth-{secrets.token_hex(4)}@people.test"
        async with app.state.database.session() as session:
            user = await set_user(session, email, PASSWORD, company_id=company_id,
                                  role=UserRole.member)
        return Person(user.id, email, company_id)

    return make


@asynccontextmanager
async def browser_like(app, person: Person | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping HTTP client on the app, logged in to the pages as ``person``."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        if person is not None:
            login = await http.get("/login")
            response = await http.post("/login", data={
                "csrf_token": csrf_of(login.text), "email": person.email,
                "password": person.password,
            })
            assert response.status_code == 303, response.text
        yield http


def authorize_params(application: Application, **extra: str | None) -> dict[str, str]:
    params = {
        "response_type": "code", "client_id": application.client_id,
        "redirect_uri": application.redirect_uri, "scope": "offline_access",
        "state": secrets.token_urlsafe(8),
    }
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


async def consent(http: httpx.AsyncClient, params: dict[str, str],
                  decision: str = "allow") -> httpx.Response:
    """Open the consent page and press Allow or Deny: the answer to the POST."""
    page = await http.get(AUTHORIZE, params=params)
    assert page.status_code == 200, page.text
    return await http.post(page.url.raw_path.decode(), data={
        "csrf_token": csrf_of(page.text), "decision": decision,
    })


@pytest.fixture
def get_code(app):
    """Run the authorization request as ``person`` and return (code, state, params)."""

    async def run(application: Application, person: Person, **extra: str | None):
        params = authorize_params(application, **extra)
        async with browser_like(app, person) as http:
            response = await consent(http, params)
        assert response.status_code == 303, response.text
        answer = query_of(response.headers["location"])
        assert answer["state"] == params["state"]
        return answer["code"], params

    return run


async def exchange(client: httpx.AsyncClient, application: Application, code: str,
                   **extra: str | None) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": application.redirect_uri, **application.credentials(), **extra}
    return await client.post(TOKEN, data={k: v for k, v in form.items() if v is not None})


async def refresh(client: httpx.AsyncClient, application: Application, refresh_token: str,
                  **extra: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            **application.credentials(), **extra}
    return await client.post(TOKEN, data=form)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(client, get_code, make_application, make_person):
    """A fresh application, person and token response."""

    async def issue(*, public: bool = False):
        application = await make_application(public=public)
        person = await make_person()
        code_verifier = verifier()
        code, _ = await get_code(application, person, code_challenge=s256(code_verifier),
                                 code_challenge_method="S256")
        response = await exchange(client, application, code, code_verifier=code_verifier)
        assert response.status_code == 200, response.text
        return application, person, response.json()

    return issue
