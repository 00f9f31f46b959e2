"""The pages in a real browser: the app under uvicorn on a free 127.0.0.1 port in a
thread (as in tests/test_swagger_ui.py), Debian's chromium driven by Playwright, and a
real SMTP server (aiosmtpd) that receives "Send user credentials" mail."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import Browser, BrowserContext, Page

from tests.live import chromium, free_port, serve_in_thread
from workledger.app import create_app
from workledger.companies.service import set_user
from workledger.config import Settings
from workledger.models import UserRole

TIMEOUT_MS = 10_000
PASSWORD = "correct horse battery"
PUBLIC_URL = "https://workledger.example"
API_EMAIL_HOST = "api.pages.test"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Set to a directory to keep screenshots of the pages the tests visit.
SCREENSHOTS = os.environ.get("WORKLEDGER_SCREENSHOTS")


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.received if address in rcpts]




@pytest.fixture(scope="package")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(scope="package")
def web_settings(settings: Settings, mailbox) -> Settings:
    # Rate-limit counters in this server's memory, even when the suite runs with Redis:
    # other tests' failed sign-ins from 127.0.0.1 must not lock these pages out.
    return settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": mailbox[1], "public_url": PUBLIC_URL,
        "api_email_host": API_EMAIL_HOST, "redis_url": None,
    })


@pytest.fixture(scope="package")
def live_server(web_settings: Settings) -> Iterator[str]:
    with serve_in_thread(create_app(web_settings), "uvicorn-pages-test") as url:
        yield url


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as instance:
        yield instance


async def open_page(
    browser: Browser, live_server: str, viewport: dict, *, locale: str = "en-US"
) -> tuple[BrowserContext, Page, list[str]]:
    # The locale sets Accept-Language, which picks the pages' language: the tests read
    # English labels whatever the machine's own locale is.
    context = await browser.new_context(base_url=live_server, viewport=viewport, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    # Never wait on the internet: nothing outside the live server may load.
    await context.route(
        lambda url: not url.startswith((f"{live_server}/", "data:", "blob:")),
        lambda route: route.abort(),
    )
    page = await context.new_page()
    # Script errors and anything the Content-Security-Policy blocked fail the test.
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    return context, page, problems


@pytest.fixture
async def page(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    context, page, problems = await open_page(browser, live_server, DESKTOP)
    try:
        yield page
    finally:
        await context.close()
    assert problems == []


@pytest.fixture
async def phone(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    context, page, problems = await open_page(browser, live_server, PHONE)
    try:
        yield page
    finally:
        await context.close()
    assert problems == []


@dataclass
class Person:
    id: int
    email: str
    password: str
    company_id: int | None


@pytest.fixture
def make_person(app):
    """A user who logs in to the pages, with a unique e-mail address."""

    async def make(
        *, company_id: int | None = None, role: UserRole = UserRole.member,
        is_staff: bool = False,
    ) -> Person:
        email = f"{'staff' if is_staff else role.value}-{secrets.token_hex(4)}@pages.test"
        async with app.state.database.session() as session:
            user = await set_user(
                session, email, PASSWORD, company_id=company_id, role=role, is_staff=is_staff
            )
        return Person(user.id, email, PASSWORD, company_id)

    return make


async def log_in(page: Page, person: Person, *, path: str = "/login") -> None:
    await page.goto(path)
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Password").fill(person.password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/(settings|admin)"))


async def snapshot(page: Page, name: str) -> None:
    if SCREENSHOTS:  # playwright creates the directory
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@asynccontextmanager
async def logged_in_client(live_server: str, person: Person) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client (no browser) with a page session of ``person``."""
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        login = await http.get("/login")
        response = await http.post("/login", data={
            "csrf_token": csrf_of(login.text), "email": person.email,
            "password": person.password,
        })
        assert response.status_code == 303, response.text
        yield http
