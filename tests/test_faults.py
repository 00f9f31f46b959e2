"""Faults survived, with real processes: the database is killed (SIGKILL, the whole
instance) under concurrent writes through a live server, and comes back.

The test runs its own PostgreSQL (``initdb`` into a temporary directory, a free port):
never the machine's shared cluster, which it must not stop. What it proves:

- every write the API answered 200 is stored, whole (a customer with its contacts);
- nothing half-written is stored (no customer without its contacts);
- during the outage every answer is a problem document (503 with ``Retry-After``, or
  500), with a ``traceId``, within a bounded time: no hang;
- the API answers again within 5 seconds of the database being back: no worker keeps
  using a connection that died with the old instance.

The Redis side (the rate-limit store killed and restarted) is beside the other
rate-limit tests, in ``tests/kit/test_ratelimit.py``.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import ROOT, SECRET
from tests.live import free_port, wait_for
from workledger.auth import credentials
from workledger.auth.secrets import Keyring
from workledger.companies.service import create_company
from workledger.config import Settings
from workledger.kit.db import Database
from workledger.models import Contact, CredentialKind, Customer

CLIENTS = 6
CONTACTS = 2
#: No request may take longer than this, even while the database is gone.
REQUEST_BOUND = 10.0
RECOVERY_BOUND = 5.0


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PrivatePostgres:
    """One PostgreSQL instance of our own, started as a process group we can kill."""

    bin: Path
    data: Path
    port: int
    user: str | None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run_as(self) -> dict:
        # initdb and postgres refuse to run as root: run them as the postgres account.
        return {"user": self.user, "group": self.user} if self.user else {}

    def init(self) -> None:
        subprocess.run(
            [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, **self._run_as(),
        )

    def start(self) -> None:
        # A session of its own: SIGKILL to the group takes the postmaster and every
        # backend at once, as a crashed or OOM-killed database server.
        self.process = subprocess.Popen(
            [self.bin / "postgres", "-D", self.data, "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data}",
             "-c", "max_connections=100"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            **self._run_as(),
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [self.bin / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", "postgres", "-d", "postgres"], capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError("the private PostgreSQL did not come up")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Orphaned backends die with the group; wait until the port is free again.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = _postgres_bin()
    if binaries is None:
        pytest.fail("PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)")
    user = None
    if os.geteuid() == 0:
        try:
            import pwd

            user = pwd.getpwnam("postgres").pw_name
        except KeyError:
            pytest.fail("running as root and there is no postgres account to run initdb as")
    directory = Path(tempfile.mkdtemp(prefix="workledger-faults-pg-"))
    data = directory / "data"
    data.mkdir()
    if user:
        shutil.chown(directory, user)
        shutil.chown(data, user)
    server = PrivatePostgres(binaries, data, free_port(), user)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKLEDGER_")}
    env.update(WORKLEDGER_DATABASE_URL=database_url, WORKLEDGER_SECRET_KEY=SECRET,
               WORKLEDGER_DEV="true", WORKLEDGER_RATE_LIMIT="1000000/minute")
    return env


async def _company_key(database_url: str) -> tuple[int, str]:
    """A company with API access and a company key, as ``make_tenant`` makes them."""
    settings = Settings(database_url=database_url, secret_key=SECRET, dev=True)
    database = Database(database_url)
    try:
        async with database.session() as session:
            company = await create_company(session, "Faults Inc", api_access=True)
            _, key = await credentials.issue(
                session, Keyring(settings.secret_key), CredentialKind.company_key,
                company_id=company.id,
            )
        return company.id, key
    finally:
        await database.dispose()


@dataclass
class Answer:
    import_id: str
    started: float
    elapsed: float
    status: int | None  # None: no HTTP answer at all (a transport error)
    body: dict | None
    headers: httpx.Headers | None


async def _writer(http: httpx.AsyncClient, number: int, stop: asyncio.Event,
                  answers: list[Answer]) -> None:
    sequence = 0
    while not stop.is_set():
        sequence += 1
        import_id = f"fault-{number}-{sequence}"
        body = {
            "company_name": f"Customer {import_id}", "import_id": import_id,
            "contacts": [{"first_name": f"Contact {n}", "email": f"c{n}@{number}.example"}
                         for n in range(CONTACTS)],
        }
        started = time.monotonic()
        try:
            response = await http.post("/v1/customers", json=body)
        except httpx.HTTPError:
            answers.append(Answer(import_id, started, time.monotonic() - started, None, None,
                                  None))
            continue
        try:
            payload = response.json()
        except ValueError:
            payload = None
        answers.append(Answer(import_id, started, time.monotonic() - started,
                              response.status_code, payload, response.headers))
        if response.status_code != 200:
            await asyncio.sleep(0.05)  # as a client backing off; keeps the log readable


async def test_database_killed_mid_load_loses_no_answered_write_and_recovers(
    private_postgres: PrivatePostgres,
):
    url = private_postgres.url
    migrate = subprocess.run(  # noqa: ASYNC221 - before any load: nothing else to run
        [sys.executable, "-m", "workledger.cli", "migrate"],
        env=_env(url), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    company_id, key = await _company_key(url)

    port = free_port()
    # The server's log goes to a file: a pipe nobody reads would fill up and stall it.
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
        prefix="workledger-faults-", suffix=".log")
    server = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant
        [sys.executable, "-m", "workledger.cli", "serve", "--port", str(port)],
        env=_env(url), cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
    )
    answers: list[Answer] = []
    stop = asyncio.Event()
    try:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_for, f"{base}/openapi/versions", 60)
        limits = httpx.Limits(max_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Key {key}"},
                                     timeout=REQUEST_BOUND, limits=limits) as http:
            writers = [asyncio.create_task(_writer(http, n, stop, answers))
                       for n in range(CLIENTS)]
            await asyncio.sleep(1.5)
            assert any(a.status == 200 for a in answers), answers[:3]

            await asyncio.to_thread(private_postgres.kill)
            killed_at = time.monotonic()
            await asyncio.sleep(1.5)  # the outage: requests keep coming
            await asyncio.to_thread(private_postgres.start)  # returns once it accepts
            back_at = time.monotonic()

            deadline = back_at + RECOVERY_BOUND + REQUEST_BOUND
            recovered_at = None
            while recovered_at is None and time.monotonic() < deadline:
                recovered_at = next((a.started + a.elapsed for a in answers
                                     if a.status == 200 and a.started >= back_at), None)
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # and it keeps working
            stop.set()
            await asyncio.gather(*writers)

            # Killed while idle: the server's pooled connections died unused. The first
            # request after the restart must not be the one that finds out.
            await asyncio.sleep(0.3)
            await asyncio.to_thread(private_postgres.kill)
            await asyncio.to_thread(private_postgres.start)
            after_idle = [(await http.get("/v1/customers?per_page=1")).status_code
                          for _ in range(3)]
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log = Path(log_file.name).read_text(errors="replace")  # noqa: ASYNC240 - load over
        log_file.close()

    statuses = [(round(a.started - killed_at, 2), a.status, round(a.elapsed, 2))
                for a in answers if a.started >= killed_at - 0.5]
    assert recovered_at is not None, ("the API did not answer 200 again", statuses[:60],
                                      log[-3000:])
    recovery = recovered_at - back_at
    print(f"\nrecovery after the database was back: {recovery:.2f} s; "
          f"answers: {len(answers)}, during outage: "
          f"{sum(1 for a in answers if killed_at <= a.started < back_at)}, slowest answer: "
          f"{max(a.elapsed for a in answers):.2f} s")
    assert recovery < RECOVERY_BOUND, f"recovered {recovery:.2f} s after the database"
    assert after_idle == [200, 200, 200], after_idle

    # Bounded, and clean: every answer is 200 or a problem document with a trace id.
    assert all(a.status is not None for a in answers), [
        a for a in answers if a.status is None][:3]
    assert max(a.elapsed for a in answers) < REQUEST_BOUND
    failures = [a for a in answers if a.status != 200]
    assert failures, "the kill did not hit a single request"
    for answer in failures:
        assert answer.status in (500, 503), (answer.status, answer.body)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.body and answer.body["status"] == answer.status
        assert answer.body.get("traceId"), answer.body
        if answer.status == 503:
            assert "retry-after" in answer.headers

    # What the database holds after crash recovery.
    answered = {a.import_id for a in answers if a.status == 200}
    database = Database(url)
    try:
        async with database.session() as session:
            rows = (await session.execute(
                select(Customer.import_id, func.count(Contact.id))
                .outerjoin(Contact, Contact.customer_id == Customer.id)
                .where(Customer.company_id == company_id)
                .group_by(Customer.id, Customer.import_id)
            )).all()
    finally:
        await database.dispose()
    stored = {import_id: contacts for import_id, contacts in rows}
    assert answered - stored.keys() == set(), "answered 200 but not stored"
    assert {i: n for i, n in stored.items() if n != CONTACTS} == {}, "half-written customers"
