"""A hostile integrator against the routes that skip FastAPI's solver (kit.direct):
whatever FastAPI honoured on the way to the endpoint must still be honoured."""

from __future__ import annotations

import pytest

from workledger.app import create_app
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
