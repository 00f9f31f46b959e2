"""Test fixtures: a real database (SQLite file, or PostgreSQL when
``WORKLEDGER_TEST_BACKEND=postgres``), migrated with the real CLI, and the app served
to a real HTTP client (httpx over ASGI; tests that need a socket start uvicorn)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from workledger.app import create_app
from workledger.auth import credentials
from workledger.companies.service import create_company
from workledger.config import Settings
from workledger.kit.db import make_engine
from workledger.models import CredentialKind

ROOT = Path(__file__).resolve().parents[1]
BACKEND = os.environ.get("WORKLEDGER_TEST_BACKEND", "sqlite")
SECRET = "test-secret-key-not-for-production"


def pytest_report_header(config) -> str:
    return f"workledger backend: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgres":
        url = os.environ["WORKLEDGER_TEST_DATABASE_URL"]

        async def reset() -> None:  # start from an empty schema, whatever ran before
            engine = make_engine(url)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()

        asyncio.run(reset())
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/workledger.db"


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    url = os.environ.get("WORKLEDGER_TEST_REDIS_URL") if BACKEND == "postgres" else None
    if url:  # counters from an earlier run must not leak into this one
        import redis

        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
    return url


@pytest.fixture(scope="session")
def cli_env(database_url, redis_url, tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKLEDGER_")}
    env.update(WORKLEDGER_DATABASE_URL=database_url, WORKLEDGER_SECRET_KEY=SECRET)
    if redis_url:
        env["WORKLEDGER_REDIS_URL"] = redis_url
    return env


def run_cli(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workledger.cli", *args],
        env=env, cwd=cwd or ROOT, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="session")
def migrated(cli_env) -> None:
    result = run_cli(cli_env, "migrate")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def settings(database_url, redis_url, migrated) -> Settings:
    # Many tests fail sign-ins on purpose from one address; the login limits have their
    # own tests with their own settings.
    return Settings(
        database_url=database_url, redis_url=redis_url, secret_key=SECRET, dev=True,
        rate_limit_login_per_address="100000/15 minutes",
    )


@pytest.fixture(scope="session")
async def app(settings):
    application = create_app(settings)
    yield application
    await application.state.sandbox.dispose()
    await application.state.database.dispose()


@pytest.fixture(scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class Tenant:
    id: int
    name: str
    key: str
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def make_tenant(app):
    """A fresh company with API access and a company key: tests never share data."""
    counter = iter(range(1, 10_000))

    async def make(*, api_access: bool = True, name: str | None = None) -> Tenant:
        async with app.state.database.session() as session:
            company = await create_company(
                session, name or f"Company {os.getpid()}-{next(counter)}", api_access=api_access
            )
            _, key = await credentials.issue(
                session, app.state.keyring, CredentialKind.company_key, company_id=company.id
            )
        return Tenant(company.id, company.name, key, {"Authorization": f"Key {key}"})

    return make


@pytest.fixture
async def acme(make_tenant) -> Tenant:
    return await make_tenant()


@pytest.fixture
async def other(make_tenant) -> Tenant:
    return await make_tenant()


@pytest.fixture(scope="module")
async def example_client(settings) -> AsyncIterator[httpx.AsyncClient]:
    """Workledger's app plus the kit's internal example resource (tests/kit/example.py):
    a nested resource, actions with state rules and an editable guard, before the domain
    has its own. Its tables are made here, on the test database, and dropped when the
    module is done: they are not Workledger's schema (the migration check would see them)."""
    from tests.kit.example import EXAMPLE_LINES, EXAMPLE_ORDERS, ExampleBase

    application = create_app(settings)
    for resource in (EXAMPLE_ORDERS, EXAMPLE_LINES):
        application.include_router(resource.router())
    async with application.state.database.engine.begin() as connection:
        await connection.run_sync(ExampleBase.metadata.drop_all)
        await connection.run_sync(ExampleBase.metadata.create_all)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    async with application.state.database.engine.begin() as connection:
        await connection.run_sync(ExampleBase.metadata.drop_all)
    await application.state.database.dispose()
