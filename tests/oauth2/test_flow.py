"""The whole flow as an integrator meets it: Authlib's own httpx OAuth client (not our
code) against the server on a real socket, the login and consent pages in Debian's
chromium, the browser landing on the application's real callback server. Then the
person revokes the application on their settings page, and staff register, regenerate
and disable an application on theirs."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from authlib.integrations.base_client import OAuthError
from playwright.async_api import Browser, Page, expect
from sqlalchemy import update

from tests.live import chromium, serve_in_thread
from tests.oauth2.conftest import Person
from workledger.app import create_app
from workledger.companies.service import set_user
from workledger.kit.db import utcnow
from workledger.models import OAuthToken, UserRole
from workledger.oauth2 import clients
from workledger.oauth2.store import REFRESH_RACE_WINDOW

#: Authlib's httpx client warns that it would rather use the ``httpx2`` package.
pytestmark = pytest.mark.filterwarnings("ignore:The httpx module is deprecated")
TIMEOUT_MS = 10_000
PASSWORD = "correct horse battery"
#: A 1×1 PNG, the application's logo.
LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class CallbackServer:
    """The third-party application's web server: its redirect URI and its logo."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/logo.png":
            body, content_type = LOGO, b"image/png"
        else:
            self.received.append(scope["query_string"].decode())
            body, content_type = b"<!doctype html><title>Connected</title>Connected", b"text/html"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def live_server(settings) -> Iterator[str]:
    with serve_in_thread(create_app(settings.model_copy(update={"redis_url": None})),
                         "uvicorn-oauth2-test") as url:
        yield url


@pytest.fixture(scope="module")
def callback() -> Iterator[tuple[CallbackServer, str]]:
    application = CallbackServer()
    with serve_in_thread(application, "uvicorn-oauth2-callback") as url:
        yield application, url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as instance:
        yield instance


@pytest.fixture
async def page(browser: Browser, live_server: str, callback) -> AsyncIterator[Page]:
    allowed = (f"{live_server}/", f"{callback[1]}/", "data:")
    context = await browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    await context.route(lambda url: not url.startswith(allowed), lambda route: route.abort())
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page
    finally:
        await context.close()
    assert problems == []


def oauth_client(client_id: str, secret: str, redirect_uri: str):
    # Imported here: the import itself warns (see pytestmark), and only this test uses it.
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    return AsyncOAuth2Client(client_id, secret, scope="offline_access",
                             redirect_uri=redirect_uri, code_challenge_method="S256")


async def person(app, make_tenant, *, staff: bool = False) -> Person:
    company_id = None if staff else (await make_tenant()).id
    email = f"{'staff' if staff else 'person'}-{secrets.token_hex(4)}@flow.test"
    async with app.state.database.session() as session:
        user = await set_user(session, email, PASSWORD, company_id=company_id,
                              role=UserRole.admin, is_staff=staff)
    return Person(user.id, email, company_id)


