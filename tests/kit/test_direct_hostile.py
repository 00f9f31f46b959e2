"""A hostile integrator against the routes that skip FastAPI's solver (kit.direct):
whatever FastAPI honoured on the way to the endpoint must still be honoured."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, Request, Response
from fastapi.dependencies.utils import get_dependant

from workledger.app import create_app
from workledger.kit.direct import direct_handler
from workledger.kit.listing import _check_language

CUSTOMERS = "/v1/customers"


async def test_dependency_overrides_reach_a_direct_route(app, client, acme):
    # FastAPI's documented test hook: app.dependency_overrides replaces a dependency on
    # every route that uses it. A direct route must not silently run the original.
    seen = []

    async def spy(language_code: str | None = None) -> None:
        seen.append(language_code)

    app.dependency_overrides[_check_language] = spy
    try:
        answer = await client.get(CUSTOMERS, params={"language_code": "99"},
                                  headers=acme.headers)
    finally:
        app.dependency_overrides.pop(_check_language)
    assert seen == ["99"]
    assert answer.status_code == 200  # the override, not the original check, ran


@pytest.fixture
async def traced_app(settings):
    application = create_app(settings.model_copy(update={"opentelemetry": True}))
    yield application
    await application.state.sandbox.dispose()
    await application.state.database.dispose()


async def test_telemetry_sees_a_direct_route_as_it_saw_it_through_the_solver(
        traced_app, acme, monkeypatch):
    # With WORKLEDGER_OPENTELEMETRY=true and a tracer provider configured, FastAPI traces
    # the dependencies and the endpoint of every route (operation spans) and hands the
    # request to telemetry processors (get_telemetry_data) when the handler starts.
    import httpx
    from fastapi.telemetry import get_telemetry_data
    from opentelemetry import trace

    spans: list[str] = []

    class Recording(trace.NoOpTracer):
        def start_span(self, name, *args, **kwargs):
            spans.append(name)
            return super().start_span(name, *args, **kwargs)

        def start_as_current_span(self, name, *args, **kwargs):
            spans.append(name)
            return super().start_as_current_span(name, *args, **kwargs)

    class Provider(trace.TracerProvider):
        def get_tracer(self, *args, **kwargs):
            return Recording()

    monkeypatch.setattr(trace, "_TRACER_PROVIDER", Provider())
    seen = []
    limiter = traced_app.state.limiter
    hit = limiter.hit

    async def spying(*args, **kwargs):
        data = get_telemetry_data()
        seen.append(data is not None and data.request is not None)
        return await hit(*args, **kwargs)

    monkeypatch.setattr(limiter, "hit", spying)
    transport = httpx.ASGITransport(app=traced_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        answer = await c.get(CUSTOMERS, headers=acme.headers)
    assert answer.status_code == 200
    assert seen == [True]
    assert {"fastapi.dependencies", "fastapi.endpoint"} <= set(spans), spans


async def _raw(app, method: str, path: str, query: bytes, headers: dict[str, str]) -> tuple:
    """One request with exactly ``query`` as the query string (httpx would re-encode
    bytes that are not UTF-8): (status, error members of the problem)."""
    import json

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": query,
             "headers": [(b"host", b"testserver"),
                         *((k.lower().encode(), v.encode()) for k, v in headers.items())],
             "client": ("127.0.0.1", 1234), "server": ("testserver", 80)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    errors = list(json.loads(body).get("errors", {})) if status >= 400 and body else []
    return status, errors


#: Query strings an integrator's HTTP library might produce, and what the solver answered
#: for them (checked against 2a3c187): the twin must answer the same.
ODD_QUERIES = [
    (b"", 200, []),
    (b"&&&", 200, []),
    (b"language%5Fcode=3", 200, []),  # a percent-encoded name is the name
    (b"language_code=7&", 200, []),
    (b"&language_code=4", 200, []),
    (b"language_code=%31", 200, []),
    (b"?", 400, ["?"]),  # "GET /x??": the second ? is a parameter name
    (b"=", 400, [""]),
    (b"=x", 400, [""]),
    (b";", 400, [";"]),  # not a separator
    (b"colour", 400, ["colour"]),
    (b"language_code=", 400, ["language_code"]),  # empty is not the default
    (b"language_code", 400, ["language_code"]),
    (b"language_code=3;colour=red", 400, ["language_code"]),
    (b"language_code=%FF", 400, ["language_code"]),
    (b"language_code=\xff", 400, ["language_code"]),
    (b"language_code=%00", 400, ["language_code"]),
    (b"language_code=1%20", 400, ["language_code"]),
    (b"\xff=1", 400, ["\xff"]),  # raw bytes are read as Latin-1, as Starlette does
    (b"%FF=1", 400, ["\ufffd"]),
    (b"LANGUAGE_CODE=1", 400, ["LANGUAGE_CODE"]),
    (b"language_code=1&language_code=1", 400, ["language_code"]),
    (b"language_code=99&colour=1", 400, ["language_code"]),
    (b"language_code=1&colour=", 400, ["colour"]),
    (b"ids=1", 400, ["ids"]),
]


@pytest.mark.parametrize(("query", "status", "errors"), ODD_QUERIES,
                         ids=[repr(q)[2:-1] or "empty" for q, _, _ in ODD_QUERIES])
async def test_odd_query_strings_on_a_direct_read_answer_as_the_solver_did(
        app, client, acme, query, status, errors):
    created = await client.post(CUSTOMERS, json={"company_name": "Odd AS"},
                                headers=acme.headers)
    path = f"{CUSTOMERS}/{created.json()['id']}"
    assert await _raw(app, "GET", path, query, acme.headers) == (status, errors)
    # Without a credential the query check still comes first (a 400), else the 401.
    assert await _raw(app, "GET", path, query, {}) == (
        (401, []) if status == 200 else (status, errors))


async def test_every_direct_call_counts_once_against_the_rate_limit(app, client, acme):
    # Each dependency runs once per request (the limiter hit is in the principal's), on
    # reads, nested lists, deletes and body-less actions, found or not.
    created = await client.post(CUSTOMERS, json={"company_name": "Counted AS"},
                                headers=acme.headers)
    calls = [("GET", f"{CUSTOMERS}/{created.json()['id']}", 200),
             ("GET", CUSTOMERS, 200),
             ("GET", "/v1/orders/999999/lines", 404),
             ("DELETE", f"{CUSTOMERS}/999999", 404),
             ("POST", "/v1/orders/999999/cancel", 404),
             ("GET", f"{CUSTOMERS}/999999?language_code=3", 404)]
    remaining = []
    for method, path, expected in calls:
        answer = await client.request(method, path, headers=acme.headers)
        assert answer.status_code == expected, (path, answer.text)
        remaining.append(int(answer.headers["x-ratelimit-remaining"]))
    assert remaining == list(range(remaining[0], remaining[0] - len(calls), -1))


async def test_an_unexpected_error_in_a_direct_routes_dependency_is_a_500_and_leaks_nothing(
        app, client, acme, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    limiter = app.state.limiter
    hit = limiter.hit
    monkeypatch.setattr(limiter, "hit", broken)
    for _ in range(3):  # nothing leaks: no connection, session or write lock left held
        answer = await client.delete(f"{CUSTOMERS}/999999", headers=acme.headers)
        assert answer.status_code == 500
    monkeypatch.setattr(limiter, "hit", hit)
    created = await client.post(CUSTOMERS, json={"company_name": "After AS"},
                                headers=acme.headers)
    assert created.status_code == 200
    assert (await client.delete(f"{CUSTOMERS}/{created.json()['id']}",
                                headers=acme.headers)).status_code == 200


async def _scarce(request: Request) -> int:
    return 1


async def _limited(request: Request,
                   n: Annotated[int, Depends(_scarce, max_concurrency=1)]) -> Response:
    return Response()


async def _unlimited(request: Request, n: Annotated[int, Depends(_scarce)]) -> Response:
    return Response()


def test_a_dependency_with_a_concurrency_limit_keeps_the_solver():
    # Depends(..., max_concurrency=N) is FastAPI's semaphore around the dependency; the
    # direct handler would call it unlimited, so such a route keeps the solver.
    assert direct_handler(get_dependant(path="/", call=_unlimited)) is not None
    assert direct_handler(get_dependant(path="/", call=_limited)) is None
