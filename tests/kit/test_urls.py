"""Absolute URLs come from WORKLEDGER_PUBLIC_URL, never from the request's Host header:
``kit.urls.public_url`` (for Link and Location), the HTTPS redirect of pages, and the
OAuth metadata. The pages' links and the e-mails are in tests/web."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from workledger.app import create_app
from workledger.config import Settings
from workledger.kit.urls import public_url

EVIL = {"Host": "evil.example"}


def echo_app(public: str) -> Starlette:
    """An app whose one endpoint answers with ``public_url(request)``."""

    async def echo(request: Request) -> PlainTextResponse:
        url = public_url(request)
        if "next" in request.query_params:  # the way kit.listing builds its Link
            url = url.include_query_params(page=request.query_params["next"])
        return PlainTextResponse(str(url))

    app = Starlette(routes=[Route("/{path:path}", echo)])
    app.state.settings = Settings(public_url=public)
    return app


async def get_text(app, url: str, *, root_path: str = "", **kwargs) -> str:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(url, **kwargs)
    assert response.status_code == 200, response.text
    return response.text


async def test_public_url_takes_scheme_host_and_port_from_the_setting():
    app = echo_app("https://api.example.com")
    url = "http://10.0.0.7:8000/v1/customers?status=1&sort=-id"
    assert await get_text(app, url, headers=EVIL) == (
        "https://api.example.com/v1/customers?status=1&sort=-id"
    )
    # A port in the setting is kept; the request's own port never shows.
    assert await get_text(echo_app("http://127.0.0.1:9000"), url) == (
        "http://127.0.0.1:9000/v1/customers?status=1&sort=-id"
    )


async def test_public_url_keeps_the_encoding_and_works_with_query_helpers():
    app = echo_app("https://api.example.com/")  # a trailing / changes nothing
    assert await get_text(app, "http://t/v1/items/a%20b%2Fc?q=x%26y") == (
        "https://api.example.com/v1/items/a%20b%2Fc?q=x%26y"
    )
    assert await get_text(app, "http://t/v1/customers?per_page=2&next=3") == (
        "https://api.example.com/v1/customers?per_page=2&next=3&page=3"
    )


async def test_public_url_on_a_sub_path_deployment():
    app = echo_app("https://example.com/workledger")
    expected = "https://example.com/workledger/v1/customers?page=2"
    # The proxy strips /workledger before passing the request on ...
    assert await get_text(app, "http://10.0.0.7:8000/v1/customers?page=2", headers=EVIL) == (
        expected
    )
    # ... or passes it on with an ASGI root_path (uvicorn --root-path /workledger):
    # the prefix is the setting's, and not doubled.
    assert await get_text(
        app, "http://10.0.0.7:8000/workledger/v1/customers?page=2", root_path="/workledger",
        headers=EVIL,
    ) == expected


async def test_public_url_of_an_app_mounted_under_a_prefix():
    parent = Starlette(routes=[Mount("/workledger", app=echo_app("https://example.com/workledger"))])
    assert await get_text(parent, "http://evil.example/workledger/v1/customers?x=1") == (
        "https://example.com/workledger/v1/customers?x=1"
    )
    # Mounted at /api by an app that itself sits under /outer: the setting still names
    # the application's own root, and only the path below it comes from the request.
    outer = Starlette(routes=[Mount("/api", app=echo_app("https://example.com/wl"))])
    assert await get_text(
        outer, "http://t/outer/api/v1/customers", root_path="/outer"
    ) == "https://example.com/wl/v1/customers"


@pytest.mark.parametrize("value", [
    "example.com", "ftp://example.com", "https://", "https://example.com/?a=1",
    "https://example.com/#top", "https://user:pw@example.com", "https://example.com:port",
])
def test_the_setting_must_be_an_absolute_http_url(value):
    with pytest.raises(ValidationError, match="WORKLEDGER_PUBLIC_URL must be"):
        Settings(public_url=value)


def test_the_setting_loses_its_trailing_slash():
    assert Settings(public_url="https://example.com/workledger/").public_url == (
        "https://example.com/workledger"
    )


async def test_pages_move_to_https_on_the_configured_address(settings):
    production = create_app(settings.model_copy(
        update={"dev": False, "public_url": "https://example.com/workledger"}
    ))
    try:
        transport = httpx.ASGITransport(app=production, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            page = await http.get("/login?next=/settings", headers=EVIL)
    finally:
        await production.state.database.dispose()
    assert page.status_code == 308
    assert page.headers["location"] == "https://example.com/workledger/login?next=/settings"


async def test_oauth_metadata_names_the_configured_address(settings):
    configured = create_app(settings.model_copy(
        update={"public_url": "https://example.com/workledger"}
    ))
    try:
        transport = httpx.ASGITransport(app=configured)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            document = (await http.get(
                "/.well-known/oauth-authorization-server", headers=EVIL
            )).json()
    finally:
        await configured.state.database.dispose()
    assert document["issuer"] == "https://example.com/workledger"
    assert document["authorization_endpoint"] == "https://example.com/workledger/oauth2/auth"
    assert document["token_endpoint"] == "https://example.com/workledger/oauth2/token"
    assert document["service_documentation"] == "https://example.com/workledger/docs"


async def test_link_and_location_name_the_configured_address_whatever_the_host(
    client, acme, settings
):
    base = settings.public_url
    created = await client.post(
        "/v1/customers", json={"company_name": "Host Header AS"},
        headers={**acme.headers, **EVIL},
    )
    assert created.status_code == 200, created.text
    assert created.headers["location"] == f"{base}/v1/customers/{created.json()['id']}"
    await client.post("/v1/customers", json={"company_name": "Second AS"}, headers=acme.headers)
    listed = await client.get(
        "/v1/customers?per_page=1&total=true", headers={**acme.headers, **EVIL}
    )
    urls = re.findall(r"<([^>]+)>", listed.headers["link"])
    assert len(urls) >= 2  # next, first, last
    assert all(url.startswith(f"{base}/v1/customers?") for url in urls), urls
