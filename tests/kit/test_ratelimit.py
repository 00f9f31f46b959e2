"""DESIGN §4.6 — rate limits: exact at the edge, shared through Redis across processes,
failing open for the API and closed for sign-ins when Redis is gone."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from tests.conftest import ROOT
from tests.live import free_port, wait_for
from workledger.app import create_app
from workledger.kit.db import utcnow


@pytest.fixture
def redis_server():
    """A private Redis server: the tests stop it, so it must not be the shared one.
    ``restart()`` starts it again on the same port, empty (as after a crash without
    persistence)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the rate-limit tests"
    port = free_port()
    server: dict = {"url": f"redis://127.0.0.1:{port}/0"}

    def start() -> None:
        server["process"] = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)

    start()
    server["restart"] = start
    yield server
    server["process"].kill()
    server["process"].wait()


async def limited_client(settings, **overrides):
    app = create_app(settings.model_copy(update=overrides))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return app, httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_limit_is_exact_at_its_edge_with_headers(settings, acme, other):
    app, client = await limited_client(settings, rate_limit="5/15 minutes", redis_url=None)
    async with client:
        for expected_remaining in (4, 3, 2, 1, 0):
            response = await client.get("/v1/customers", headers=acme.headers)
            assert response.status_code == 200
            assert response.headers["x-ratelimit-limit"] == "5"
            assert response.headers["x-ratelimit-remaining"] == str(expected_remaining)
            assert response.headers["x-ratelimit-used"] == str(5 - expected_remaining)
            assert response.headers["ratelimit-policy"] == '"default";q=5;w=900'
            assert response.headers["ratelimit"].startswith(f'"default";r={expected_remaining};t=')
        refused = await client.get("/v1/customers", headers=acme.headers)
        # Another credential has its own window.
        theirs = await client.get("/v1/customers", headers=other.headers)
    await app.state.database.dispose()
    assert refused.status_code == 429
    problem = refused.json()
    assert problem["code"] == "4" and problem["title"] == "Rate limited."
    retry_at = parsedate_to_datetime(refused.headers["retry-after"])
    assert 0 < (retry_at - utcnow()).total_seconds() <= 900
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert theirs.status_code == 200 and theirs.headers["x-ratelimit-remaining"] == "4"


async def test_anonymous_calls_count_per_address(settings):
    app, client = await limited_client(settings, rate_limit="3/15 minutes", redis_url=None)
    async with client:
        statuses = [(await client.get("/v1/customers")).status_code for _ in range(4)]
        # A credential header on an endpoint that does not authenticate buys nothing.
        versions = await client.get("/openapi/versions", headers={"Authorization": "Key x"})
        health = await client.get("/health")
    await app.state.database.dispose()
    assert statuses == [401, 401, 401, 429]
    assert versions.status_code == 429  # the same address, the same window
    assert health.status_code == 200  # load balancer probes are never limited
    assert "x-ratelimit-limit" not in health.headers


async def test_per_endpoint_override(settings, acme):
    app, client = await limited_client(
        settings, redis_url=None, rate_limits={"GET /v1/items": "2/15 minutes"}
    )
    async with client:
        items = [(await client.get("/v1/items", headers=acme.headers)) for _ in range(3)]
        customers = await client.get("/v1/customers", headers=acme.headers)
    await app.state.database.dispose()
    assert [r.status_code for r in items] == [200, 200, 429]
    assert items[0].headers["x-ratelimit-limit"] == "2"
    assert customers.status_code == 200 and customers.headers["x-ratelimit-limit"] == "3600"


