"""Swagger UI in a real browser (DESIGN §4.9): the page renders from local assets only,
its Authorize dialog takes the company key *with* its scheme, and "Try it out" works.

The app runs under uvicorn on a free 127.0.0.1 port in a thread of the test process;
Debian's chromium (installed by ``make browser``) is driven by Playwright.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    Route,
    expect,
)

from tests.live import chromium, serve_in_thread
from workledger.app import create_app

# Swagger UI renders every operation of the document before the first one shows; with
# a few dozen resources on a busy two-core machine that took 9-14 s (measured while the
# reference-data resources were added), so 10 s failed without anything being wrong.
TIMEOUT_MS = 30_000
LIST_CUSTOMERS = "#operations-Customers-list_customers"


@pytest.fixture(scope="module")
def live_server(settings) -> Iterator[str]:
    with serve_in_thread(create_app(settings), "uvicorn-swagger-test") as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as instance:
        yield instance


@dataclass
class DocsPage:
    page: Page
    context: BrowserContext
    #: Every request the page made (any scheme but data:/blob:).
    requests: list[Request] = field(default_factory=list)
    #: Requests to any other host than the live server; they were aborted.
    foreign: list[str] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [request.url for request in self.requests]

    async def api_calls(self, path: str) -> list[str | None]:
        """The Authorization header of each call the page made to ``path``."""
        return [
            await request.header_value("authorization")
            for request in self.requests
            if urlsplit(request.url).path == path
        ]


@pytest.fixture
async def docs(browser: Browser, live_server: str) -> AsyncIterator[DocsPage]:
    """/docs opened in a fresh context (fresh localStorage: Swagger persists authorization)."""
    context = await browser.new_context()
    try:
        context.set_default_timeout(TIMEOUT_MS)
        docs_page = DocsPage(await context.new_page(), context)

        def record(request: Request) -> None:
            if not request.url.startswith(("data:", "blob:")):
                docs_page.requests.append(request)

        async def refuse(route: Route) -> None:
            docs_page.foreign.append(route.request.url)
            await route.abort()  # never wait on the internet: the machine may have none

        context.on("request", record)
        # Only what leaves the live server is intercepted (and refused): local loads stay fast.
        await context.route(
            lambda url: not url.startswith((f"{live_server}/", "data:", "blob:")), refuse
        )
        response = await docs_page.page.goto(f"{live_server}/docs", wait_until="domcontentloaded")
        assert response is not None and response.status == 200
        # Swagger UI has fetched /openapi.json and rendered the operations.
        await docs_page.page.locator(LIST_CUSTOMERS).wait_for(state="visible")
        yield docs_page
    finally:
        await context.close()


async def execute_list_customers(page: Page) -> tuple[str, str]:
    """Expand GET /v1/customers, Try it out, Execute; the shown (status code, body)."""
    operation = page.locator(LIST_CUSTOMERS)
    await operation.locator(".opblock-summary").first.click()
    await operation.locator("button.try-out__btn").click()
    await operation.locator("button.execute").click()
    live = operation.locator(".live-responses-table")
    status = live.locator("tbody .response .response-col_status")
    await status.wait_for(state="visible")
    body = live.locator(".response-col_description .highlight-code pre").first
    await body.wait_for(state="visible")
    return (await status.inner_text()).strip(), await body.inner_text()


async def test_docs_render_the_operations_from_local_assets_only(docs: DocsPage, live_server):
    page = docs.page
    assert await page.title() == (
        "Workledger API — Swagger UI for the self-hosted operations platform"
    )
    # The description says what Workledger is and where the demo credentials come from.
    description = page.locator(".information-container .description")
    await expect(description).to_contain_text("self-hosted operations platform")
    await expect(description).to_contain_text("make run")
    await expect(description).to_contain_text("workledger demo")
    # Every resource's tag and its operations are rendered.
    for tag in ("Customers", "Suppliers", "Items"):
        await page.locator(f"#operations-tag-{tag}").wait_for(state="visible")
    summary = page.locator(f"{LIST_CUSTOMERS} .opblock-summary")
    assert (await summary.locator(".opblock-summary-method").inner_text()).strip() == "GET"
    assert await summary.locator(".opblock-summary-path").get_attribute("data-path") == (
        "/v1/customers"
    )
    assert "List customers" in await summary.inner_text()
    # The CompanyKey scheme gives the page its Authorize button.
    await page.locator("button.authorize").wait_for(state="visible")

    paths = {urlsplit(url).path for url in docs.urls}
    assert {
        "/docs", "/openapi.json", "/static/swagger/swagger-ui.css",
        "/static/swagger/swagger-ui-bundle.js",
    } <= paths, paths
    assert docs.foreign == [], f"the docs page reached other hosts: {docs.foreign}"
    assert all(url.startswith(f"{live_server}/") for url in docs.urls), docs.urls


async def test_the_authorize_dialog_opens_at_the_company_key(docs: DocsPage):
    """The quickstart says: Authorize, then the first scheme. Swagger UI autofocuses
    every scheme's input, so without help the dialog opens scrolled to the last one."""
    page = docs.page
    await page.locator("button.authorize").click()
    content = page.locator(".modal-ux .modal-ux-content")
    await content.wait_for(state="visible")
    await content.locator(".auth-container").nth(2).wait_for(state="visible")
    # Two frames later: whatever the dialog's own mounting scrolled has happened.
    state = await content.evaluate("""async (content) => {
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        const first = content.querySelector(".auth-container");
        const box = content.getBoundingClientRect();
        const top = first.getBoundingClientRect();
        return {
            scrollTop: content.scrollTop,
            scrolls: content.scrollHeight > content.clientHeight,
            schemes: [...content.querySelectorAll(".auth-container h4")]
                .map((heading) => heading.textContent.trim()),
            firstInView: top.top >= box.top && top.top < box.bottom,
            focusInFirst: first.contains(document.activeElement),
            focused: document.activeElement.id,
        };
    }""")
    assert state["scrolls"], "the dialog is short enough to show everything: test proves nothing"
    assert state["schemes"][0].startswith("CompanyKey"), state["schemes"]
    assert [name.split()[0] for name in state["schemes"]] == [
        "CompanyKey", "Basic", "CompanyAdminToken"
    ]
    assert state["scrollTop"] == 0, state
    assert state["firstInView"], state
    # The keyboard starts where the eye does: in the company key's Value field.
    assert state["focusInFirst"] and state["focused"] == "api_key_value", state


