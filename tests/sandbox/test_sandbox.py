"""The sandbox (docs/sandbox.md): the API again under /sandbox on a copy of production,
restored from production, atomically for callers, by one process per scheduled slot.
Real databases on both backends; the restore is the real one."""

from __future__ import annotations

import asyncio
import re
import secrets
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text

from tests.conftest import ROOT, run_cli
from tests.test_routes import served_routes
from workledger.app import create_app
from workledger.auth.mail import send_api_user_credentials
from workledger.companies.service import set_user
from workledger.kit.problems import ValidationProblem
from workledger.models import SandboxRestore
from workledger.sandbox.restore import RestoreBusy, restore, restore_lock, tables
from workledger.sandbox.schedule import next_restore, slot_at, start_schedule, trigger_of

ENVIRONMENT = "X-Workledger-Environment"


async def restore_now(app):
    settings = app.state.settings
    return await restore(settings.database_url, settings.resolved_sandbox_database_url(),
                         sandbox=app.state.sandbox)


async def production_fingerprint(app) -> dict[str, list]:
    """Every row of every table of production, except the restores' own record."""
    dump: dict[str, list] = {}
    async with app.state.database.engine.connect() as connection:
        for table in tables():
            if table.name == "sandbox_restores":
                continue
            rows = await connection.execute(select(table).order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    return dump


async def names(client, path: str, headers) -> list[str]:
    response = await client.get(path, headers=headers, params={"per_page": 500})
    assert response.status_code == 200, response.text
    assert response.headers[ENVIRONMENT if path.startswith("/sandbox") else "X-Trace-Id"]
    return sorted(row["company_name"] for row in response.json())


async def test_restore_copies_production_and_sandbox_writes_stay_in_the_sandbox(
    app, client, acme
):
    made = await client.post("/v1/customers", headers=acme.headers,
                             json={"company_name": "In production"})
    assert made.status_code == 200, made.text
    await restore_now(app)
    # The same credential works in the sandbox, and finds production's data there.
    assert await names(client, "/sandbox/v1/customers", acme.headers) == ["In production"]
    before = await production_fingerprint(app)

    # Writes through the sandbox faces: create, update, delete; the connector answers too.
    created = await client.post("/sandbox/v1/customers", headers=acme.headers,
                                json={"company_name": "Only in the sandbox"})
    assert created.status_code == 200, created.text
    assert created.headers[ENVIRONMENT] == "sandbox"
    assert created.headers["Location"].endswith(f"/sandbox/v1/customers/{created.json()['id']}")
    renamed = await client.patch(f"/sandbox/v1/customers/{made.json()['id']}",
                                 headers=acme.headers, json={"company_name": "Renamed in sandbox"})
    assert renamed.status_code == 200, renamed.text
    assert await names(client, "/sandbox/v1/customers", acme.headers) == [
        "Only in the sandbox", "Renamed in sandbox"]
    deleted = await client.delete(f"/sandbox/v1/customers/{created.json()['id']}",
                                  headers=acme.headers)
    assert deleted.status_code == 200, deleted.text
    assert await production_fingerprint(app) == before
    assert await names(client, "/v1/customers", acme.headers) == ["In production"]

    # A restore brings production's data back; the sandbox's changes are gone.
    await client.post("/sandbox/v1/customers", headers=acme.headers,
                      json={"company_name": "Gone after the restore"})
    summary = await restore_now(app)
    assert summary.rows["customers"] >= 1 and summary.snapshot_seconds < summary.seconds
    assert await names(client, "/sandbox/v1/customers", acme.headers) == ["In production"]
    assert await production_fingerprint(app) == before


async def test_requests_during_a_restore_each_see_one_whole_copy(app, client, settings, acme):
    for n in range(3):
        await client.post("/v1/customers", headers=acme.headers,
                          json={"company_name": f"Old {n}"})
    await restore_now(app)
    for n in range(2):
        await client.post("/v1/customers", headers=acme.headers,
                          json={"company_name": f"New {n}"})
    # A second "process": its own app, which only learns of the new copy from production.
    other = create_app(settings.model_copy(update={"sandbox_check_seconds": 0.05}))
    transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
    seen: list[tuple[str, int, int]] = []
    restoring = asyncio.create_task(restore_now(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as second:

        async def hammer(name: str, http: httpx.AsyncClient) -> None:
            while not restoring.done():
                response = await http.get("/sandbox/v1/customers", headers=acme.headers)
                assert response.status_code == 200, response.text
                assert response.headers[ENVIRONMENT] == "sandbox"
                seen.append((name, len(response.json()), restoring.done()))

        await asyncio.gather(*(hammer("this", client) for _ in range(3)),
                             *(hammer("other", second) for _ in range(3)))
        await restoring
        # Every answer was one whole copy: the old one (3 customers) or the new one (5).
        assert {count for _, count, _ in seen} <= {3, 5}
        assert sum(1 for _, _, done in seen if not done) >= 3, seen
        await asyncio.sleep(0.1)
        final = await second.get("/sandbox/v1/customers", headers=acme.headers)
        assert len(final.json()) == 5
    assert len((await client.get("/sandbox/v1/customers", headers=acme.headers)).json()) == 5
    await other.state.sandbox.idle()
    await other.state.sandbox.dispose()
    await other.state.database.dispose()


async def test_one_restore_per_scheduled_slot_with_processes_racing(app, settings, cli_env):
    """Two processes fire the same slot of a ``* * * * *`` schedule at once: the restore
    lock and the recorded slot let exactly one of them restore it."""
    script = (
        "import asyncio, sys\n"
        "from datetime import datetime\n"
        "from workledger.config import Settings\n"
        "from workledger.sandbox.schedule import run_scheduled_restore\n"
        "settings = Settings(sandbox_restore='* * * * *')\n"
        "now = datetime.fromisoformat(sys.argv[1])\n"
        "done = asyncio.run(run_scheduled_restore(settings, now=now))\n"
        "print('restored' if done else 'skipped')\n"
    )
    base = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(minutes=secrets.randbelow(500_000))
    slots = [base + timedelta(minutes=n) for n in range(2)]
    for slot in slots:
        now = (slot + timedelta(seconds=1)).isoformat()
        racers = [await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, now, env=cli_env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        ) for _ in range(2)]
        outputs = await asyncio.wait_for(
            asyncio.gather(*(racer.communicate() for racer in racers)), 120)
        assert all(racer.returncode == 0 for racer in racers), outputs
        assert sorted(out.decode().strip() for out, _ in outputs) == ["restored", "skipped"], \
            outputs
    async with app.state.database.sessions() as session:
        recorded = (await session.scalars(
            select(SandboxRestore.scheduled_for).where(SandboxRestore.scheduled_for.in_(slots))
        )).all()
    assert sorted(recorded) == slots


async def test_the_restore_lock_is_held_by_one_at_a_time(settings):
    sandbox_url = settings.resolved_sandbox_database_url()
    async with restore_lock(settings.database_url, sandbox_url, wait=False):
        with pytest.raises(RestoreBusy):
            async with restore_lock(settings.database_url, sandbox_url, wait=False):
                pass
    async with restore_lock(settings.database_url, sandbox_url, wait=False):
        pass


def test_the_schedule():
    every_minute = trigger_of("* * * * *")
    now = datetime(2026, 11, 29, 12, 34, 56, tzinfo=UTC)
    assert slot_at(every_minute, now) == datetime(2026, 11, 29, 12, 34, tzinfo=UTC)
    weekly = trigger_of("0 3 * * sun")
    assert slot_at(weekly, datetime(2026, 11, 29, 3, 10, tzinfo=UTC)) == datetime(
        2026, 11, 29, 3, 0, tzinfo=UTC)
    assert slot_at(weekly, datetime(2026, 11, 30, 3, 10, tzinfo=UTC)) is None
    from workledger.config import Settings

    default = Settings(secret_key="x")
    assert default.sandbox_restore == "0 3 * * sun"
    assert next_restore(default, now) == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert next_restore(Settings(secret_key="x", sandbox_restore="OFF"), now) is None
    with pytest.raises(ValueError, match="cron expression"):
        Settings(secret_key="x", sandbox_restore="every sunday")


async def test_the_server_runs_the_schedule(settings):
    scheduler = start_schedule(settings.model_copy(update={"sandbox_restore": "*/5 * * * *"}),
                               None)
    try:
        job = scheduler.get_job("sandbox-restore")
        assert job.next_run_time.minute % 5 == 0 and job.next_run_time.second == 0
    finally:
        scheduler.shutdown(wait=False)
    assert start_schedule(settings.model_copy(update={"sandbox_restore": "off"}), None) is None


async def test_every_sandbox_answer_says_so(app, client, acme):
    await restore_now(app)
    for path, status in [
        ("/sandbox/v1/customers", 200), ("/sandbox/v1/customers/999999999", 404),
        ("/sandbox/v1/nothing", 404), ("/sandbox/openapi.json", 200), ("/sandbox/docs", 200),
        ("/sandbox/health", 200), ("/sandbox/openapi/versions", 200), ("/sandbox/", 307),
        ("/sandbox", 307),
    ]:
        response = await client.get(path, headers=acme.headers, follow_redirects=False)
        assert response.status_code == status, (path, response.text)
        assert response.headers[ENVIRONMENT] == "sandbox", path
        assert response.headers["X-Trace-Id"], path
    unauthenticated = await client.get("/sandbox/v1/customers")
    assert unauthenticated.status_code == 401 and unauthenticated.headers[ENVIRONMENT]
    for path in ("/v1/customers", "/openapi.json", "/docs", "/health"):
        assert ENVIRONMENT not in (await client.get(path, headers=acme.headers)).headers


async def test_the_sandbox_serves_every_api_route_of_production_and_no_page(app, client):
    pages = ("/login", "/logout", "/settings", "/admin", "/oauth2/auth", "/static", "/sandbox")
    production = {(m, p) for m, p in served_routes(app.routes) if not p.startswith(pages)}
    sandbox = set(served_routes(app.state.sandbox_app.routes))
    assert len(production) > 50 and production <= sandbox, production - sandbox
    for page in ("/sandbox/login", "/sandbox/admin", "/sandbox/settings"):
        assert (await client.get(page)).status_code == 404


async def test_the_sandbox_document_points_swagger_ui_at_the_sandbox(app, client):
    document = (await client.get("/sandbox/openapi.json")).json()
    assert document["servers"] == [{"url": "/sandbox", "description": "Sandbox"}]
    assert "sandbox" in document["info"]["title"]
    assert set(document["paths"]) == set(app.openapi()["paths"])
    assert "servers" not in app.openapi()
    page = (await client.get("/sandbox/docs")).text
    assert "'/sandbox/openapi.json'" in page or '"/sandbox/openapi.json"' in page


async def test_rate_limits_count_apart(settings, make_tenant):
    limited = create_app(settings.model_copy(update={"rate_limit": "3/15 minutes"}))
    transport = httpx.ASGITransport(app=limited, raise_app_exceptions=False)
    tenant = await make_tenant()
    await restore(settings.database_url, settings.resolved_sandbox_database_url(),
                  sandbox=limited.state.sandbox)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for remaining in (2, 1, 0):
            answer = await http.get("/sandbox/v1/customers", headers=tenant.headers)
            assert answer.status_code == 200, answer.text
            assert answer.headers["X-Ratelimit-Remaining"] == str(remaining)
        refused = await http.get("/sandbox/v1/customers", headers=tenant.headers)
        assert refused.status_code == 429 and refused.headers[ENVIRONMENT] == "sandbox"
        production = await http.get("/v1/customers", headers=tenant.headers)
        assert production.status_code == 200
        assert production.headers["X-Ratelimit-Remaining"] == "2"
    await limited.state.sandbox.dispose()
    await limited.state.database.dispose()


async def test_the_sandbox_sends_no_mail(settings):
    with_mail = create_app(settings.model_copy(update={"smtp_host": "127.0.0.1"}))
    sandbox_settings = with_mail.state.sandbox_app.state.settings
    assert with_mail.state.settings.smtp_host == "127.0.0.1"
    assert sandbox_settings.smtp_host is None
    with pytest.raises(ValidationProblem, match="no SMTP server"):
        await send_api_user_credentials(sandbox_settings, to="a@example.com", company_name="A",
                                        username="WSIa", password="p", integration_system="x")
    await with_mail.state.database.dispose()


async def test_staff_restore_from_the_page(app, acme):
    email = f"staff-{secrets.token_hex(4)}@sandbox.test"
    async with app.state.database.session() as session:
        await set_user(session, email, "correct horse battery", company_id=None, is_staff=True)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        login = await http.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        signed_in = await http.post("/login", data={
            "csrf_token": csrf, "email": email, "password": "correct horse battery"})
        assert signed_in.status_code == 303
        page = await http.get("/admin/sandbox")
        assert page.status_code == 200 and "Restore now" in page.text
        assert "Next scheduled restore" in page.text and "0 3 * * sun" in page.text
        refused = await http.post("/admin/sandbox/restore", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        started = await http.post("/admin/sandbox/restore", data={"csrf_token": csrf})
        assert started.status_code == 303
        assert started.headers["location"] == "/admin/sandbox?done=started"
        await asyncio.gather(*app.state.sandbox_restores)
        done = await http.get("/admin/sandbox")
        assert f"by {email}" in done.text
    async with app.state.database.sessions() as session:
        last = await session.scalar(select(SandboxRestore).order_by(SandboxRestore.id.desc()))
    assert last.trigger == "staff" and last.requested_by == email


async def test_the_command(cli_env, app, acme):
    result = run_cli(cli_env, "sandbox", "restore")
    assert result.returncode == 0, result.stderr
    assert "rows in" in result.stdout and "production snapshot held" in result.stdout
    assert re.search(r"companies\s*│\s*\d+", result.stdout), result.stdout
    again = run_cli(cli_env, "sandbox", "restore", "--first-time")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    status = run_cli(cli_env, "sandbox", "status")
    assert "current copy:" in status.stdout and "next restore:" in status.stdout
    # The server's sandbox follows a restore made by another process.
    await asyncio.sleep(app.state.settings.sandbox_check_seconds)
    async with app.state.database.engine.connect() as connection:
        newest = await connection.scalar(text(
            "SELECT database FROM sandbox_restores ORDER BY id DESC LIMIT 1"))
    await app.state.sandbox.pin()
    assert app.state.sandbox.copy == newest
