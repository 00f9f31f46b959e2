"""Workledger's customer read benchmark, end to end (``make bench``; see bench/README.md).

1. (re)creates the PostgreSQL database ``workledger_bench``, migrates it and creates the
   demo companies (``workledger migrate`` / ``workledger demo --json``);
2. seeds 100k customers (and their contacts) for the demo company with COPY;
3. checks that the bare Starlette + asyncpg app (bench/bare_app.py) sends the same SQL
   statements, with the same BEGIN/COMMIT (none: reads run without a transaction), as
   the app (the app with SQL echo on, the bare app in ``plain`` mode logging its own) and
   answers with byte-identical JSON, for one customer and for the list page;
4. serves the app (``workledger serve --dev``, uvicorn, 1 worker) and the bare app in
   its two modes, and loads each in turn: a warm-up, then a fixed duration at a fixed
   concurrency, reading the server's and PostgreSQL's CPU time from /proc around it;
5. prints a markdown table and writes it to bench/results/latest.md (+ latest.json).

Every loop is bounded in time and count; every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import importlib.util
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import asyncpg
from loadgen import Result, build_request, load

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "results"
HOST = "127.0.0.1"
DB_NAME = "workledger_bench"
SECRET_KEY = "workledger-bench-not-a-real-secret"
RATE_LIMIT = "1000000000/15 minutes"
LIST_PATH = ("/v1/customers?status=1&created_at=gte:2020-01-01&sort=-company_name"
             "&per_page=50")


# -- processes and /proc ----------------------------------------------------------------
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Average CPU (in cores) that processes other than ours may use before a row counts as
#: disturbed.
QUIET_CORES = 0.15


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree_cpu_seconds(pid: int) -> float:
    """:func:`cpu_seconds` of ``pid`` and every process below it (``serve --workers N``
    runs its workers as children of a supervisor)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu_seconds(current)
        todo.extend(children.get(current, []))
    return total


async def backends(dsn: str) -> tuple[list[int], int]:
    """PostgreSQL backends serving the benchmark database (the servers' pools), and the
    number of sessions ever opened on it (this one included)."""
    conn = await asyncpg.connect(f"{dsn}/{DB_NAME}")
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1"
                                " AND pid <> pg_backend_pid()", DB_NAME)
        sessions = await conn.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = $1", DB_NAME)
    finally:
        await conn.close()
    return [row["pid"] for row in rows], sessions


def machine_busy() -> float:
    """CPU seconds all cores spent busy (user, nice, system, irq, softirq) since boot."""
    with open("/proc/stat", "rb") as f:
        fields = f.readline().split()
    return sum(int(fields[i]) for i in (1, 2, 3, 6, 7)) / CLK_TCK


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int
    process: subprocess.Popen | None = None

    def start(self) -> Server:
        self.log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            with contextlib.suppress(OSError):
                if http_get(self.port, "/health")[0] == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /health in 30 s; see {self.log}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if getattr(self, "log_file", None):
            self.log_file.close()

    def output(self) -> str:
        self.log_file.flush()
        return self.log.read_text(errors="replace")


# -- database ---------------------------------------------------------------------------
async def recreate_database(dsn: str, name: str = DB_NAME) -> None:
    conn = await asyncpg.connect(dsn + "/postgres")
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()