async def test_sign_in_failures_are_limited_per_username(settings, acme):
    from tests.auth.conftest import PASSWORD
    from workledger.companies.service import set_user

    app, client = await limited_client(settings, redis_url=None,
                                       rate_limit_login="3/15 minutes")
    email = f"limited-{os.getpid()}@example.com"
    async with app.state.database.session() as session:
        await set_user(session, email, PASSWORD, company_id=acme.id)
    async with client:
        wrong = [(await client.post("/v1/Account/token",
                                    json={"username": email, "password": "nope"})).status_code
                 for _ in range(3)]
        right = await client.post("/v1/Account/token",
                                  json={"username": email, "password": PASSWORD})
    await app.state.database.dispose()
    assert wrong == [400, 400, 400]
    assert right.status_code == 429 and "retry-after" in right.headers


def test_redis_shared_by_two_server_processes(cli_env, acme, redis_server):
    env = {**cli_env, "WORKLEDGER_REDIS_URL": redis_server["url"],
           "WORKLEDGER_RATE_LIMIT": "7/15 minutes", "WORKLEDGER_DEV": "true"}
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen([sys.executable, "-m", "workledger.cli", "serve", "--dev",
                          "--port", str(port)], env=env, cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/openapi/versions")
        statuses = []
        remaining = []
        for call in range(8):
            port = ports[call % 2]
            response = httpx.get(f"http://127.0.0.1:{port}/v1/customers", headers=acme.headers,
                                 timeout=30)
            statuses.append(response.status_code)
            remaining.append(response.headers.get("x-ratelimit-remaining"))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    assert statuses == [200] * 7 + [429]
    assert remaining[:7] == ["6", "5", "4", "3", "2", "1", "0"]


async def test_without_redis_the_api_answers_and_sign_in_stays_closed(settings, acme,
                                                                      redis_server, caplog):
    from tests.auth.conftest import PASSWORD, basic
    from workledger.auth.administration import create_api_user

    app, client = await limited_client(settings, redis_url=redis_server["url"])
    username = f"WSIredis{os.getpid()}"
    async with app.state.database.session() as session:
        await create_api_user(session, acme.id, username=username, password=PASSWORD,
                              email="", integration_system="Shopify")
    async with client:
        before = await client.get("/v1/customers", headers=acme.headers)
        redis_server["process"].kill()
        redis_server["process"].wait()
        with caplog.at_level("WARNING", logger="workledger.ratelimit"):
            during = await client.get("/v1/customers", headers=acme.headers)
            sign_in = await client.post("/v1/Account/token",
                                        json={"username": "x@example.com", "password": "y"})
            api_user = await client.get("/v1/customers", headers=basic(username, PASSWORD))
    await app.state.database.dispose()
    assert before.status_code == 200 and "x-ratelimit-remaining" in before.headers
    assert during.status_code == 200
    assert "x-ratelimit-remaining" not in during.headers
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    assert sign_in.status_code == 429 and sign_in.json()["code"] == "4"
    assert sign_in.headers["retry-after"] == "60"
    assert api_user.status_code == 200  # an API password check is an API call: it goes on


async def test_without_redis_api_passwords_are_limited_by_the_process(settings, acme,
                                                                     redis_server, caplog):
    """Never open for guessing: with the store gone, failed API-user passwords are counted
    in the process, and past the per-username limit even the right password waits."""
    from tests.auth.conftest import PASSWORD, basic
    from workledger.auth.administration import create_api_user

    app, client = await limited_client(settings, redis_url=redis_server["url"],
                                       rate_limit_login="3/15 minutes")
    username = f"WSIguess{os.getpid()}"
    async with app.state.database.session() as session:
        await create_api_user(session, acme.id, username=username, password=PASSWORD,
                              email="", integration_system="Shopify")
    async with client:
        redis_server["process"].kill()
        redis_server["process"].wait()
        with caplog.at_level("WARNING", logger="workledger.ratelimit"):
            guesses = [(await client.get("/v1/customers", headers=basic(username, f"g{n}")))
                       .status_code for n in range(4)]
            right = await client.get("/v1/customers", headers=basic(username, PASSWORD))
    await app.state.database.dispose()
    assert guesses == [401, 401, 401, 429]
    assert right.status_code == 429 and right.json()["code"] == "4"
    assert any("own counters" in r.getMessage() for r in caplog.records)


async def test_after_redis_is_back_counting_resumes_on_the_shared_store(settings, acme,
                                                                       redis_server):
    """Killed and restarted: within a bounded time the limiter counts in Redis again (its
    client reconnects), and API-user password failures go back to the shared counters: a
    second process (another app on the same Redis) sees them."""
    from tests.auth.conftest import PASSWORD, basic
    from workledger.auth.administration import create_api_user

    overrides = {"redis_url": redis_server["url"], "rate_limit_login": "3/15 minutes"}
    app, client = await limited_client(settings, **overrides)
    other_app, other = await limited_client(settings, **overrides)
    username = f"WSIback{os.getpid()}"
    async with app.state.database.session() as session:
        await create_api_user(session, acme.id, username=username, password=PASSWORD,
                              email="", integration_system="Shopify")
    async with client, other:
        assert "x-ratelimit-remaining" in (
            await client.get("/v1/customers", headers=acme.headers)).headers
        redis_server["process"].kill()
        redis_server["process"].wait()
        during = await client.get("/v1/customers", headers=acme.headers)
        assert during.status_code == 200 and "x-ratelimit-remaining" not in during.headers
        # Counted in this process meanwhile: one failure, the right password still works.
        assert (await client.get("/v1/customers", headers=basic(username, "g0"))).status_code \
            == 401

        redis_server["restart"]()
        back = time.monotonic()
        remaining = None
        while remaining is None and time.monotonic() - back < 5:
            response = await client.get("/v1/customers", headers=acme.headers)
            assert response.status_code == 200
            remaining = response.headers.get("x-ratelimit-remaining")
        print(f"\nrate limiting counted in Redis again {time.monotonic() - back:.3f} s after "
              "the restart")
        assert remaining is not None, "the limiter did not reconnect to Redis within 5 s"
        # The counter lives in Redis: the other process continues it.
        seen_by_other = await other.get("/v1/customers", headers=acme.headers)
        assert int(seen_by_other.headers["x-ratelimit-remaining"]) == int(remaining) - 1

        guesses = [(await client.get("/v1/customers", headers=basic(username, f"g{n}")))
                   .status_code for n in range(1, 4)]
        right_elsewhere = await other.get("/v1/customers", headers=basic(username, PASSWORD))
    await app.state.database.dispose()
    await other_app.state.database.dispose()
    # In Redis, three failures after the restart fill the per-username bucket for every
    # process (the one failure counted in process during the outage is not carried over).
    assert guesses == [401, 401, 401]
    assert right_elsewhere.status_code == 429 and right_elsewhere.json()["code"] == "4"


async def test_failures_from_one_address_do_not_lock_the_username_everywhere(settings, acme):
    """A stranger failing from one address locks that address out of the username,
    not the integration that signs in from another one."""
    from tests.auth.conftest import PASSWORD
    from workledger.companies.service import set_user

    app = create_app(settings.model_copy(update={
        "redis_url": None, "rate_limit_login": "2/15 minutes",
        "rate_limit_login_per_username": "4/15 minutes",
    }))
    email = f"spread-{os.getpid()}@example.com"
    async with app.state.database.session() as session:
        await set_user(session, email, PASSWORD, company_id=acme.id)

    async def sign_in(address: str, password: str) -> int:
        transport = httpx.ASGITransport(app=app, client=(address, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/v1/Account/token",
                                         json={"username": email, "password": password})
        return response.status_code

    attacker = [await sign_in("203.0.113.7", "guess") for _ in range(3)]
    integration = await sign_in("198.51.100.2", PASSWORD)
    # Failures from everywhere together still reach the per-username bucket.
    others = [await sign_in(f"192.0.2.{n}", "guess") for n in (1, 2)]
    everywhere = await sign_in("198.51.100.3", PASSWORD)
    await app.state.database.dispose()
    assert attacker == [400, 400, 429]
    assert integration == 200
    assert others == [400, 400]
    assert everywhere == 429
