"""DESIGN §4.5 — every error is a problem document with code and traceId."""

from __future__ import annotations

import re

import httpx
from fastapi import APIRouter

from workledger.app import create_app

TRACE = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-00$")


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"].startswith("https://tools.ietf.org/html/")
    assert TRACE.match(body["traceId"])
    assert body["traceId"] == response.headers["x-trace-id"]
    return body


async def test_every_response_carries_a_trace_id(client, acme):
    for response in (
        await client.get("/v1/customers", headers=acme.headers),
        await client.get("/v1/customers"),
        await client.get("/health"),
        await client.get("/nowhere"),
    ):
        assert TRACE.match(response.headers["x-trace-id"])


async def test_incoming_traceparent_is_continued(client, acme):
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await client.get("/v1/customers", headers={**acme.headers, "traceparent": incoming})
    trace = response.headers["x-trace-id"]
    assert trace.split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace.split("-")[2] != "00f067aa0ba902b7"  # our own span
    garbage = await client.get("/v1/customers", headers={**acme.headers, "traceparent": "zz"})
    assert TRACE.match(garbage.headers["x-trace-id"])


async def test_401_missing_credential(client):
    body = assert_problem(await client.get("/v1/customers"), 401, "1")
    assert body["title"] == "Unauthorized."
    assert "Missing token" in body["detail"]


async def test_401_unknown_scheme(client, acme):
    response = await client.get("/v1/customers", headers={"Authorization": f"Token {acme.key}"})
    body = assert_problem(response, 401, "1")
    assert "scheme" in body["detail"]


async def test_401_unknown_token(client):
    for header in ("Key wlk_nope", "wlk_nope"):
        response = await client.get("/v1/customers", headers={"Authorization": header})
        assert "Unknown token" in assert_problem(response, 401, "1")["detail"]


async def test_company_key_with_and_without_scheme(client, acme):
    for header in (f"Key {acme.key}", acme.key, f"key {acme.key}"):
        response = await client.get("/v1/customers", headers={"Authorization": header})
        assert response.status_code == 200, header


async def test_403_when_api_access_is_off(client, make_tenant):
    closed = await make_tenant(api_access=False)
    body = assert_problem(await client.get("/v1/customers", headers=closed.headers), 403, "6")
    assert "API access" in body["detail"]


async def test_404_for_missing_and_unknown_endpoint(client, acme):
    body = assert_problem(await client.get("/v1/customers/424242", headers=acme.headers), 404, "2")
    assert body["title"] == "The resource was not found."
    assert_problem(await client.get("/v1/nothing-here", headers=acme.headers), 404, "2")


async def test_bad_path_id_is_400(client, acme):
    # Not plain digits (a space, a decimal point, leading zeros, a superscript) is not an id:
    # none of them may resolve to object 1.
    for bad in ("abc", "0", "-4", "99999999999999999999", "%201", "1.0", "00001", "%C2%B9"):
        response = await client.get(f"/v1/customers/{bad}", headers=acme.headers)
        assert "customer_id" in assert_problem(response, 400, "3")["errors"], bad


async def test_405_is_a_problem_too(client, acme):
    response = await client.post("/v1/customers/1", json={}, headers=acme.headers)
    assert_problem(response, 405, "3")


async def test_413_over_the_body_limit_with_and_without_content_length(client, acme):
    big = b'{"comment": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post(
        "/v1/customers", content=big,
        headers={**acme.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "8")

    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    response = await client.post(
        "/v1/customers", content=chunks(),
        headers={**acme.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "8")
    listing = await client.get("/v1/customers", headers=acme.headers)
    assert listing.json() == []


async def test_title_in_the_callers_language(client, acme):
    response = await client.get("/v1/customers/424242?language_code=0", headers=acme.headers)
    assert assert_problem(response, 404, "2")["title"] == "Ressursen ble ikke funnet."
    response = await client.get("/v1/customers?colour=x&language_code=7", headers=acme.headers)
    assert response.json()["title"] == "Se produjeron uno o más errores de validación."
    response = await client.get("/v1/customers?language_code=2", headers=acme.headers)
    assert "language_code" in assert_problem(response, 400, "3")["errors"]


async def test_500_has_trace_id_and_no_stack_trace(settings):
    app = create_app(settings)
    boom = APIRouter()

    @boom.get("/v1/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals /home/app/db.py line 3")

    app.include_router(boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/v1/boom")
    await app.state.database.dispose()
    body = assert_problem(response, 500, "0")
    assert body["title"].startswith("Oops something went wrong")
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert body["traceId"] in body["detail"]


async def test_production_mode_refuses_plain_http(settings, acme):
    app = create_app(settings.model_copy(
        update={"dev": False, "public_url": "https://workledger.example"}
    ))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        plain = await c.get("/v1/customers", headers=acme.headers)
        spoofed = await c.get(
            "/v1/customers", headers={**acme.headers, "X-Forwarded-Proto": "https"}
        )
        health = await c.get("/health")
        docs = await c.get("/docs?x=1", follow_redirects=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="https://t") as c:
        secure = await c.get("/v1/customers", headers=acme.headers)
    proxied_transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=proxied_transport, base_url="http://t") as c:
        proxied = await c.get(
            "/v1/customers", headers={**acme.headers, "X-Forwarded-Proto": "https"}
        )
    await app.state.database.dispose()
    assert "HTTPS" in assert_problem(plain, 403, "6")["detail"]
    assert_problem(spoofed, 403, "6")  # the header counts only from a trusted proxy
    assert health.status_code == 200
    # Pages move to HTTPS on the configured address, not the Host the client sent ("t").
    assert docs.status_code == 308
    assert docs.headers["location"] == "https://workledger.example/docs?x=1"
    assert secure.status_code == 200
    assert proxied.status_code == 200


async def test_access_log_masks_credentials(client, acme, caplog):
    with caplog.at_level("INFO", logger="workledger.access"):
        await client.get("/v1/customers?token=wlc_secret_value&page=1", headers=acme.headers)
    lines = [r.getMessage() for r in caplog.records if r.name == "workledger.access"]
    assert lines and "/v1/customers?token=***&page=1" in lines[-1]
    assert "wlc_secret_value" not in "\n".join(lines)
    assert acme.key not in "\n".join(lines)