def server_env(dsn: str, name: str = DB_NAME) -> dict[str, str]:
    """The environment of the CLI and the server: this database, a fixed secret, and a
    rate limit that still counts every call (its cost is measured) but never refuses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKLEDGER_", "BENCH_"))}
    env.update(
        WORKLEDGER_DATABASE_URL=dsn.replace("postgresql://", "postgresql+asyncpg://") + f"/{name}",
        WORKLEDGER_SECRET_KEY=SECRET_KEY,
        WORKLEDGER_RATE_LIMIT=RATE_LIMIT,
    )
    return env


PLACES = ["Bergen", "Oslo", "Trondheim", "Stavanger", "Tromsø", "Drammen", "Ålesund", "Bodø",
          "Hamar", "Molde", "Kristiansand", "Fredrikstad", "Gjøvik", "Haugesund", "Skien",
          "Lillehammer", "Narvik", "Sandnes", "Arendal", "Kongsberg"]
TRADES = ["Rør", "Varme", "Elektro", "Ventilasjon", "Bygg", "Kulde", "Energi", "Service",
          "Teknikk", "Installasjon", "Eiendom", "Varmepumper", "Bad", "Sanitær", "Automasjon",
          "Mekaniske"]
SUFFIXES = ["AS", "AS", "AS", "AS", "ANS", "DA", "ENK", "Holding AS", "Gruppen AS"]
FIRST = ["Ola", "Kari", "Per", "Anne", "Lars", "Ingrid", "Øyvind", "Åse", "Bjørn", "Marit",
         "Jon", "Sigrid", "Erik", "Hanne", "Tor", "Line", "Mikkel", "Sofie", "Jens", "Emma"]
LAST = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Jensen",
        "Kristiansen", "Karlsen", "Sørensen", "Haugen", "Bakke", "Dahl", "Lie", "Strand",
        "Ødegård", "Ås", "Berg", "Moen"]
COMMENTS = ["Service hver høst.", "Ring før levering.\nNøkkel hos \"vaktmester\".",
            "Kunde siden 2019 — rammeavtale 12 % rabatt.", "Faktura per e-post <ikke papir>."]
ASCII = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "Ø": "O", "Å": "A", "Æ": "AE"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(ASCII)).strip("-")


async def seed(dsn: str, company_id: int, customers: int) -> dict:
    """COPY ``customers`` customers (0-3 contacts each) for one company; deterministic."""
    rng = random.Random(20261122)
    conn = await asyncpg.connect(f"{dsn}/{DB_NAME}")
    try:
        base = (await conn.fetchval("SELECT coalesce(max(id), 0) FROM customers")) + 1
        start = datetime(2016, 1, 1, tzinfo=UTC)
        end = datetime(2026, 11, 1, tzinfo=UTC)
        step = (end - start) / customers
        rows, contacts = [], []
        for i in range(customers):
            created = start + step * i + timedelta(microseconds=rng.randrange(1_000_000))
            updated = min(end, created + timedelta(seconds=rng.randrange(400 * 86400)))
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if rng.random() < 0.8:
                kind, company_name = 1, (f"{last} {rng.choice(TRADES)} {rng.choice(PLACES)} "
                                         f"{rng.choice(SUFFIXES)}")
                email = f"post@{_slug(company_name)}.example"
                first = last = ""
            else:
                kind, company_name = 2, ""
                email = f"{_slug(first)}.{_slug(last)}{i}@example.no"
            rows.append((
                base + i, company_id, kind, 1 if rng.random() < 0.75 else 2, company_name,
                first, last, email, f"+47 {rng.randrange(20_000_000, 99_999_999)}",
                rng.choice(COMMENTS) if rng.random() < 0.1 else "",
                f"ERP-{i:06d}" if rng.random() < 0.3 else None, created, updated,
            ))
            for position in range(rng.choice((0, 1, 1, 2, 3)) if kind == 1 else 0):
                cf, cl = rng.choice(FIRST), rng.choice(LAST)
                contacts.append((
                    base + i, company_id, cf, cl, f"{_slug(cf)}.{_slug(cl)}@{_slug(company_name)}"
                    ".example", f"+47 {rng.randrange(40_000_000, 49_999_999)}", position,
                    created, created,
                ))
        await conn.copy_records_to_table(
            "customers", records=rows,
            columns=["id", "company_id", "type", "status", "company_name", "first_name",
                     "last_name", "email", "phone_number", "comment", "import_id",
                     "created_at", "updated_at"])
        await conn.execute("SELECT setval('customers_id_seq', $1)", base + customers)
        await conn.copy_records_to_table(
            "contacts", records=contacts,
            columns=["customer_id", "company_id", "first_name", "last_name", "email",
                     "phone_number", "position", "created_at", "updated_at"])
        await conn.execute("VACUUM (ANALYZE) customers, contacts")
        # The customer whose JSON is compared: contacts, a comment with a newline and
        # quotes, letters outside ASCII.
        check_id = await conn.fetchval(
            "SELECT c.id FROM customers c WHERE c.company_id = $1 AND c.comment LIKE '%\n%'"
            " AND c.company_name LIKE '%ø%' AND (SELECT count(*) FROM contacts k"
            " WHERE k.customer_id = c.id) >= 2 ORDER BY c.id LIMIT 1", company_id)
        version = await conn.fetchval("SHOW server_version")
        item_id = await conn.fetchval(
            "SELECT id FROM items WHERE company_id = $1 ORDER BY id LIMIT 1", company_id)
    finally:
        await conn.close()
    return {"ids": range(base, base + customers), "contacts": len(contacts),
            "check_id": check_id, "postgres": version, "item_id": item_id}


def app_pool(url: str) -> dict:
    """The app's own engine settings (bare-wire mirrors its pre-ping). No connection."""
    from workledger.kit.db import make_engine

    engine = make_engine(url)
    pool = engine.sync_engine.pool
    return {"size": pool.size(), "overflow": getattr(pool, "_max_overflow", 0),
            "pre_ping": bool(getattr(pool, "_pre_ping", False))}


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "workledger"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout


