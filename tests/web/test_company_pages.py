"""A company's settings pages in the browser: the company key (copy, rotate), the API
key shown once, the ERP/CRM package and its connector token; members only look."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import select

from tests.web.conftest import API_EMAIL_HOST, PUBLIC_URL, log_in, snapshot
from workledger.models import Company, Credential, CredentialKind, UserRole

API_CONFIGURATION = "/settings/external-data-sources/api-configuration"


async def customers_status(live_server: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        response = await http.get("/v1/customers", headers={"Authorization": f"Key {token}"})
    return response.status_code


async def test_admin_copies_and_rotates_the_company_key(
    page: Page, live_server, make_tenant, make_person
):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)

    await log_in(page, admin)
    assert page.url == f"{live_server}/settings"
    await page.get_by_role("main").get_by_role("link", name="API configuration").click()
    await expect(page.get_by_role("heading", name="API configuration")).to_be_visible()
    await snapshot(page, "api-configuration")

    shown = await page.locator("#company-key").input_value()
    assert shown == tenant.key  # the key the company already had, not a new one
    await page.get_by_role("button", name="Copy token").click()
    await expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == shown
    assert await customers_status(live_server, shown) == 200

    await page.get_by_label("I understand that the current token stops working").check()
    await page.get_by_role("button", name="Rotate token").click()
    await expect(page.locator(".notice")).to_contain_text("The previous one no longer works")
    rotated = await page.locator("#company-key").input_value()
    assert rotated.startswith("wlk_") and rotated != shown
    assert await customers_status(live_server, shown) == 401
    assert await customers_status(live_server, rotated) == 200

    # The page shows the current key again on the next visit (DESIGN §4.7).
    await page.goto(API_CONFIGURATION)
    assert await page.locator("#company-key").input_value() == rotated


async def test_generate_key_shows_the_key_once(
    page: Page, live_server, make_tenant, make_person, app
):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    await log_in(page, admin)
    await page.get_by_role("main").get_by_role("link", name="API settings").click()
    await expect(page.get_by_text("No API key has been generated yet.")).to_be_visible()

    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await page.get_by_role("button", name="Generate key").click()
    assert (await posted.value).headers.get("cache-control") == "no-store"
    await expect(page.get_by_role("heading", name="Your new API key")).to_be_visible()
    await snapshot(page, "api-settings-new-key")
    email = await page.locator("#api-email").input_value()
    key = await page.locator("#api-key").input_value()
    assert re.fullmatch(rf"api_{tenant.id}_[0-9a-f]{{4}}@{re.escape(API_EMAIL_HOST)}", email)
    assert key.startswith("wla_")

    await page.goto("/settings/api")  # load the page again
    assert key not in await page.content()
    await expect(page.locator("#current-api-email")).to_have_text(email)

    await page.get_by_role("button", name="Generate key").click()
    second_email = await page.locator("#api-email").input_value()
    assert second_email != email
    async with app.state.database.session() as session:
        active = (await session.scalars(select(Credential.login).where(
            Credential.company_id == tenant.id, Credential.kind == CredentialKind.api_key,
            Credential.revoked_at.is_(None),
        ))).all()
    assert active == [second_email]  # regenerating revoked the first key


async def test_erp_package_gives_a_token_that_never_changes(
    page: Page, make_tenant, make_person, app
):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    await log_in(page, admin)
    await page.get_by_role("main").get_by_role("link", name="ERP/CRM Overview").click()
    select_package = page.get_by_label("ERP/CRM package")
    await expect(select_package).to_have_value("BouwOffice")
    await expect(page.locator("#connector-token")).to_have_count(0)

    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".notice")).to_have_text("Your software package is saved.")
    token = await page.locator("#connector-token").input_value()
    assert token.startswith("wlc_")
    await expect(page.locator("#connector-url")).to_have_text(
        f"{PUBLIC_URL}/openapi/1/<function>/?token={token}"
    )
    await snapshot(page, "erp-crm")

    await select_package.select_option("AFAS")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".notice")).to_be_visible()
    await expect(select_package).to_have_value("AFAS")  # the saved package is preselected
    assert await page.locator("#connector-token").input_value() == token
    async with app.state.database.session() as session:
        assert (await session.get(Company, tenant.id)).erp_package == "AFAS"


async def test_a_member_sees_the_key_but_cannot_rotate_it(
    page: Page, live_server, make_tenant, make_person
):
    tenant = await make_tenant()
    member = await make_person(company_id=tenant.id, role=UserRole.member)
    await log_in(page, member)
    await page.goto(API_CONFIGURATION)
    assert await page.locator("#company-key").input_value() == tenant.key
    await expect(page.get_by_role("button", name="Rotate token")).to_have_count(0)
    await expect(page.get_by_text("Only a company admin can rotate the token.")).to_be_visible()

    # Posting the form anyway (with a valid CSRF token) is refused.
    csrf = await page.locator("input[name=csrf_token]").first.input_value()
    refused = await page.request.post(
        f"{API_CONFIGURATION}/rotate", form={"csrf_token": csrf, "confirm": "1"},
        max_redirects=0,
    )
    assert refused.status == 403
    assert "Only a company admin can rotate the company key." in await refused.text()
    assert await customers_status(live_server, tenant.key) == 200

    # Nor can a member generate an API key or save the ERP package.
    for path, form in (("/settings/api/generate-key", {}),
                       ("/settings/start/erp-crm", {"package": "AFAS"})):
        response = await page.request.post(path, form={"csrf_token": csrf, **form},
                                           max_redirects=0)
        assert response.status == 403, path


async def test_employees_posted_by_the_package_show_on_the_erp_page(
    page: Page, live_server, make_tenant, make_person
):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    await log_in(page, admin)
    await page.goto("/settings/start/erp-crm")
    await expect(page.locator("#connector-employees")).to_contain_text("No employees yet")
    await page.get_by_role("button", name="Save").click()
    token = await page.locator("#connector-token").input_value()

    # The package posts its technicians through the connector, over real HTTP.
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        posted = await http.post(f"/openapi/1/PostEmployees/?token={token}", json=[
            {"number": "T-07", "firstname": "Sanne", "lastname": "de Vries",
             "email": "sanne@example.com"},
            {"number": "T-08", "firstname": "Jan", "lastname": "Bakker", "active": False}])
    assert posted.json() == {"code": 200, "messages": [], "response": 2}

    await page.reload()
    rows = page.locator("#connector-employees tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("T-07")
    await expect(rows.nth(0)).to_contain_text("Sanne de Vries")
    await expect(rows.nth(0)).to_contain_text("sanne@example.com")
    await expect(rows.nth(1)).to_contain_text("Jan Bakker")
    await expect(rows.nth(1).locator("td[data-label=Active]")).to_have_text("no")
    await expect(page.locator("#connector-employees .count")).to_have_text("2")
    await snapshot(page, "erp-crm-employees")
