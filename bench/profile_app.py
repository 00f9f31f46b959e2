"""A profile of the app's hot path: where the Python of one request goes (issue 13).

Creates its own database ``workledger_bench_profile`` (dropped and recreated; migrate,
demo, ``--customers`` seeded as ``bench/run.py`` seeds them), builds the app in this
process (``create_app``, its lifespan run) and calls it as an ASGI application —
no HTTP server, no socket: what is profiled is the app itself (middleware, routing,
dependencies, authentication, rate limit, SQL, rendering) plus the database driver.

For each scenario: a warm-up, then ``--requests`` requests, ``--concurrency`` at a
time, under ``cProfile``. It prints the CPU per request (process time, profiler
off, a second pass) and the share of the profiled time spent in each package, each
function's own time given to the package its code lives in (the innermost library on
the stack, like a sampling profiler's "self" view), then the top functions.

```sh
.venv/bin/python bench/profile_app.py                     # get and list, 20,000 customers
.venv/bin/python bench/profile_app.py --scenario get --top 30
```
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run as bench_run  # noqa: E402  (bench/run.py: database, demo and seeding)

DB_NAME = "workledger_bench_profile"

PACKAGES = ("sqlalchemy", "fastapi", "starlette", "pydantic_core", "pydantic", "asyncpg",
            "aiosqlite", "uvicorn", "limits", "anyio", "orjson", "workledger", "asyncio",
            "uvloop", "json", "logging", "http", "urllib", "hashlib", "hmac", "typing")


def package_of(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    parts = Path(filename).parts
    for name in PACKAGES:
        if name in parts:
            return name
    return "other"


async def call(app, method: str, path: str, headers: dict[str, str],
               body: bytes = b"") -> tuple[int, bytes]:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": raw_path,
        "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"127.0.0.1:8000")]
        + ([(b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())] if body else []),
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def drive(app, calls, count: int, concurrency: int) -> None:
    queue = iter(range(count))

    async def worker():
        for n in queue:
            method, path, headers, body = calls[n % len(calls)]
            status, answer = await call(app, method, path, headers, body)
            if status != 200:
                raise RuntimeError(f"{method} {path}: {status} {answer[:300]!r}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def main(options) -> int:
    dsn = options.dsn.rstrip("/")
    env = bench_run.server_env(dsn, DB_NAME)
    bench_run.DB_NAME = DB_NAME
    print(f"== database {DB_NAME}: create, migrate, demo, seed {options.customers:,} customers")
    await bench_run.recreate_database(dsn, DB_NAME)
    bench_run.run_cli(env, "migrate")
    demo = json.loads(bench_run.run_cli(env, "demo", "--json"))
    company_id, key = demo["company"]["id"], demo["company"]["company_key"]
    seeded = await bench_run.seed(dsn, company_id, options.customers)
    os.environ.update({k: v for k, v in env.items() if k.startswith("WORKLEDGER_")})
    os.environ["WORKLEDGER_DEV"] = "true"  # as `workledger serve --dev`: plain HTTP

    from workledger.app import create_app

    app = create_app()
    auth = {"Authorization": f"Key {key}", "Accept": "application/json"}
    ids = list(seeded["ids"])[:2000]
    contacts = [{"first_name": "Ada", "last_name": "Lovelace"},
                {"first_name": "Alan", "last_name": "Turing"}]
    scenarios = {
        "get": [("GET", f"/v1/customers/{i}", auth, b"") for i in ids],
        "list": [("GET", bench_run.LIST_PATH, auth, b"")],
        "item": [("GET", f"/v1/items/{seeded['item_id']}", auth, b"")],
        "create": [("POST", "/v1/customers", auth, json.dumps(
            {"company_name": "Profile AS", "contacts": contacts}).encode())],
        "patch": [("PATCH", f"/v1/customers/{ids[0]}", auth,
                   json.dumps({"comment": f"profile {n}"}).encode()) for n in range(2)],
    }
    chosen = options.scenario or list(scenarios)
    async with app.router.lifespan_context(app):
        for name in chosen:
            calls = scenarios[name]
            await drive(app, calls, options.warmup, options.concurrency)
            began = time.process_time()
            await drive(app, calls, options.requests, options.concurrency)
            cpu_ms = (time.process_time() - began) * 1000 / options.requests
            profiler = cProfile.Profile()
            profiler.enable()
            await drive(app, calls, options.requests, options.concurrency)
            profiler.disable()
            stats = pstats.Stats(profiler)
            own: dict[str, float] = defaultdict(float)
            total = 0.0
            for (filename, _line, function), (_cc, _nc, tt, _ct, _callers) in \
                    stats.stats.items():  # type: ignore[attr-defined]
                if function in ("select", "poll", "epoll.poll", "<method 'poll' of "
                                "'select.epoll' objects>") or "epoll" in function:
                    continue  # waiting for the database, not work
                own[package_of(filename)] += tt
                total += tt
            print(f"\n== {name}: {options.requests} requests, concurrency "
                  f"{options.concurrency}: {cpu_ms:.3f} ms CPU per request (unprofiled; "
                  "this process only, PostgreSQL apart)")
            for package, seconds in sorted(own.items(), key=lambda kv: -kv[1]):
                print(f"  {package:<16} {100 * seconds / total:5.1f} %")
            if options.top:
                stats.sort_stats("tottime").print_stats(options.top)
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get(
        "BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--scenario", action="append",
                        choices=("get", "list", "item", "create", "patch"))
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    return parser.parse_args(argv)


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main(parse_args())))
    sys.exit(uvloop.run(main(parse_args())))