# -- the check: same SQL, same JSON -------------------------------------------------------
LOG_RECORD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+) [A-Z]+ (\S+) ", re.M)
#: Run once on a new connection by SQLAlchemy's dialect, not per request.
FIRST_CONNECT = {"select pg_catalog.version()", "select current_schema()",
                 "show standard_conforming_strings"}


def app_statements(log: str) -> list[str]:
    """SQL statements and BEGIN / COMMIT / ROLLBACK in SQLAlchemy's echo output."""
    statements, previous = [], None
    starts = list(LOG_RECORD.finditer(log))
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() if following else len(log)
        record = log[match.start():end]
        # With a root handler as well as SQLAlchemy's own, each record shows up twice.
        if record == previous:
            continue
        previous = record
        message = log[match.end():end].removesuffix("\n")
        if (match.group(2) == "sqlalchemy.engine.Engine" and not message.startswith("[")
                and message not in FIRST_CONNECT):
            statements.append(message.removesuffix(" (implicit)"))
    return statements


def bare_statements(log: str) -> list[str]:
    return [json.loads(line[len("bench-sql "):]) for line in log.splitlines()
            if line.startswith("bench-sql ")]


def check_same(app: Server, bare: Server, paths: list[str], auth: dict[str, str]) -> list[str]:
    """Problems found (empty when the SQL and the bodies are the same)."""
    problems = []
    app_mark, bare_mark = len(app.output()), len(bare.output())
    for path in paths:
        a_status, a_headers, a_body = http_get(app.port, path, auth)
        b_status, b_headers, b_body = http_get(bare.port, path, auth)
        same = (a_status, a_body) == (b_status, b_body)
        print(f"  JSON of GET {path}: {'identical' if same else 'DIFFERENT'} "
              f"({a_status}, {len(a_body)} bytes; bare {b_status}, {len(b_body)} bytes)")
        if a_status != 200:
            problems.append(f"app answered {a_status} to {path}: {a_body[:300]!r}")
        if not same:
            at = next((i for i, (x, y) in enumerate(zip(a_body, b_body, strict=False))
                       if x != y), min(len(a_body), len(b_body)))
            problems.append(f"bodies differ at byte {at}: app {a_body[at - 40:at + 80]!r} "
                            f"bare {b_body[at - 40:at + 80]!r}")
        a_link = (a_headers.get("link") or "").replace(f"{HOST}:{app.port}", "HOST")
        b_link = (b_headers.get("link") or "").replace(f"{HOST}:{bare.port}", "HOST")
        if a_link != b_link:
            problems.append(f"Link headers differ: {a_headers.get('link')!r} "
                            f"vs {b_headers.get('link')!r}")
    time.sleep(0.3)  # let the logs reach their files
    ours, theirs = app_statements(app.output()[app_mark:]), bare_statements(
        bare.output()[bare_mark:])
    same_sql = ours == theirs
    print(f"  SQL: app sent {len(ours)} statements (with any BEGIN/COMMIT), bare sent "
          f"{len(theirs)}: "
          f"{'identical text' if same_sql else 'DIFFERENT'}")
    if not same_sql:
        for i, (x, y) in enumerate(zip(ours, theirs, strict=False)):
            if x != y:
                problems.append(f"statement {i} differs:\n  app:  {x!r}\n  bare: {y!r}")
                break
        else:
            problems.append(f"statement counts differ: {len(ours)} vs {len(theirs)}")
    return problems


