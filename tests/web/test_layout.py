"""Every page, on a phone and two desktop widths, in chromium: a screenshot of each and no
element that sticks out of its container sideways.

A staff member and a company admin walk every page (login, the settings pages, the
consent page, the administration pages with a goods owner of 20 API users, the error
page), each page checked for what makes it look finished (the product header with the
company and the user) and for horizontal overflow: content wider than an element that
does not scroll, a box beyond its parent's content box or beyond the viewport. Elements
inside an ``overflow-x: auto`` container scroll there on purpose and are left out; on the
desktop widths no table may need that scrolling either. Buttons, badges and navigation
links may not break over lines (a column squeezed too narrow wraps them letter by letter
without overflowing anything). The screenshots land in pytest's tmp dir (``-s`` prints
where; ``--basetemp DIR`` keeps them out of reach of other pytest runs' clean-up).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.web.conftest import Person, csrf_of, log_in, logged_in_client, open_page
from workledger.auth.administration import (
    INTEGRATION_SYSTEMS,
    choose_erp_package,
    create_api_user,
    create_automation_user,
    issue_company_admin_token,
    update_api_user,
)
from workledger.models import Employee, UserRole
from workledger.oauth2 import clients
from workledger.sandbox.restore import restore
from workledger.web.consent import REFUSED_TITLE

WIDTHS = (390, 1024, 1280)
HEIGHTS = {390: 844}
API_USERS = 20
#: The walk below visits this many pages per width; fewer means a page was skipped.
PAGES_PER_WIDTH = 20
CALLBACK = "https://client.example/callback"
LOGO_URL = "https://client.example/logo.png"
#: A 1×1 PNG: the application's logo, served by the test in place of client.example.
LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

#: Run in the page: every element that sticks out sideways, described.
FIND_OVERFLOW = (Path(__file__).parent / "find_overflow.js").read_text(encoding="utf-8")

#: Run in the page: boxes with a table that must be scrolled sideways to be read whole.
SCROLLING_TABLES = """() => [...document.querySelectorAll("table")]
  .map((table) => table.parentElement)
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.className}: ${box.scrollWidth} px in ${box.clientWidth} px`)"""


#: Run in the page: buttons, badges and navigation links whose words break over lines
#: (squeezed by a column too narrow for them: "Dis / able"). Short labels fit on one line
#: wherever they are placed well.
BROKEN_LABELS = """() => [...document.querySelectorAll(
    "button, .button, .badge, .sidebar a, .areas a")]
  .filter((el) => el.getClientRects().length > 0 && el.innerText.trim().length <= 30)
  .filter((el) => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const text = el.getBoundingClientRect().height - parseFloat(style.paddingTop)
      - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth)
      - parseFloat(style.borderBottomWidth);
    return text > line * 1.5;
  })
  .map((el) => `${el.tagName.toLowerCase()} "${el.innerText.trim()}"`)"""


@dataclass
class Scene:
    """What the walk shows: a goods owner with everything filled in, its admin, staff."""

    company_id: int
    company_name: str
    admin: Person
    staff: Person
    api_user_id: int
    api_user_name: str
    application_id: int
    application_name: str
    client_id: str


@dataclass
class Visit:
    width: int
    name: str
    path: str
    heading: str
    screenshot: Path
    overflow: list[str]
    scrolling_tables: list[str]
    broken_labels: list[str]


def suffix() -> str:
    return secrets.token_hex(3)


async def authorize_over_http(live_server: str, person: Person, client_id: str,
                              secret: str) -> None:
    """The company admin allows the application and it fetches tokens: Settings →
    Authorized applications then has a row to show."""
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
              "scope": "offline_access", "state": suffix()}
    async with logged_in_client(live_server, person) as http:
        page = await http.get("/oauth2/auth", params=params)
        assert page.status_code == 200, page.text
        decided = await http.post(page.url.raw_path.decode(), data={
            "csrf_token": csrf_of(page.text), "decision": "allow"})
        assert decided.status_code == 303, decided.text
        code = httpx.URL(decided.headers["location"]).params["code"]
        token = await http.post("/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": client_id, "client_secret": secret})
        assert token.status_code == 200, token.text


@pytest.fixture
async def scene(app, live_server, make_tenant, make_person) -> Scene:
    tag = suffix()
    tenant = await make_tenant(name=f"Nordvik Elektro & Kjøleservice AS {tag}")
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    staff = await make_person(is_staff=True)
    keyring = app.state.keyring
    async with app.state.database.session() as session:
        api_users = []
        for number in range(API_USERS):
            system = INTEGRATION_SYSTEMS[number % len(INTEGRATION_SYSTEMS)]
            api_users.append(await create_api_user(
                session, tenant.id, username=f"WSInordvik_{tag}_{number:02}",
                password="a long api password", invoices_allowed=number % 3 == 0,
                email=f"integrations.team+{number:02}-{tag}@nordvik-elektro.example",
                integration_system=system,
                integration_other="Warehouse planner 3000" if system == "Other" else "",
            ))
        for disabled in api_users[::4]:
            await update_api_user(session, tenant.id, disabled.id, active=False)
        await issue_company_admin_token(session, keyring, tenant.id)
        await choose_erp_package(session, keyring, tenant.id, "Exact Online")
        # Employees a package posted, with long names and addresses (the ERP/CRM page).
        session.add_all([Employee(
            company_id=tenant.id, number=f"TECHNICIAN-{number:04}",
            first_name="Maximiliane-Josefine", last_name=f"van der Heijden-Oosterhout {number}",
            email=f"maximiliane.van.der.heijden-oosterhout+{number}@installateurs.example",
            phone_number="+31 (0)20 123 45 67", active=number % 5 != 0,
        ) for number in range(12)])
        await session.flush()
        await create_automation_user(
            session, username=f"lift-hall-2-{tag}", password="a long robot password",
            description="Storage lift in hall 2, picks for every goods owner",
        )
        application, secret = await clients.register(
            session, keyring, company_name="Client Company", name=f"Reporting {tag}",
            logo_url=LOGO_URL, website_url="https://reports.example",
            redirect_uris=CALLBACK, public=False,
        )
    await authorize_over_http(live_server, admin, application.client_id, secret)
    # A restore for the Sandbox page to list.
    settings = app.state.settings
    await restore(settings.database_url, settings.resolved_sandbox_database_url())
    first = api_users[1]
    return Scene(tenant.id, tenant.name, admin, staff, first.id, first.username,
                 application.id, application.name, application.client_id)


class Walk:
    """Visits pages in one browser context and checks each one."""

    def __init__(self, page: Page, width: int, shots: Path, visits: list[Visit]) -> None:
        self.page, self.width, self.shots, self.visits = page, width, shots, visits

    async def check(self, name: str, heading: str, *, path: str | None = None) -> Visit:
        page = self.page
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if path is not None:  # landed where it was asked for, not on the login page
            assert httpx.URL(page.url).raw_path.decode() == path, (name, page.url)
        # The product header on every page, with who is signed in when someone is.
        banner = page.get_by_role("banner")
        await expect(banner).to_contain_text("Workledger")
        shot = self.shots / f"{self.width}-{len(self.visits) + 1:02}-{name}.png"
        await page.screenshot(path=str(shot), full_page=True)
        overflow = await page.evaluate(f"({FIND_OVERFLOW})()")
        scrolling_tables = await page.evaluate(SCROLLING_TABLES)
        broken = await page.evaluate(BROKEN_LABELS)
        visit = Visit(self.width, name, page.url, heading, shot, overflow, scrolling_tables,
                      broken)
        self.visits.append(visit)
        return visit

    async def open(self, name: str, path: str, heading: str, *, status: int = 200) -> Visit:
        response = await self.page.goto(path)
        assert response is not None and response.status == status, (name, path)
        return await self.check(name, heading, path=path)

    async def signed_in_as(self, person: Person, company_name: str | None) -> None:
        banner = self.page.get_by_role("banner")
        await expect(banner).to_contain_text(person.email)
        if company_name:
            await expect(banner).to_contain_text(company_name)


async def walk_signed_out_and_company_admin(walk: Walk, scene: Scene) -> None:
    refused = "/oauth2/auth?" + urlencode({
        "response_type": "code", "client_id": "app_unknown", "redirect_uri": CALLBACK})
    await walk.open("login", "/login", "Log in")
    await walk.open("error-signed-out", refused, REFUSED_TITLE, status=400)

    await log_in(walk.page, scene.admin)
    await walk.signed_in_as(scene.admin, scene.company_name)
    await walk.open("settings", "/settings", "Settings")
    await walk.open("api-configuration", "/settings/external-data-sources/api-configuration",
                    "API configuration")
    await walk.open("api-settings", "/settings/api", "API settings")
    await walk.page.get_by_role("button", name="Generate key").click()
    await expect(walk.page.get_by_role("heading", name="Your new API key")).to_be_visible()
    await walk.check("api-settings-new-key", "API settings")
    await walk.open("authorized-applications", "/settings/authorized-applications",
                    "Authorized applications")
    await expect(walk.page.locator("#authorized-applications tbody tr")).to_have_count(1)
    await walk.open("erp-crm", "/settings/start/erp-crm", "ERP/CRM Overview")
    await walk.open("invoicing", "/settings/invoicing", "Invoicing")
    consent = "/oauth2/auth?" + urlencode({
        "response_type": "code", "client_id": scene.client_id, "redirect_uri": CALLBACK,
        "scope": "offline_access", "state": suffix()})
    await walk.open("consent", consent, f"Authorize {scene.application_name}")
    await walk.signed_in_as(scene.admin, scene.company_name)
    await walk.open("error-forbidden", "/admin", "Not allowed", status=403)
    await walk.signed_in_as(scene.admin, scene.company_name)


async def walk_staff(walk: Walk, scene: Scene) -> None:
    await log_in(walk.page, scene.staff)
    await walk.signed_in_as(scene.staff, None)
    goods_owner = f"/admin/goods-owners/{scene.company_id}"
    await walk.open("administration", "/admin", "Administration")
    await walk.open("goods-owners", "/admin/goods-owners", "API for goods owners")
    await walk.open("goods-owner", goods_owner, scene.company_name)
    await expect(walk.page.locator("#api-users tbody tr")).to_have_count(API_USERS)
    await walk.page.get_by_role("button", name="Issue company admin token").click()
    await expect(walk.page.locator("#admin-token")).to_be_visible()
    await walk.check("goods-owner-new-admin-token", scene.company_name)
    await walk.open("api-user-delete", f"{goods_owner}/api-users/{scene.api_user_id}/delete",
                    f"Delete {scene.api_user_name}")
    await walk.open("automation", "/admin/automation", "API for automation")
    await walk.open("oauth-applications", "/admin/oauth-applications", "OAuth applications")
    await walk.open("oauth-application", f"/admin/oauth-applications/{scene.application_id}",
                    scene.application_name)
    await walk.open("sandbox", "/admin/sandbox", "Sandbox")
    await expect(walk.page.locator("#recent-title")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_page_fits_its_width(
    width: int, browser: Browser, live_server: str, scene: Scene, tmp_path: Path
):
    viewport = {"width": width, "height": HEIGHTS.get(width, 900)}
    visits: list[Visit] = []
    walks: list[Callable[[Walk, Scene], Awaitable[None]]] = [
        walk_signed_out_and_company_admin, walk_staff]
    for run in walks:
        context, page, problems = await open_page(browser, live_server, viewport)
        try:
            await serve_logo(context)
            await run(Walk(page, width, tmp_path, visits), scene)
        finally:
            await context.close()
        assert problems == []
    print(f"\n{len(visits)} screenshots at {width} px in {tmp_path}")

    assert len({visit.name for visit in visits}) >= PAGES_PER_WIDTH, [v.name for v in visits]
    overflowing = {visit.name: visit.overflow[:8] for visit in visits if visit.overflow}
    assert overflowing == {}, f"elements stick out sideways at {width} px:\n{report(overflowing)}"
    broken = {visit.name: visit.broken_labels[:8] for visit in visits if visit.broken_labels}
    assert broken == {}, f"short labels break over lines at {width} px:\n{report(broken)}"
    if width >= 1024:
        scrolling = {visit.name: visit.scrolling_tables for visit in visits
                     if visit.scrolling_tables}
        assert scrolling == {}, (
            f"tables must be scrolled sideways at {width} px:\n{report(scrolling)}")


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {page}: {problem}" for page, problems in found.items()
                     for problem in problems)


async def serve_logo(context: BrowserContext) -> None:
    """The consent page shows the application's logo from the application's own host;
    the test answers for that host (registered last, this route wins over the refusal of
    every other host)."""
    async def fulfil(route) -> None:
        await route.fulfill(status=200, content_type="image/png", body=LOGO)

    await context.route(LOGO_URL, fulfil)
