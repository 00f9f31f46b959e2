"""The pages in the reader's language (DESIGN §4.8, issue 11 item 5): ``language_code``
in the query string, else the browser's Accept-Language, else English; the text comes
from the same catalogues as the API's messages."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.web.conftest import DESKTOP, log_in, logged_in_client, open_page
from workledger.kit.i18n import DANISH, ENGLISH, NORWEGIAN, SPANISH, SWEDISH, accept_language
from workledger.models import UserRole

INVOICING = "/settings/invoicing"


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


async def test_language_code_and_accept_language_choose_the_page_language(
        live_server, make_tenant, make_person):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    async with logged_in_client(live_server, admin) as http:
        swedish = await http.get("/settings?language_code=3")
        assert swedish.status_code == 200
        assert swedish.headers["Content-Language"] == "sv" and html_lang(swedish.text) == "sv"
        # The header, the side navigation, the tiles and the footer.
        for text in ("Inställningar", "Logga ut", "Översikt", "Auktoriserade applikationer",
                     "den egendriftade verksamhetsplattformen", "Hoppa till innehållet"):
            assert text in swedish.text, text
        for english in ("Settings", "Log out", "Overview", "Authorized applications",
                        "Skip to content"):
            assert f">{english}<" not in swedish.text, english

        danish = await http.get("/settings", headers={"Accept-Language": "da"})
        assert danish.headers["Content-Language"] == "da" and html_lang(danish.text) == "da"
        assert danish.headers["Vary"] == "Accept-Language"
        assert "Indstillinger" in danish.text and "Log ud" in danish.text
        assert "Autoriserede applikationer" in danish.text

        # The highest weight we have wins; the query string wins over the header.
        weighted = await http.get(
            "/settings", headers={"Accept-Language": "fr-CH, fr;q=0.9, es;q=0.5, da;q=0.4"})
        assert html_lang(weighted.text) == "es" and "Ajustes" in weighted.text
        chosen = await http.get("/settings?language_code=0", headers={"Accept-Language": "da"})
        assert html_lang(chosen.text) == "nb" and "Innstillinger" in chosen.text

        english = await http.get("/settings")
        assert english.headers["Content-Language"] == "en" and html_lang(english.text) == "en"
        assert ">Settings<" in english.text and "Inställningar" not in english.text

        # A form's errors and a notice, in the language of the request that saw them.
        refused = await http.post(INVOICING, headers={"Accept-Language": "sv"}, data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                    english.text).group(1),
            "handling_charge_per_order": "-1", "handling_charge_per_line": "1"})
        assert refused.status_code == 400
        assert "Ange ett pris på 0 eller mer" in refused.text
        assert "Hanteringsavgifter" in refused.text
        saved = await http.get(f"{INVOICING}?done=charges_saved&language_code=7")
        assert "Los cargos de manipulación están guardados." in saved.text


async def test_error_pages_and_the_login_page_are_translated(
        live_server, make_tenant, make_person):
    tenant = await make_tenant()
    member = await make_person(company_id=tenant.id, role=UserRole.member)
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as anonymous:
        login = await anonymous.get("/login", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
        assert html_lang(login.text) == "nb"
        assert "Logg inn med Workledger-kontoen din." in login.text
        assert "Passord" in login.text
        # "no" is what several browsers send for Norwegian.
        assert html_lang((await anonymous.get("/login", headers={
            "Accept-Language": "no"})).text) == "nb"

        unknown = await anonymous.get("/login?language_code=2",
                                      headers={"Accept-Language": "sv"})
        assert unknown.status_code == 400 and "text/html" in unknown.headers["content-type"]
        assert "language_code" in unknown.text and "Okänt språk" in unknown.text

    async with logged_in_client(live_server, member) as http:
        forbidden = await http.get("/admin?language_code=7")
        assert forbidden.status_code == 403
        assert "La administración es solo para el personal de la plataforma." in forbidden.text
        assert "No permitido" in forbidden.text and "Error 403" in forbidden.text


async def test_a_page_in_the_browser_follows_the_browsers_language(
        browser: Browser, live_server, make_tenant, make_person):
    """Chromium asks for Swedish: the page reads Swedish, and still loads under the
    strict Content-Security-Policy with no script error."""
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    context, page, problems = await open_page(browser, live_server, DESKTOP, locale="sv-SE")
    try:
        await page.goto("/login")
        await expect(page.locator("html")).to_have_attribute("lang", "sv")
        await page.get_by_label("E-post").fill(admin.email)
        await page.get_by_label("Lösenord").fill(admin.password)
        await page.get_by_role("button", name="Logga in").click()
        await page.wait_for_url(re.compile(r"/settings"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Inställningar")
        await page.get_by_role("link", name="API-konfiguration").first.click()
        await expect(page.get_by_role("button", name="Kopiera token")).to_be_visible()
    finally:
        await context.close()
    assert problems == []


async def test_english_pages_stay_english_for_an_english_browser(page, make_tenant,
                                                                 make_person):
    tenant = await make_tenant()
    await log_in(page, await make_person(company_id=tenant.id))
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Settings")


@pytest.mark.parametrize(("header", "language"), [
    (None, ENGLISH), ("", ENGLISH), ("sv", SWEDISH), ("da-DK", DANISH), ("NB", NORWEGIAN),
    ("nn", NORWEGIAN), ("fr, de", ENGLISH), ("fr, es;q=0.1", SPANISH),
    ("sv;q=0.2, da;q=0.8", DANISH), ("da;q=0, sv;q=0.1", SWEDISH),
    ("sv;q=abc, es", SPANISH), ("sv;q=2, da;q=0.5", DANISH), ("sv;q=nan", ENGLISH),
    ("*", ENGLISH), (",;,;q=", ENGLISH), ("en;q=0.9, sv;q=0.9", ENGLISH),
])
def test_accept_language(header, language):
    assert accept_language(header) == language