# -- measuring ----------------------------------------------------------------------------
@dataclass
class Row:
    scenario: str
    server: str
    result: Result
    server_cpu: float
    db_cpu: float
    client_cpu: float
    other_cpu: float  # every other process on the machine, CPU seconds
    new_connections: int  # database sessions opened during the measurement

    @property
    def failures(self) -> int:
        """Responses other than 200, and connection errors: a row with any is invalid."""
        bad = sum(n for status, n in self.result.statuses.items() if status != 200)
        return bad + self.result.errors

    @property
    def disturbed(self) -> bool:
        return self.other_cpu / self.result.duration_s > QUIET_CORES

    def per_request_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.result.count if self.result.count else float("nan")


class Patience:
    """A bounded allowance of extra time for waiting out other processes' CPU use.

    The machine may be shared (a test suite, a browser): before each row we wait (within
    the allowance) until the other processes leave the cores alone, and a row they
    disturbed anyway is measured once more while the allowance lasts.
    """

    def __init__(self, seconds: float) -> None:
        self.allowance = seconds

    def left(self) -> float:
        return self.allowance

    @contextlib.contextmanager
    def spending(self):
        began = time.monotonic()
        try:
            yield
        finally:
            self.allowance -= time.monotonic() - began

    async def wait_until_quiet(self) -> None:
        with self.spending():
            deadline = time.monotonic() + self.allowance
            for _ in range(int(self.allowance / 0.5) + 1):
                if time.monotonic() + 0.5 > deadline:
                    return
                before = machine_busy()
                await asyncio.sleep(0.5)
                if (machine_busy() - before) / 0.5 < QUIET_CORES:
                    return


async def measure(scenario: str, server: Server, requests: list[bytes], options) -> Row:
    """One row: warm-up, then the measured load with CPU time read around it.

    PostgreSQL's CPU is that of the backends connected to the benchmark database when
    the measurement starts: after the warm-up at the same concurrency the pools hold
    every connection they will use, and other databases' work counts as "other".
    """
    kwargs = {"concurrency": options.concurrency, "max_requests": options.max_requests}
    warm = await load(HOST, server.port, requests, duration_s=options.warmup, **kwargs)
    if warm.errors or set(warm.statuses) != {200}:
        raise RuntimeError(f"{server.name} warm-up failed: {dict(warm.statuses)}, "
                           f"{warm.errors} errors")
    pids, sessions_before = await backends(options.dsn.rstrip("/"))
    server_before = tree_cpu_seconds(server.pid)
    db_before = {pid: cpu_seconds(pid) for pid in pids}
    client_before, busy_before = time.process_time(), machine_busy()
    result = await load(HOST, server.port, requests, duration_s=options.duration, **kwargs)
    client_cpu = time.process_time() - client_before
    server_cpu = tree_cpu_seconds(server.pid) - server_before
    db_after = {pid: cpu_seconds(pid) for pid in pids}
    # Connections the server opened while measured (their CPU is not in the PostgreSQL
    # column; it shows up as "other").
    new_connections = (await backends(options.dsn.rstrip("/")))[1] - sessions_before - 1
    busy = machine_busy() - busy_before
    db_cpu = sum(max(0.0, after - db_before[pid]) for pid, after in db_after.items())
    other = max(0.0, busy - server_cpu - db_cpu - client_cpu)
    row = Row(scenario, server.name, result, server_cpu, db_cpu, client_cpu, other,
              new_connections)
    print(f"  {scenario:<5} {server.name:<10} {result.rps:8.0f} req/s  "
          f"p50 {result.percentile_ms(50):6.2f} ms  p99 {result.percentile_ms(99):6.2f} ms  "
          f"server {row.per_request_ms(server_cpu):.3f} CPU-ms/req  "
          f"PostgreSQL {row.per_request_ms(db_cpu):.3f}  "
          f"client {row.per_request_ms(client_cpu):.3f}"
          f"  other {other / result.duration_s:.2f} cores  new connections {new_connections}"
          f"  ({result.count} requests, statuses {dict(result.statuses)}, "
          f"{result.errors} errors)", flush=True)
    return row


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | server | req/s | p50 ms | p99 ms | req/s vs bare | server CPU ms/req "
        "| CPU/req vs bare | PostgreSQL CPU ms/req | client CPU ms/req | requests | non-200 "
        "| new DB connections | other load (cores) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    bare = {r.scenario: r for r in rows if r.server == "bare"}
    for r in rows:
        base = bare.get(r.scenario)
        cpu = r.per_request_ms(r.server_cpu)
        rps_ratio = f"{r.result.rps / base.result.rps:.2f}×" if base else "—"
        cpu_ratio = f"{cpu / base.per_request_ms(base.server_cpu):.2f}×" if base else "—"
        lines.append(
            f"| {r.scenario} | {r.server} | {r.result.rps:,.0f} | "
            f"{r.result.percentile_ms(50):.2f} | {r.result.percentile_ms(99):.2f} | "
            f"{rps_ratio} | {cpu:.3f} | {cpu_ratio} | {r.per_request_ms(r.db_cpu):.3f} | "
            f"{r.per_request_ms(r.client_cpu):.3f} | {r.result.count:,} | "
            f"{r.failures} | {r.new_connections} | {r.other_cpu / r.result.duration_s:.2f} |")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {name: metadata.version(name) for name in
                ("fastapi", "starlette", "pydantic", "sqlalchemy", "asyncpg", "uvicorn",
                 "uvloop", "httptools", "orjson")}
    with contextlib.suppress(metadata.PackageNotFoundError):
        versions["granian"] = metadata.version("granian")  # only with --granian's install
    return {"cpu": f"{model}, {os.cpu_count()} cores", "os": platform.platform(),
            "python": platform.python_version(),
            "packages": ", ".join(f"{k} {v}" for k, v in versions.items())}


