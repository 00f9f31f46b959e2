"""The pages in the reader's language (DESIGN §4.8, issue 11 item 5): ``language_code``
in the query string, else the browser's Accept-Language, else English; the text comes
from the same catalogues as the API's messages."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.web.conftest import DESKTOP, csrf_of, log_in, logged_in_client, open_page
from workledger.kit.i18n import DANISH, ENGLISH, NORWEGIAN, SPANISH, SWEDISH, accept_language
from workledger.models import UserRole
from workledger.web.common import LANGUAGE_COOKIE

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

        # The choice is remembered (test below); forget it to see the header decide.
        http.cookies.delete(LANGUAGE_COOKIE)
        danish = await http.get("/settings", headers={"Accept-Language": "da"})
        assert danish.headers["Content-Language"] == "da" and html_lang(danish.text) == "da"
        assert danish.headers["Vary"] == "Accept-Language, Cookie"
        assert "Indstillinger" in danish.text and "Log ud" in danish.text
        assert "Autoriserede applikationer" in danish.text

        # The highest weight we have wins; the query string wins over the header.
        weighted = await http.get(
            "/settings", headers={"Accept-Language": "fr-CH, fr;q=0.9, es;q=0.5, da;q=0.4"})
        assert html_lang(weighted.text) == "es" and "Ajustes" in weighted.text
        chosen = await http.get("/settings?language_code=0", headers={"Accept-Language": "da"})
        assert html_lang(chosen.text) == "nb" and "Innstillinger" in chosen.text
        http.cookies.delete(LANGUAGE_COOKIE)

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


async def test_the_chosen_language_is_kept_across_clicks_forms_and_redirects(
        live_server, make_tenant, make_person):
    """A reader who opened a page with ``language_code`` keeps that language on the next
    click, form and redirect (a cookie, which beats the browser's Accept-Language), until
    another ``language_code``; CSRF and the Content-Security-Policy are as they were."""
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        english_login = await http.get("/login")
        assert "workledger_language" not in english_login.headers.get("set-cookie", "")
        login = await http.get("/login?language_code=7", headers={"Accept-Language": "da"})
        assert html_lang(login.text) == "es"
        cookie = next(value for value in login.headers.get_list("set-cookie")
                      if value.startswith(f"{LANGUAGE_COOKIE}="))
        assert cookie.startswith(f"{LANGUAGE_COOKIE}=7;")
        for attribute in ("HttpOnly", "Path=/", "SameSite=lax"):
            assert attribute.lower() in cookie.lower(), cookie
        assert login.headers["Content-Security-Policy"] == \
            english_login.headers["Content-Security-Policy"]

        # The form's action has no language_code, nor does the redirect after it.
        assert 'action="/login"' in login.text
        signed_in = await http.post("/login", headers={"Accept-Language": "da"}, data={
            "csrf_token": csrf_of(login.text), "email": admin.email,
            "password": admin.password})
        assert signed_in.status_code == 303 and "language_code" not in \
            signed_in.headers["location"]
        landing = await http.get(signed_in.headers["location"],
                                 headers={"Accept-Language": "da"})
        assert html_lang(landing.text) == "es" and "Ajustes" in landing.text
        assert landing.headers["Content-Language"] == "es"
        # Not set again while it holds the same choice.
        assert LANGUAGE_COOKIE not in landing.headers.get("set-cookie", "")

        # A link of the page, followed.
        href = re.search(r'href="(/settings/[a-z-]+)"', landing.text).group(1)
        clicked = await http.get(href, headers={"Accept-Language": "da"})
        assert clicked.status_code == 200 and html_lang(clicked.text) == "es"

        # A form posted from it: its errors in Spanish; without the token still refused.
        refused = await http.post(INVOICING, data={
            "csrf_token": csrf_of(landing.text),
            "handling_charge_per_order": "-1", "handling_charge_per_line": "1"})
        assert refused.status_code == 400 and html_lang(refused.text) == "es"
        assert "Introduzca un precio de 0 o más" in refused.text
        forged = await http.post(INVOICING, data={
            "handling_charge_per_order": "1", "handling_charge_per_line": "1"})
        assert forged.status_code == 403 and html_lang(forged.text) == "es"

        # Another choice replaces it; English is a choice like the others.
        swedish = await http.get("/settings?language_code=3")
        assert html_lang(swedish.text) == "sv"
        assert html_lang((await http.get("/settings")).text) == "sv"
        await http.get("/settings?language_code=1")
        assert html_lang((await http.get("/settings", headers={
            "Accept-Language": "da"})).text) == "en"

        # A cookie that holds no language is ignored: the browser's header decides.
        for junk in ("2", "abc", "", "3x", "-1"):
            http.cookies.set(LANGUAGE_COOKIE, junk)
            page = await http.get("/settings", headers={"Accept-Language": "da"})
            assert page.status_code == 200 and html_lang(page.text) == "da", junk


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


async def test_the_credentials_mail_is_in_the_senders_page_language(
        live_server, make_tenant, make_person, mailbox):
    """The recipient has no language on record: the mail is written in the language of
    the staff member's page (here the remembered choice, Swedish)."""
    inbox, _port = mailbox
    tenant = await make_tenant()
    staff = await make_person(is_staff=True)
    async with logged_in_client(live_server, staff) as http:
        page = await http.get(f"/admin/goods-owners/{tenant.id}?language_code=3")
        assert page.status_code == 200 and html_lang(page.text) == "sv"
        suffix = secrets.token_hex(3)
        address = f"integrator-{suffix}@example.test"
        created = await http.post(f"/admin/goods-owners/{tenant.id}/api-users", data={
            "csrf_token": csrf_of(page.text), "username": f"WSISv{suffix}",
            "password": f"mail password {suffix}", "email": address,
            "integration_system": "Shopify", "send_credentials": "1"})
        assert created.status_code == 303, created.text
    [mail] = inbox.to(address)
    assert mail["Subject"] == f"API-åtkomst till Workledger för {tenant.name}"
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith("Hej,\n\nen API-användare har skapats för")
    assert f"Användarnamn: WSISv{suffix}" in body
    assert f"Lösenord:     mail password {suffix}" in body
    assert "Username:" not in body
