"""Staff administration in the browser (seed 001): API access per goods owner, API users
(WSI names, invoice permission, disable, delete, credentials by e-mail), the company
admin token, and automation users. The goods-owner flow runs on a phone-sized screen."""

from __future__ import annotations

import secrets

from playwright.async_api import Page, expect
from sqlalchemy import select

from tests.web.conftest import PUBLIC_URL, log_in, snapshot
from workledger.models import (
    ApiUser,
    AutomationUser,
    Company,
    Credential,
    CredentialKind,
)


async def api_user(app, username: str) -> ApiUser | None:
    async with app.state.database.session() as session:
        return await session.scalar(select(ApiUser).where(ApiUser.username == username))


async def test_staff_allows_api_access_and_manages_api_users(
    phone: Page, live_server, make_tenant, make_person, app
):
    page = phone
    tenant = await make_tenant(api_access=False, name=f"Goods owner {secrets.token_hex(3)}")
    staff = await make_person(is_staff=True)
    await log_in(page, staff)
    assert page.url == f"{live_server}/admin"

    await page.get_by_role("main").get_by_role("link", name="API for goods owners").click()
    row = page.locator(f"tr:has(a[href='/admin/goods-owners/{tenant.id}'])")
    await expect(row).to_contain_text("Off")
    await snapshot(page, "goods-owners-phone")
    await row.get_by_role("link", name=tenant.name).click()
    await expect(page.get_by_role("heading", name=tenant.name)).to_be_visible()
    # While API access is off the form is disabled and says why.
    await expect(page.get_by_label("Username")).to_be_disabled()
    await expect(page.locator("#create-api-user .warning")).to_contain_text("Allow API access")

    await page.get_by_role("button", name="Allow API access").click()
    await expect(page.locator(".notice")).to_contain_text("API access is allowed")
    async with app.state.database.session() as session:
        assert (await session.get(Company, tenant.id)).api_access is True

    suffix = secrets.token_hex(3)
    await page.get_by_label("Username").fill(f"Shop{suffix}")
    await page.get_by_label("Password").fill("a long api password")
    await page.get_by_label("E-mail", exact=True).fill(f"shop-{suffix}@example.test")
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator("#username-error")).to_contain_text(
        'The username must start with "WSI"'
    )
    email_field = page.get_by_label("E-mail", exact=True)
    await expect(email_field).to_have_value(f"shop-{suffix}@example.test")
    await snapshot(page, "goods-owner-wsi-error-phone")
    assert await api_user(app, f"Shop{suffix}") is None

    username = f"WSIShop{suffix}"
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill("a long api password")
    await page.get_by_label("Integration system").select_option("Other")
    await page.get_by_label("Other system's name").fill("Your System")
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator(".notice")).to_have_text("The API user was created.")
    created = await api_user(app, username)
    assert created is not None and created.company_id == tenant.id
    assert created.integration_system == "Your System"
    assert created.invoices_allowed is False and created.is_active is True
    user_row = page.locator(f"#api-user-{created.id}")
    await expect(user_row).to_contain_text(f"shop-{suffix}@example.test")
    await expect(user_row).to_contain_text("Your System")
    await snapshot(page, "goods-owner-phone")

    invoices = user_row.get_by_label("Allow this user to see invoicing information in the API")
    await expect(invoices).not_to_be_checked()
    await invoices.check()
    await user_row.get_by_role("button", name="Save").click()
    await expect(page.locator(".notice")).to_contain_text("may now see invoicing information")
    await expect(user_row.get_by_role("checkbox")).to_be_checked()
    assert (await api_user(app, username)).invoices_allowed is True

    await user_row.get_by_role("button", name="Disable").click()
    await expect(page.locator(".notice")).to_contain_text("The API user is disabled")
    await expect(user_row).to_contain_text("Disabled")
    assert (await api_user(app, username)).is_active is False

    await user_row.get_by_role("link", name="Delete…").click()
    await page.get_by_role("button", name=f"Delete {username}").click()
    await expect(page.locator(".notice")).to_have_text("The API user was deleted.")
    await expect(page.locator(f"#api-user-{created.id}")).to_have_count(0)
    assert await api_user(app, username) is None

    await page.get_by_role("button", name="Issue company admin token").click()
    token = await page.locator("#admin-token").input_value()
    assert token.startswith("wlx_")
    await expect(page.get_by_text("X-API-Authorization: <token>")).to_be_visible()
    async with app.state.database.session() as session:
        issued = await session.scalar(select(Credential).where(
            Credential.digest == app.state.keyring.digest(token)
        ))
    assert issued.kind == CredentialKind.company_admin_token
    assert issued.company_id == tenant.id and issued.revoked_at is None
    await page.goto(f"/admin/goods-owners/{tenant.id}")
    assert token not in await page.content()

    await page.get_by_role("button", name="Revoke API access").click()
    await expect(page.locator(".notice")).to_contain_text("API access is revoked")
    await expect(page.get_by_label("Username")).to_be_disabled()
    async with app.state.database.session() as session:
        assert (await session.get(Company, tenant.id)).api_access is False


async def test_send_user_credentials_by_mail(
    page: Page, live_server, make_tenant, make_person, app, mailbox
):
    inbox, _port = mailbox
    tenant = await make_tenant()
    staff = await make_person(is_staff=True)
    await log_in(page, staff, path=f"/login?next=/admin/goods-owners/{tenant.id}")
    assert page.url == f"{live_server}/admin/goods-owners/{tenant.id}"

    suffix = secrets.token_hex(3)
    username, password = f"WSIMail{suffix}", f"mail password {suffix}"
    address = f"integrator-{suffix}@example.test"
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_label("E-mail", exact=True).fill(address)
    await page.get_by_label("Integration system").select_option("Shopify")
    await page.get_by_label("Send user credentials").check()
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator(".notice")).to_have_text(
        "The API user was created and the credentials were e-mailed."
    )
    await snapshot(page, "goods-owner-desktop")

    [mail] = inbox.to(address)
    assert mail["To"] == address
    assert tenant.name in mail["Subject"]
    body = mail.get_content()
    assert f"Username: {username}" in body and f"Password: {password}" in body
    assert f"{PUBLIC_URL}/v1/" in body
    created = await api_user(app, username)
    assert created.email == address and created.integration_system == "Shopify"


async def test_automation_users(page: Page, live_server, make_person, app):
    staff = await make_person(is_staff=True)
    await log_in(page, staff)
    await page.get_by_role("main").get_by_role("link", name="API for automation").click()
    await expect(page.get_by_role("heading", name="Create new user")).to_be_visible()

    await page.get_by_label("Username").fill(f"WSIRobot{secrets.token_hex(3)}")
    await page.get_by_label("Password").fill("a long robot password")
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator("#username-error")).to_contain_text("goods-owner credentials")

    username = f"lift-{secrets.token_hex(3)}"
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill("a long robot password")
    await page.get_by_label("Description").fill("Storage lift, hall 2")
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator(".notice")).to_have_text("The automation user was created.")
    row = page.locator(f"tr[data-username='{username}']")
    await expect(row).to_contain_text("Storage lift, hall 2")
    await expect(row).to_contain_text("Active")
    await snapshot(page, "automation")

    await row.get_by_role("button", name="Disable").click()
    await expect(row).to_contain_text("Disabled")
    async with app.state.database.session() as session:
        stored = await session.scalar(
            select(AutomationUser).where(AutomationUser.username == username)
        )
    assert stored.is_active is False
    await row.get_by_role("button", name="Enable").click()
    await expect(row).to_contain_text("Active")