# -- the run ------------------------------------------------------------------------------
async def main(options) -> int:
    began = time.monotonic()
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    dsn = options.dsn.rstrip("/")
    env = server_env(dsn)

    print(f"== database {DB_NAME}: create, migrate, demo, seed {options.customers:,} customers")
    await recreate_database(dsn)
    run_cli(env, "migrate")
    demo = json.loads(run_cli(env, "demo", "--json"))
    company_id, key = demo["company"]["id"], demo["company"]["company_key"]
    seeded = await seed(dsn, company_id, options.customers)
    print(f"  {options.customers:,} customers, {seeded['contacts']:,} contacts "
          f"in {time.monotonic() - began:.1f} s")
    auth = {"Authorization": f"Key {key}"}

    logs = Path(tempfile.mkdtemp(prefix="workledger-bench-"))
    pool = app_pool(env["WORKLEDGER_DATABASE_URL"])
    print(f"  the app's pool: {pool['size']} + {pool['overflow']} overflow connections, "
          f"pre-ping {'on' if pool['pre_ping'] else 'off'}")
    bare_env = {**env, "BENCH_BARE_DSN": f"{dsn}/{DB_NAME}",
                "BENCH_BARE_PING": "1" if pool["pre_ping"] else "0",
                "BENCH_BARE_POOL": str(max(30, pool["size"] + pool["overflow"]))}
    app_cmd = [str(BIN / "workledger"), "serve", "--dev", "--port"]
    bare_cmd = [sys.executable, str(BENCH / "bare_app.py"), "--port"]

    def app_server(name: str, extra: dict[str, str], workers: int = 1) -> Server:
        port = free_port()
        command = [*app_cmd, str(port), *(["--workers", str(workers)] if workers > 1 else [])]
        return Server(name, command, {**env, **extra}, logs / f"{name}.log", port)

    def bare_server(name: str, extra: dict[str, str]) -> Server:
        port = free_port()
        return Server(name, [*bare_cmd, str(port)], {**bare_env, **extra},
                      logs / f"{name}.log", port)

    print("== check: the same SQL and the same JSON")
    servers = [app_server("app-echo", {"WORKLEDGER_ECHO_SQL": "true", "PYTHONUNBUFFERED": "1"}),
               bare_server("bare-log", {"BENCH_BARE_MODE": "plain", "BENCH_BARE_LOG_SQL": "1",
                                        "PYTHONUNBUFFERED": "1"})]
    try:
        for server in servers:
            server.start()
        problems = check_same(servers[0], servers[1],
                              [f"/v1/customers/{seeded['check_id']}", LIST_PATH], auth)
    finally:
        for server in servers:
            server.stop()
    if problems:
        print("The bare app does not match the app; no measurement:\n" + "\n".join(problems))
        print(f"server logs: {logs}")
        return 1

    rng = random.Random(7)
    ids = seeded["ids"]
    scenarios = {
        "get": [f"/v1/customers/{rng.choice(ids)}" for _ in range(2000)],
        "list": [LIST_PATH],
    }
    # Endpoints with no bare twin (issue 13): the app alone, CPU per request.
    item_id = seeded["item_id"]
    customer_id = rng.choice(ids)
    contacts = [{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
                {"first_name": "Alan", "last_name": "Turing", "phone_number": "+44 1"}]
    app_only = {
        "item": [("GET", f"/v1/items/{item_id}", None)],
        "create": [("POST", "/v1/customers", json.dumps(
            {"company_name": "Bench AS", "email": "bench@example.com",
             "contacts": contacts}).encode())],
        "patch": [("PATCH", f"/v1/customers/{customer_id}", json.dumps(
            {"comment": f"bench {n}"}).encode()) for n in range(2)],
    }
    print(f"== load: {options.concurrency} connections, {options.warmup:g} s warm-up + "
          f"{options.duration:g} s per server and scenario")
    servers = [app_server("app", {}), bare_server("bare", {"BENCH_BARE_MODE": "plain"}),
               bare_server("bare-wire", {"BENCH_BARE_MODE": "wire"})]
    if options.workers > 1:  # the same app in N worker processes (CPU: all of them)
        servers.append(app_server(f"app-{options.workers}w", {}, options.workers))
    if options.granian:  # the same app under granian instead of uvicorn, one worker
        servers.append(granian_server(env, logs))
    rows: list[Row] = []
    try:
        for server in servers:
            server.start()
        patience = Patience(options.patience)
        for scenario, paths in scenarios.items():
            for server in servers:
                requests = [build_request(HOST, server.port, p, {**auth,
                            "Accept": "application/json"}) for p in paths]
                await patience.wait_until_quiet()
                row = await measure(scenario, server, requests, options)
                if row.disturbed and patience.left() > options.warmup + options.duration:
                    print("  (other processes were busy: measuring that row again)")
                    await patience.wait_until_quiet()
                    with patience.spending():
                        again = await measure(scenario, server, requests, options)
                    row = min(row, again, key=lambda r: r.other_cpu / r.result.duration_s)
                rows.append(row)
        app = servers[0]
        for scenario, calls in app_only.items():
            requests = [build_request(HOST, app.port, path, {**auth, "Accept":
                        "application/json"}, method, body) for method, path, body in calls]
            await patience.wait_until_quiet()
            rows.append(await measure(scenario, app, requests, options))
    finally:
        for server in servers:
            server.stop()

    info = machine()
    took = time.monotonic() - began
    busy_rows = [f"{r.scenario}/{r.server}" for r in rows if r.disturbed]
    failed_rows = [f"{r.scenario}/{r.server} ({dict(r.result.statuses)}, "
                   f"{r.result.errors} connection errors)" for r in rows if r.failures]
    if failed_rows:
        warning = ("**INVALID: responses other than 200 in " + ", ".join(failed_rows)
                   + ".** ")
    else:
        warning = ""
    if busy_rows:
        warning += (f"**Other processes used the CPU during {', '.join(busy_rows)}**; those "
                    "rows understate req/s (CPU ms/req is less affected). ")
    report = "\n".join([
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpu']} ({info['os']}), "
        f"Python {info['python']}, PostgreSQL {seeded['postgres']}; {info['packages']}.",
        "",
        f"{options.customers:,} customers ({seeded['contacts']:,} contacts) in one company; "
        f"{options.concurrency} keep-alive connections; {options.warmup:g} s warm-up + "
        f"{options.duration:g} s per row; client, servers and PostgreSQL on the same machine.",
        f"`get` = `GET /v1/customers/{{id}}` over 2,000 random ids; `list` = `GET {LIST_PATH}`; "
        "the app alone: `item` = `GET /v1/items/{id}` (a demo item), `create` = "
        "`POST /v1/customers` with two contacts, `patch` = `PATCH /v1/customers/{id}` "
        "(`comment`, two alternating bodies). "
        f"The app's pool: {pool['size']} + {pool['overflow']} overflow, pre-ping "
        f"{'on' if pool['pre_ping'] else 'off'}; `bare-wire` adds BEGIN/COMMIT"
        f"{' and the pre-ping' if pool['pre_ping'] else ''} to `bare`.",
        "",
        table(rows),
        "",
        f"{warning}SQL statements and JSON bodies of the app and the bare app: identical "
        f"(checked in this run). Load average at the start: {load_at_start}. "
        f"Whole run: {took:.0f} s.",
    ])
    print("\n" + report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(report + "\n")
    (RESULTS / "latest.json").write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info,
        "customers": options.customers, "contacts": seeded["contacts"],
        "concurrency": options.concurrency, "duration_s": options.duration,
        "rows": [{"scenario": r.scenario, "server": r.server, "requests": r.result.count,
                  "rps": round(r.result.rps, 1), "p50_ms": round(r.result.percentile_ms(50), 3),
                  "p99_ms": round(r.result.percentile_ms(99), 3),
                  "server_cpu_ms_per_req": round(r.per_request_ms(r.server_cpu), 4),
                  "postgres_cpu_ms_per_req": round(r.per_request_ms(r.db_cpu), 4),
                  "client_cpu_ms_per_req": round(r.per_request_ms(r.client_cpu), 4),
                  "other_cores": round(r.other_cpu / r.result.duration_s, 3),
                  "new_db_connections": r.new_connections,
                  "statuses": dict(r.result.statuses), "errors": r.result.errors}
                 for r in rows],
    }, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / 'latest.md'}; server logs in {logs}")
    return 1 if failed_rows else 0


