"""Settings → Invoicing: a company admin sets the handling charges each delivery adds as
invoice charges (the same settings as ``PATCH /v1/company/settings``); a member only
reads them; the form needs its CSRF token and refuses a price that is not one."""

from __future__ import annotations

from decimal import Decimal

from playwright.async_api import Page, expect

from tests.web.conftest import csrf_of, log_in, logged_in_client, snapshot
from workledger.models import Company, UserRole

INVOICING = "/settings/invoicing"


async def prices(app, tenant) -> tuple[Decimal, Decimal]:
    async with app.state.database.session() as session:
        company = await session.get(Company, tenant.id)
        return company.handling_charge_per_order, company.handling_charge_per_line


async def test_an_admin_sets_the_handling_charges(page: Page, app, make_tenant, make_person):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    await log_in(page, admin)
    await page.get_by_role("main").get_by_role("link", name="Invoicing").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Invoicing")
    per_order, per_line = page.get_by_label("Per delivery"), page.get_by_label("Per delivered line")
    await expect(per_order).to_have_value("0")
    await expect(per_line).to_have_value("0")

    await per_order.fill("45")
    await per_line.fill("7,50")  # a decimal comma, as many people type it
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".notice")).to_contain_text("The handling charges are saved.")
    await expect(per_order).to_have_value("45")
    await expect(per_line).to_have_value("7.5")
    assert await prices(app, tenant) == (Decimal(45), Decimal("7.5"))
    await snapshot(page, "invoicing")

    for typed, message in (("-1", "Enter a price of 0 or more"), ("1.23456", "4 after it"),
                           ("lots", "Enter a price of 0 or more")):
        await per_line.fill(typed)
        await page.get_by_role("button", name="Save").click()
        error = page.locator("#handling_charge_per_line-error")
        await expect(error).to_contain_text(message)
        await expect(per_line).to_have_value(typed)  # what was typed stays to be corrected
        await expect(per_line).to_have_attribute("aria-invalid", "true")
    assert await prices(app, tenant) == (Decimal(45), Decimal("7.5"))  # nothing saved


async def test_the_form_needs_csrf_and_an_admin(live_server, app, make_tenant, make_person):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    member = await make_person(company_id=tenant.id, role=UserRole.member)
    form = {"handling_charge_per_order": "10", "handling_charge_per_line": "2"}
    async with logged_in_client(live_server, admin) as http:
        shown = await http.get(INVOICING)
        assert shown.status_code == 200
        for token in (None, "wrong-token"):
            data = form if token is None else {**form, "csrf_token": token}
            refused = await http.post(INVOICING, data=data)
            assert refused.status_code == 403
        invalid = await http.post(INVOICING, data={**form, "handling_charge_per_order": "-5",
                                                   "csrf_token": csrf_of(shown.text)})
        assert invalid.status_code == 400
        assert await prices(app, tenant) == (0, 0)
        saved = await http.post(INVOICING, data={**form, "csrf_token": csrf_of(shown.text)})
        assert saved.status_code == 303 and saved.headers["location"].startswith(INVOICING)
        assert await prices(app, tenant) == (10, 2)
    async with logged_in_client(live_server, member) as http:
        page = await http.get(INVOICING)
        assert page.status_code == 200
        assert 'id="per-order">10<' in page.text and 'id="per-line">2<' in page.text
        assert "Only a company admin can change the handling charges." in page.text
        refused = await http.post(INVOICING, data={**form, "handling_charge_per_order": "99",
                                                   "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403
    assert await prices(app, tenant) == (10, 2)
