"""What a security reviewer looks for (issue: every documented way in, point 4)."""

from __future__ import annotations

import subprocess
import sys

import httpx
from sqlalchemy import text

from tests.auth.conftest import PASSWORD, basic
from tests.conftest import ROOT
from tests.live import free_port, wait_for
from workledger.auth import schemes
from workledger.auth.administration import update_api_user


async def test_tables_hold_digests_never_secrets(app, client, access, acme):
    key = await access.api_key(acme)
    user = await access.api_user(acme)
    connector = await access.connector_token(acme)
    admin_token = await access.company_admin_token(acme)
    person = await access.person(acme)
    bearer = (await client.post("/v1/Account/token",
                                json={"username": person["login"], "password": PASSWORD})).json()
    secrets_issued = [acme.key, key["secret"], connector, admin_token, bearer, PASSWORD]
    async with app.state.database.session() as session:
        dump = []
        for table in ("credentials", "api_users", "users", "automation_users", "companies"):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
            dump.extend(str(value) for row in rows for value in row)
        digests = (await session.execute(text("SELECT digest FROM credentials"))).scalars()
        hashes = (await session.execute(text("SELECT password_hash FROM api_users"))).scalars()
    everything = "\n".join(dump)
    for secret in secrets_issued:
        assert secret not in everything
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in digests)  # HMAC-SHA256, hex
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert user["login"] in everything  # the public half is stored as it is


async def test_argon2_runs_once_then_the_cache_answers(client, app, access, acme, monkeypatch):
    calls = []
    real_verify = schemes.verify_password

    async def counting_verify(password: str, password_hash: str) -> bool:
        calls.append(password)
        return await real_verify(password, password_hash)

    monkeypatch.setattr(schemes, "verify_password", counting_verify)
    user = await access.api_user(acme)
    for _ in range(5):
        assert (await client.get("/v1/customers", headers=user["headers"])).status_code == 200
    assert len(calls) == 1

    # A changed password: the old one stops at once, the new one is verified once.
    new_password = "a-brand-new-password"
    async with app.state.database.session() as session:
        await update_api_user(session, acme.id, user["id"], password=new_password)
    assert (await client.get("/v1/customers", headers=user["headers"])).status_code == 401
    fresh = basic(user["login"], new_password)
    for _ in range(3):
        assert (await client.get("/v1/customers", headers=fresh)).status_code == 200
    assert len(calls) == 3

    # Disabled: refused even though the password is in the cache.
    async with app.state.database.session() as session:
        await update_api_user(session, acme.id, user["id"], active=False)
    assert (await client.get("/v1/customers", headers=fresh)).status_code == 401


async def test_access_log_never_holds_a_credential(client, access, acme, caplog):
    user = await access.api_user(acme)
    connector = await access.connector_token(acme)
    with caplog.at_level("INFO", logger="workledger"):
        await client.get(f"/openapi/1/GetCompany/?token={connector}")
        await client.post(f"/openapi/1/GetCompany/?token={connector}", json={})
        await client.get("/v1/customers", headers=user["headers"])
        await client.get("/v1/customers", headers=acme.headers)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/openapi/1/GetCompany/?token=***" in logged
    for secret in (connector, PASSWORD, user["headers"]["Authorization"].split()[1], acme.key):
        assert secret not in logged


async def test_token_answers_are_not_cached(client, access, acme):
    person = await access.person(acme)
    response = await client.post("/v1/Account/token",
                                  json={"username": person["login"], "password": PASSWORD})
    assert response.headers["cache-control"] == "no-store"
    connector = await access.connector_token(acme)
    answer = await client.get(f"/openapi/1/GetCompany/?token={connector}")
    assert answer.headers["cache-control"] == "private, no-store"


def test_revocation_reaches_every_worker(cli_env, acme, app):
    """Two server processes: a key revoked through one is refused by the other at once."""
    env = {**cli_env, "WORKLEDGER_DEV": "true"}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen(
        [sys.executable, "-m", "workledger.cli", "serve", "--dev", "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) for port in ports]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/openapi/versions")
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        assert httpx.get(f"{second}/v1/customers", headers=acme.headers).status_code == 200
        admin = _admin_token(app, acme)
        listed = httpx.get(f"{first}/v1/company/credentials",
                           headers={"X-API-Authorization": admin}).json()
        key_id = next(c["id"] for c in listed if c["kind"] == "company_key")
        revoked = httpx.delete(f"{first}/v1/company/credentials/{key_id}",
                               headers={"X-API-Authorization": admin})
        assert revoked.status_code == 200
        assert httpx.get(f"{second}/v1/customers", headers=acme.headers).status_code == 401
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def _admin_token(app, tenant) -> str:
    import asyncio

    from workledger.auth.administration import issue_company_admin_token
    from workledger.kit.db import Database

    async def issue() -> str:
        database = Database(app.state.settings.database_url)
        try:
            async with database.session() as session:
                return await issue_company_admin_token(session, app.state.keyring, tenant.id)
        finally:
            await database.dispose()

    return asyncio.run(issue())