def granian_server(env: dict[str, str], logs: Path) -> Server:
    """The app as ``workledger serve --dev`` starts it, served by granian (ASGI, one
    worker, uvloop) instead of uvicorn: the server comparison of issue 13. granian is not
    in the lock file (``workledger serve`` runs uvicorn); install it beside the venv for
    this row, e.g. ``pip install --target /tmp/granian granian`` and
    ``PYTHONPATH=/tmp/granian``."""
    if importlib.util.find_spec("granian") is None:
        raise SystemExit("--granian: granian is not importable (see bench/README.md)")
    port = free_port()
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
               "--host", HOST, "--port", str(port), "--workers", "1", "--loop", "uvloop",
               "--no-ws", "--log-level", "warning", "workledger.app:create_app"]
    extra = {"WORKLEDGER_DEV": "true", "WORKLEDGER_PUBLIC_URL": f"http://{HOST}:{port}"}
    return Server("app-granian", command, {**env, **extra}, logs / "app-granian.log", port)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Workledger customer read benchmark.")
    parser.add_argument("--workers", type=int, default=2,
                        help="also measure `serve --workers N` on get and list (1: skip)")
    parser.add_argument("--granian", action="store_true",
                        help="also measure get and list with the app under granian "
                        "(granian must be importable; it is not in the lock file)")
    parser.add_argument("--dsn", default=os.environ.get(
        "BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, without a database name (default: %(default)s)")
    parser.add_argument("--db", default=DB_NAME,
                        help="database to drop, create and use (default: %(default)s)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per row")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per row")
    parser.add_argument("--patience", type=float, default=60.0,
                        help="extra seconds the run may spend waiting out other processes' "
                        "CPU use and re-measuring disturbed rows")
    parser.add_argument("--max-requests", type=int, default=500_000,
                        help="cap on requests per warm-up or measurement")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", options.db):
        sys.exit("--db: a plain lowercase name, please")
    DB_NAME = options.db
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        sys.exit(asyncio.run(main(options)))
    sys.exit(uvloop.run(main(options)))