async def log_in(page: Page, who: Person) -> None:
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await page.get_by_label("E-mail").fill(who.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()


async def consent(page: Page, name: str, callback_url: str, *, logo: bool) -> str:
    """On the consent page: check what it shows, press Allow, return the callback URL."""
    await expect(page.get_by_role("heading", name=f"Authorize {name}")).to_be_visible()
    await expect(page.locator("#application-website")).to_have_text("https://reports.example")
    if logo:
        loaded = await page.locator("img.logo").evaluate("img => img.complete && img.naturalWidth")
        assert loaded == 1
    await page.get_by_role("button", name="Allow").click()
    await page.wait_for_url(re.compile(re.escape(f"{callback_url}/callback") + r"\?code="))
    return page.url


async def test_authorization_code_with_pkce_refresh_and_revocation(
    app, page: Page, live_server, callback, make_tenant
):
    server, callback_url = callback
    redirect_uri = f"{callback_url}/callback"
    async with app.state.database.session() as session:
        registered, secret = await clients.register(
            session, app.state.keyring, company_name="Reports Inc", name="Reports",
            logo_url=f"{callback_url}/logo.png", website_url="https://reports.example",
            redirect_uris=[redirect_uri],
        )
    owner = await person(app, make_tenant)
    token_url = f"{live_server}/oauth2/token"
    oauth = oauth_client(registered.client_id, secret, redirect_uri)
    async with oauth:
        code_verifier = secrets.token_urlsafe(48)
        url, state = oauth.create_authorization_url(f"{live_server}/oauth2/auth",
                                                    code_verifier=code_verifier)
        assert "code_challenge_method=S256" in url

        await page.goto(url)  # not logged in: the login page first, then consent
        assert page.url.startswith(f"{live_server}/login?next=/oauth2/auth")
        await log_in(page, owner)
        landed = await consent(page, "Reports", callback_url, logo=True)
        assert server.received and f"state={state}" in server.received[-1]

        token = await oauth.fetch_token(token_url, authorization_response=landed, state=state,
                                        code_verifier=code_verifier)
        assert set(token) >= {"access_token", "expires_in", "refresh_token", "scope",
                              "token_type"}
        me = (await oauth.get(f"{live_server}/v1/me")).json()
        assert me["kind"] == "oauth_access_token" and me["user"]["login"] == owner.email
        customers = await oauth.get(f"{live_server}/v1/customers")
        assert customers.status_code == 200 and isinstance(customers.json(), list)

        first_refresh = token["refresh_token"]
        renewed = await oauth.refresh_token(token_url)
        assert renewed["refresh_token"] != first_refresh
        assert (await oauth.get(f"{live_server}/v1/customers")).status_code == 200

        # Moments after the rotation it is taken for a concurrent refresh: refused, and
        # nothing is revoked.
        with pytest.raises(OAuthError) as refused:
            await oauth.refresh_token(token_url, refresh_token=first_refresh)
        assert refused.value.error == "invalid_grant"
        assert (await oauth.get(f"{live_server}/v1/me")).status_code == 200

        async with app.state.database.session() as session:
            await session.execute(update(OAuthToken).where(
                OAuthToken.refresh_digest == app.state.keyring.digest(first_refresh)
            ).values(refreshed_at=utcnow() - REFRESH_RACE_WINDOW - timedelta(seconds=1)))
        with pytest.raises(OAuthError) as refused:
            await oauth.refresh_token(token_url, refresh_token=first_refresh)
        assert refused.value.error == "invalid_grant"
        # Later, the replay revoked the family, the renewed token included.
        assert (await oauth.get(f"{live_server}/v1/me")).status_code == 401

    # A second authorization in the same browser (still logged in: consent at once),
    # then the person revokes the application on the settings page.
    again = oauth_client(registered.client_id, secret, redirect_uri)
    async with again:
        code_verifier = secrets.token_urlsafe(48)
        url, state = again.create_authorization_url(f"{live_server}/oauth2/auth",
                                                    code_verifier=code_verifier)
        await page.goto(url)
        landed = await consent(page, "Reports", callback_url, logo=True)
        await again.fetch_token(token_url, authorization_response=landed, state=state,
                                code_verifier=code_verifier)
        assert (await again.get(f"{live_server}/v1/me")).status_code == 200

        await page.goto("/settings")
        await page.get_by_role("main").get_by_role("link", name="Authorized applications").click()
        row = page.locator(f"#authorized-{registered.id}")
        await expect(row).to_contain_text("Reports")
        await row.get_by_role("button", name="Revoke").click()
        await expect(page.locator(".notice")).to_contain_text("Access is revoked")
        await expect(page.locator(f"#authorized-{registered.id}")).to_have_count(0)
        revoked = await again.get(f"{live_server}/v1/me")
        assert revoked.status_code == 401
        assert revoked.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_staff_register_regenerate_and_disable_an_application(
    app, page: Page, live_server, callback, make_tenant
):
    _, callback_url = callback
    staff = await person(app, make_tenant, staff=True)
    await page.goto("/admin")
    await log_in(page, staff)
    await page.get_by_role("main").get_by_role("link", name="OAuth applications").click()
    await expect(page.get_by_role("heading", name="OAuth applications")).to_be_visible()

    name = f"Planner {secrets.token_hex(3)}"
    await page.get_by_label("Company").fill("Planner Ltd")
    await page.get_by_label("Application name").fill(name)
    await page.get_by_label("Logo URL").fill(f"{callback_url}/logo.png")
    await page.get_by_label("Website URL").fill("https://reports.example")
    # Plain http is for loopback only.
    await page.get_by_label("Redirect URIs").fill("http://planner.example/cb")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#redirect_uris-error")).to_contain_text("must use https")

    redirect_uri = f"{callback_url}/callback"
    await page.get_by_label("Redirect URIs").fill(f"{redirect_uri}\nhttps://planner.example/cb")
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("heading", name="The application is registered")).to_be_visible()
    client_id = await page.locator("#new-client-id").input_value()
    secret = await page.locator("#client-secret").input_value()
    assert client_id.startswith("app_") and secret.startswith("wls_")

    async with httpx.AsyncClient(base_url=live_server) as http:
        async def client_works(candidate: str) -> bool:
            answer = await http.post("/oauth2/token", data={
                "grant_type": "refresh_token", "refresh_token": "wlr_none",
                "client_id": client_id, "client_secret": candidate})
            return answer.json()["error"] == "invalid_grant"  # authenticated, then refused

        assert await client_works(secret)
        # Opened again, the page does not show the secret.
        await page.get_by_role("main").get_by_role("link", name="OAuth applications").click()
        await page.get_by_role("link", name=name).click()
        await expect(page.locator("#client-secret")).to_have_count(0)
        await expect(page.locator("#client-id")).to_have_text(client_id)

        await page.get_by_role("button", name="Regenerate client secret").click()
        await expect(page.get_by_role("heading", name="New client secret")).to_be_visible()
        new_secret = await page.locator("#client-secret").input_value()
        assert new_secret != secret
        assert not await client_works(secret) and await client_works(new_secret)

        await page.get_by_role("button", name="Disable application").click()
        await expect(page.locator(".notice")).to_contain_text("The application is disabled")
        assert not await client_works(new_secret)
        refused = await http.get("/oauth2/auth", params={
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "state": "s", "scope": "offline_access"})
        assert refused.status_code == 400 and "location" not in refused.headers

        await page.get_by_role("button", name="Enable application").click()
        await expect(page.locator(".notice")).to_contain_text("The application is enabled")
        assert await client_works(new_secret)

    await page.get_by_role("main").get_by_role("link", name="OAuth applications").click()
    await expect(page.locator("#applications tr", has_text=name)).to_contain_text("Enabled")