async def test_try_it_out_with_the_company_key(docs: DocsPage, make_tenant, live_server):
    tenant = await make_tenant()
    name = f"Swagger Customer {tenant.id}"
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        created = await http.post(
            "/v1/customers", json={"company_name": name}, headers=tenant.headers
        )
    assert created.status_code == 200, created.text
    customer_id = created.json()["id"]

    page = docs.page
    authorize = page.locator("button.authorize")
    await authorize.click()
    dialog = page.locator(".modal-ux")
    await dialog.wait_for(state="visible")
    scheme = dialog.locator(".auth-container").filter(has_text="CompanyKey")
    await scheme.locator("input#api_key_value").fill(f"Key {tenant.key}")
    await scheme.locator("button.modal-btn.authorize").click()  # its label: "Apply credentials"
    await scheme.locator("h6", has_text="Authorized").wait_for(state="visible")
    await scheme.get_by_role("button", name="Remove authorization").wait_for(state="visible")
    await scheme.locator("button.btn-done").click()
    await dialog.wait_for(state="detached")
    await page.locator("button.authorize.locked").wait_for(state="visible")

    status, body = await execute_list_customers(page)
    assert status == "200", body
    customers = json.loads(body)
    assert isinstance(customers, list)
    assert [(c["id"], c["company_name"]) for c in customers] == [(customer_id, name)]

    # Swagger sent the key with its scheme, as typed, to the live server only.
    assert await docs.api_calls("/v1/customers") == [f"Key {tenant.key}"]
    assert docs.foreign == [], f"the docs page reached other hosts: {docs.foreign}"


async def test_try_it_out_without_authorizing_is_401(docs: DocsPage):
    page = docs.page
    await page.locator("button.authorize.unlocked").wait_for(state="visible")

    status, body = await execute_list_customers(page)
    assert status == "401", body
    problem = json.loads(body)
    assert problem["status"] == 401
    assert problem["code"] == "1"
    assert problem["traceId"].startswith("00-")
    assert await docs.api_calls("/v1/customers") == [None]
    assert docs.foreign == [], f"the docs page reached other hosts: {docs.foreign}"
