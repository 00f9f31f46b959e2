"""Logging in and out, who may see which page, CSRF on every form, the session cookie
and the security headers."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import update

from tests.web.conftest import csrf_of, log_in, logged_in_client, snapshot
from workledger.app import create_app
from workledger.models import User, UserRole
from workledger.web.common import CONTENT_SECURITY_POLICY
from workledger.web.sessions import COOKIE_NAME

LOGIN_FAILED = "The e-mail address or password is not right, or the account is disabled."
API_CONFIGURATION = "/settings/external-data-sources/api-configuration"


async def test_login_next_and_logout(page: Page, live_server, make_tenant, make_person, app):
    tenant = await make_tenant()
    member = await make_person(company_id=tenant.id)

    # A page asked for while logged out leads to the login page and back after it.
    await page.goto("/settings/api")
    assert page.url == f"{live_server}/login?next=/settings/api"
    await snapshot(page, "login")

    # Wrong password and unknown e-mail: the same words.
    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    await page.get_by_label("E-mail").fill("nobody-here@pages.test")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text(LOGIN_FAILED)

    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill(member.password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{live_server}/settings/api")
    await expect(page.get_by_text(f"Logged in as {member.email}")).to_be_visible()

    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(f"{live_server}/login?logged_out=1")
    await expect(page.get_by_text("You are logged out.")).to_be_visible()
    await page.goto("/settings")
    assert page.url.startswith(f"{live_server}/login?next=/settings")

    # `next` never leads off the site.
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        await log_in(page, member, path="/login?next=" + quote(target, safe=""))
        assert page.url == f"{live_server}/settings", target
        await page.get_by_role("button", name="Log out").click()
        await page.wait_for_url(re.compile(r"/login"))

    # A disabled user is out at once, on the next page they open.
    await log_in(page, member)
    async with app.state.database.session() as session:
        await session.execute(update(User).where(User.id == member.id).values(is_active=False))
    await page.goto("/settings")
    assert page.url.startswith(f"{live_server}/login?next=/settings")


async def test_who_sees_which_page(live_server, make_tenant, make_person):
    tenant = await make_tenant()
    member = await make_person(company_id=tenant.id, role=UserRole.member)
    staff = await make_person(is_staff=True)

    async with httpx.AsyncClient(base_url=live_server, timeout=10) as anonymous:
        response = await anonymous.get(f"{API_CONFIGURATION}?x=1")
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={API_CONFIGURATION}%3Fx%3D1"

    async with logged_in_client(live_server, member) as http:
        assert (await http.get("/settings")).status_code == 200
        for path in ("/admin", "/admin/goods-owners", f"/admin/goods-owners/{tenant.id}",
                     "/admin/automation"):
            response = await http.get(path)
            assert response.status_code == 403, path
            assert "Administration is for platform staff only." in response.text
            assert "text/html" in response.headers["content-type"]

    async with logged_in_client(live_server, staff) as http:
        response = await http.get("/settings/api")  # staff without a company
        assert response.status_code == 303 and response.headers["location"] == "/admin"
        assert (await http.get("/admin")).status_code == 200
        missing = await http.get("/admin/goods-owners/999999999")
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]

    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        schema = (await http.get("/openapi.json")).json()
    assert not [p for p in schema["paths"] if p.startswith(("/login", "/settings", "/admin"))]


async def test_every_post_needs_the_csrf_token(live_server, make_tenant, make_person):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)

    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        login = await http.get("/login")
        credentials = {"email": admin.email, "password": admin.password}
        for token in (None, "wrong-token"):
            form = credentials if token is None else {**credentials, "csrf_token": token}
            refused = await http.post("/login", data=form)
            assert refused.status_code == 403
            assert "This form has expired or did not come from this site." in refused.text
        # The token of another browser's session does not fit this one.
        async with httpx.AsyncClient(base_url=live_server, timeout=10) as other:
            foreign = csrf_of((await other.get("/login")).text)
        assert (await http.post(
            "/login", data={**credentials, "csrf_token": foreign}
        )).status_code == 403

        ok = await http.post("/login", data={**credentials, "csrf_token": csrf_of(login.text)})
        assert ok.status_code == 303 and ok.headers["location"] == "/settings"

        page = await http.get(API_CONFIGURATION)
        key = re.search(r'id="company-key"[^>]*value="([^"]+)"', page.text).group(1)
        assert key == tenant.key
        # The login began a new session with a new token: the old one is void.
        assert csrf_of(page.text) != csrf_of(login.text)
        for form in ({"confirm": "1"}, {"confirm": "1", "csrf_token": csrf_of(login.text)}):
            refused = await http.post(f"{API_CONFIGURATION}/rotate", data=form)
            assert refused.status_code == 403
        assert (await http.post("/logout", data={})).status_code == 403
        still = await http.get(API_CONFIGURATION)
        assert still.status_code == 200 and tenant.key in still.text  # nothing rotated


async def test_security_headers_and_the_session_cookie(live_server, make_person, settings):
    staff = await make_person(is_staff=True)
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        login = await http.get("/login")
        cookie = login.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
        assert "Secure" not in cookie  # development mode serves plain HTTP
        signed = await http.post("/login", data={
            "csrf_token": csrf_of(login.text), "email": staff.email, "password": staff.password,
        })
        responses = [login, signed]
        for path in ("/admin", "/admin/goods-owners", "/admin/automation", "/admin/nothing-here"):
            responses.append(await http.get(path))
        for response in responses:
            headers = response.headers
            if response.request.url.path == "/admin/nothing-here":
                assert response.status_code == 404
                continue
            assert headers["x-frame-options"] == "DENY"
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["cache-control"] == "no-store"
        for asset in ("/static/web/style.css", "/static/web/copy.js"):
            response = await http.get(asset)
            assert response.status_code == 200
            assert response.headers["x-content-type-options"] == "nosniff"
        # A cookie that was tampered with is not a session.
        # (Replace the whole signature: changing only its last characters can leave the
        # decoded bytes unchanged, since base64 ignores a final character's padding bits.)
        value, _, signature = http.cookies[COOKIE_NAME].rpartition(".")
        forged = "A" * len(signature) if signature != "A" * len(signature) else "B" * len(signature)
        http.cookies.set(COOKIE_NAME, f"{value}.{forged}")
        assert (await http.get("/admin")).status_code == 303

    # In production the cookie is Secure (and the pages are reached over HTTPS).
    production = create_app(settings.model_copy(update={"dev": False}))
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="https://pages.test") as https:
        response = await https.get("/login")
        assert response.status_code == 200
        assert "Secure" in response.headers["set-cookie"]
    await production.state.database.dispose()


async def test_failed_logins_are_rate_limited(settings, make_person):
    person = await make_person()
    limited = create_app(settings.model_copy(update={
        "redis_url": None, "rate_limit_login": "3/15 minutes",
    }))
    transport = httpx.ASGITransport(app=limited)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://pages.test") as http:
            csrf = csrf_of((await http.get("/login")).text)
            attempt = {"csrf_token": csrf, "email": person.email, "password": "wrong password"}
            for _ in range(3):
                assert (await http.post("/login", data=attempt)).status_code == 400
            # Spent: even the right password is not checked now.
            refused = await http.post("/login", data={**attempt, "password": person.password})
            assert refused.status_code == 429
            assert "Retry-After" in refused.headers
            assert "too many failed sign-ins" in refused.text
            assert refused.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    finally:
        await limited.state.database.dispose()
