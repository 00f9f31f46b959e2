"""What authentication costs per request, scheme by scheme (see bench/README.md).

``.venv/bin/python bench/auth_cost.py``

1. (re)creates the PostgreSQL database ``workledger_bench_auth`` (never
   ``workledger_bench``), migrates it and creates the demo companies;
2. serves the app (``workledger serve --dev``, uvicorn, 1 worker) with the rate limit
   raised so the limiter counts every call but never refuses;
3. loads, one row after the other at the same concurrency, an unauthenticated route
   that does no database work (``GET /openapi/versions``) and one cheap authenticated
   endpoint (``GET /v1/customers/999999999``: authenticate, one indexed query, 404)
   with no credential (401) and with each scheme: Key, Bearer, Basic API key, Basic API
   user (verified-password cache), Basic automation user + ``X-Company-Id``;
4. reports req/s, latency, server and PostgreSQL CPU per request, and the "auth cost":
   a row's server CPU ms/req minus the unauthenticated route's, and minus the Key row's;
   writes bench/results/auth-latest.md (+ auth-latest.json).

Every loop is bounded in time and count; every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from loadgen import Result, build_request, load
from run import (
    BIN,
    HOST,
    QUIET_CORES,
    RESULTS,
    ROOT,
    Patience,
    Server,
    cpu_seconds,
    free_port,
    http_get,
    machine,
    machine_busy,
    recreate_database,
    run_cli,
    server_env,
)

#: Its own database: the customer benchmark's ``workledger_bench`` is never touched.
DB_NAME = "workledger_bench_auth"
MISSING = "/v1/customers/999999999"
OPEN = "/openapi/versions"


@dataclass
class Case:
    name: str
    path: str
    headers: dict[str, str]
    expected: int
    note: str


@dataclass
class Row:
    case: Case
    result: Result
    server_cpu: float
    db_cpu: float
    client_cpu: float
    other_cpu: float

    def ms(self, seconds: float) -> float:
        return seconds * 1000 / self.result.count if self.result.count else float("nan")

    @property
    def cpu(self) -> float:
        return self.ms(self.server_cpu)

    @property
    def failures(self) -> int:
        bad = sum(n for s, n in self.result.statuses.items() if s != self.case.expected)
        return bad + self.result.errors

    @property
    def disturbed(self) -> bool:
        return self.other_cpu / self.result.duration_s > QUIET_CORES


async def backend_pids(dsn: str) -> tuple[list[int], str]:
    conn = await asyncpg.connect(f"{dsn}/{DB_NAME}")
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1"
                                " AND pid <> pg_backend_pid()", DB_NAME)
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return [r["pid"] for r in rows], version


def bearer_token(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", "/v1/Account/token",
                     body=json.dumps({"username": email, "password": password}),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"POST /v1/Account/token answered {response.status}: {body[:300]!r}")
    return json.loads(body)


def basic(login: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}


async def argon2_ms() -> float:
    """One argon2 verification with the app's parameters, in CPU ms of this process: what
    a cache miss would add to a Basic API user / automation user request."""
    from workledger.auth.passwords import hash_password, verify_password

    hashed = await hash_password("bench-password-123")
    before = time.process_time()
    for _ in range(3):
        assert await verify_password("bench-password-123", hashed)
    return (time.process_time() - before) * 1000 / 3


async def measure(case: Case, server: Server, dsn: str, options) -> Row:
    requests = [build_request(HOST, server.port, case.path,
                              {**case.headers, "Accept": "application/json"})]
    kwargs = {"concurrency": options.concurrency, "max_requests": options.max_requests}
    warm = await load(HOST, server.port, requests, duration_s=options.warmup, **kwargs)
    if warm.errors or set(warm.statuses) != {case.expected}:
        raise RuntimeError(f"{case.name}: warm-up answered {dict(warm.statuses)} "
                           f"({warm.errors} errors), expected only {case.expected}")
    pids, _ = await backend_pids(dsn)
    server_before = cpu_seconds(server.pid)
    db_before = {pid: cpu_seconds(pid) for pid in pids}
    client_before, busy_before = time.process_time(), machine_busy()
    result = await load(HOST, server.port, requests, duration_s=options.duration, **kwargs)
    client_cpu = time.process_time() - client_before
    server_cpu = cpu_seconds(server.pid) - server_before
    db_cpu = sum(max(0.0, cpu_seconds(pid) - before) for pid, before in db_before.items())
    busy = machine_busy() - busy_before
    other = max(0.0, busy - server_cpu - db_cpu - client_cpu)
    row = Row(case, result, server_cpu, db_cpu, client_cpu, other)
    print(f"  {case.name:<28} {result.rps:7.0f} req/s  p50 {result.percentile_ms(50):6.2f} ms"
          f"  p99 {result.percentile_ms(99):6.2f} ms  server {row.cpu:.3f} CPU-ms/req  "
          f"PostgreSQL {row.ms(db_cpu):.3f}  other {other / result.duration_s:.2f} cores  "
          f"({result.count} requests, {dict(result.statuses)}, {result.errors} errors)",
          flush=True)
    return row


def table(rows: list[Row]) -> str:
    base = next(r for r in rows if r.case.path == OPEN)
    key = next(r for r in rows if r.case.name.startswith("Key"))
    lines = [
        "| request | status | req/s | p50 ms | p99 ms | server CPU ms/req "
        "| auth cost vs unauthenticated (ms) | vs Key (ms) | PostgreSQL CPU ms/req "
        "| requests | unexpected | other load (cores) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        vs_open = "—" if r is base else f"{r.cpu - base.cpu:+.3f}"
        vs_key = "—" if r is key or r is base else f"{r.cpu - key.cpu:+.3f}"
        lines.append(
            f"| {r.case.name} | {r.case.expected} | {r.result.rps:,.0f} | "
            f"{r.result.percentile_ms(50):.2f} | {r.result.percentile_ms(99):.2f} | "
            f"{r.cpu:.3f} | {vs_open} | {vs_key} | {r.ms(r.db_cpu):.3f} | "
            f"{r.result.count:,} | {r.failures} | {r.other_cpu / r.result.duration_s:.2f} |")
    return "\n".join(lines)


async def main(options) -> int:
    began = time.monotonic()
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    dsn = options.dsn.rstrip("/")
    env = server_env(dsn, DB_NAME)

    print(f"== database {DB_NAME}: create, migrate, demo")
    await recreate_database(dsn, DB_NAME)
    run_cli(env, "migrate")
    demo = json.loads(run_cli(env, "demo", "--json"))
    company = demo["company"]
    automation = demo["automation_user"]
    miss_ms = await argon2_ms()

    logs = Path(tempfile.mkdtemp(prefix="workledger-bench-auth-"))
    port = free_port()
    server = Server("app", [str(BIN / "workledger"), "serve", "--dev", "--port", str(port)],
                    env, logs / "app.log", port)
    rows: list[Row] = []
    try:
        server.start()
        token = bearer_token(port, company["admin"]["email"], company["admin"]["password"])
        api_user = basic(company["api_user"]["username"], company["api_user"]["password"])
        cases = [
            Case("unauthenticated GET /openapi/versions", OPEN, {}, 200,
                 "no auth, no database"),
            Case("no credential", MISSING, {}, 401, "rejected before any query"),
            Case("Key (company key)", MISSING,
                 {"Authorization": f"Key {company['company_key']}"}, 404,
                 "HMAC digest + 1 indexed query"),
            Case("Bearer (session token)", MISSING, {"Authorization": f"Bearer {token}"}, 404,
                 "HMAC digest + credential query + user query"),
            Case("Basic API key", MISSING,
                 basic(company["api_email"], company["api_key"]), 404,
                 "1 query + HMAC check"),
            Case("Basic API user (cache hit)", MISSING, api_user, 404,
                 "1 query + verified-password cache"),
            Case("Basic automation user", MISSING,
                 {**basic(automation["username"], automation["password"]),
                  "X-Company-Id": str(company["id"])}, 404,
                 "1 query + cache + company query"),
        ]
        # One request per Basic password scheme before any timing: the argon2 check
        # (the only cache miss) happens here, outside the measurement.
        for case in cases:
            status = http_get(port, case.path, case.headers)[0]
            if status != case.expected:
                raise RuntimeError(f"{case.name}: answered {status}, expected {case.expected}")
        print(f"== load: {options.concurrency} connections, {options.warmup:g} s warm-up + "
              f"{options.duration:g} s per row; server logs in {logs}")
        patience = Patience(options.patience)
        for case in cases:
            await patience.wait_until_quiet()
            row = await measure(case, server, dsn, options)
            if row.disturbed and patience.left() > options.warmup + options.duration:
                print("  (other processes were busy: measuring that row again)")
                await patience.wait_until_quiet()
                with patience.spending():
                    again = await measure(case, server, dsn, options)
                row = min(row, again, key=lambda r: r.other_cpu / r.result.duration_s)
            rows.append(row)
    finally:
        server.stop()

    _, version = await backend_pids(dsn)
    info = machine()
    took = time.monotonic() - began
    failed = [f"{r.case.name} ({dict(r.result.statuses)}, {r.result.errors} errors)"
              for r in rows if r.failures]
    busy = [r.case.name for r in rows if r.disturbed]
    key = next(r for r in rows if r.case.name.startswith("Key"))
    cached = next(r for r in rows if r.case.name.startswith("Basic API user"))
    notes = []
    if failed:
        notes.append("**INVALID: unexpected statuses in " + ", ".join(failed) + ".**")
    if busy:
        notes.append(f"**Other processes used the CPU during {', '.join(busy)}**; req/s "
                     "of those rows is understated (CPU ms/req is less affected).")
    report = "\n".join([
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpu']} ({info['os']}), "
        f"Python {info['python']}, PostgreSQL {version}; {info['packages']}.",
        "",
        f"One app server (`workledger serve --dev`, 1 worker) on the demo data of "
        f"`{DB_NAME}`; {options.concurrency} keep-alive connections; {options.warmup:g} s "
        f"warm-up + {options.duration:g} s per row, the same request over and over; "
        "client, server and PostgreSQL on the same machine. All authenticated rows are "
        f"`GET {MISSING}` (authenticate, one indexed query, 404).",
        "",
        table(rows),
        "",
        "\"Auth cost vs unauthenticated\" is a row's server CPU ms/req minus that of "
        f"`GET {OPEN}`: it holds the scheme's work *and* everything the authenticated "
        "endpoint adds (its transaction, the customer query, dependency solving, the 404 "
        "problem answer), so it bounds the cost of authentication from above. \"vs Key\" "
        "compares the schemes on the same endpoint: there only the scheme differs.",
        "",
        "What each scheme does per request: " + "; ".join(
            f"{r.case.name}: {r.case.note}" for r in rows) + ".",
        "",
        f"Verified-password cache: one argon2 verification costs {miss_ms:.1f} ms of CPU "
        f"here (measured in the benchmark process). The Basic API user row used "
        f"{cached.cpu:.3f} ms/req, {cached.cpu - key.cpu:+.3f} ms against Key, over "
        f"{cached.result.count:,} requests: had even 1 % of them missed the cache, the row "
        f"would carry ≥{miss_ms / 100:.2f} ms/req more, so the hit rate is ~100 % (the only "
        "verification was the one request sent before the warm-up).",
        "",
        " ".join(notes + [f"Load average at the start: {load_at_start}. "
                          f"Whole run: {took:.0f} s."]),
    ])
    print("\n" + report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "auth-latest.md").write_text(report + "\n")
    (RESULTS / "auth-latest.json").write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info,
        "concurrency": options.concurrency, "duration_s": options.duration,
        "argon2_verify_cpu_ms": round(miss_ms, 2),
        "rows": [{"request": r.case.name, "path": r.case.path, "expected": r.case.expected,
                  "requests": r.result.count, "rps": round(r.result.rps, 1),
                  "p50_ms": round(r.result.percentile_ms(50), 3),
                  "p99_ms": round(r.result.percentile_ms(99), 3),
                  "server_cpu_ms_per_req": round(r.cpu, 4),
                  "postgres_cpu_ms_per_req": round(r.ms(r.db_cpu), 4),
                  "client_cpu_ms_per_req": round(r.ms(r.client_cpu), 4),
                  "other_cores": round(r.other_cpu / r.result.duration_s, 3),
                  "statuses": dict(r.result.statuses), "errors": r.result.errors}
                 for r in rows],
    }, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / 'auth-latest.md'}")
    return 1 if failed else 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Workledger authentication cost benchmark.")
    parser.add_argument("--dsn", default=os.environ.get(
        "BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, without a database name (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per row")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per row")
    parser.add_argument("--patience", type=float, default=30.0,
                        help="extra seconds the run may spend waiting out other processes")
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="cap on requests per warm-up or measurement")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse_args()
    os.chdir(ROOT)
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main(options)))
    sys.exit(uvloop.run(main(options)))
