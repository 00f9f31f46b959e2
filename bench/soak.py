"""A soak at the benchmark's load (issue 13): does the server's memory stay flat and its
latency steady over minutes?

    .venv/bin/python bench/soak.py                  # 5 minutes, 100,000 customers
    .venv/bin/python bench/soak.py --minutes 1 --customers 20000

The database and seed of ``bench/run.py`` (``workledger_bench``, dropped and recreated),
one ``workledger serve --dev`` process (uvicorn, 1 worker), 16 keep-alive connections in
a closed loop sending a mix like an integration's: 8 of 10 requests
``GET /v1/customers/{id}`` (random ids), 1 the filtered list page, 1 a ``PATCH`` of a
customer's comment. After a 10 s warm-up, one row per minute: requests per second, p50
and p99 latency, non-200 answers, and the server's resident memory (``VmRSS``) at the end
of the minute. Every answer must be 200 (the run fails otherwise). Prints a markdown
table and writes bench/results/soak.md. Never a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from loadgen import build_request, load
from run import (
    BIN,
    HOST,
    LIST_PATH,
    RESULTS,
    Server,
    free_port,
    machine,
    recreate_database,
    run_cli,
    seed,
    server_env,
)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def main(options) -> int:
    dsn = options.dsn.rstrip("/")
    env = server_env(dsn)
    await recreate_database(dsn)
    run_cli(env, "migrate")
    demo = json.loads(run_cli(env, "demo", "--json"))
    seeded = await seed(dsn, demo["company"]["id"], options.customers)
    auth = {"Authorization": f"Key {demo['company']['company_key']}",
            "Accept": "application/json"}
    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="workledger-bench-soak-"))
    server = Server("app", [str(BIN / "workledger"), "serve", "--dev", "--port", str(port)],
                    env, logs / "app.log", port).start()
    rng = random.Random(11)
    requests = []
    for n in range(2000):
        if n % 10 == 8:
            requests.append(build_request(HOST, port, LIST_PATH, auth))
        elif n % 10 == 9:
            body = json.dumps({"comment": f"soak {n}"}).encode()
            requests.append(build_request(HOST, port, f"/v1/customers/{rng.choice(seeded['ids'])}",
                                          auth, "PATCH", body))
        else:
            requests.append(build_request(HOST, port,
                                          f"/v1/customers/{rng.choice(seeded['ids'])}", auth))
    kwargs = {"concurrency": options.concurrency, "max_requests": 10_000_000}
    rows = []
    try:
        await load(HOST, port, requests, duration_s=10, **kwargs)
        start_rss = rss_mib(server.pid)
        print(f"after the warm-up: {start_rss:.1f} MiB resident", flush=True)
        for minute in range(1, options.minutes + 1):
            result = await load(HOST, port, requests, duration_s=60, **kwargs)
            failed = sum(count for status, count in result.statuses.items() if status != 200)
            rows.append((minute, result.rps, result.percentile_ms(50), result.percentile_ms(99),
                         failed + result.errors, rss_mib(server.pid)))
            print(rows[-1], flush=True)
    finally:
        server.stop()
    info = machine()
    text = "\n".join([
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {info['cpu']}, "
        f"{info['os']}, Python {info['python']}; PostgreSQL and the load generator on the "
        f"same machine, one server process, {options.concurrency} connections, "
        f"{options.customers:,} customers; resident memory after the 10 s warm-up: "
        f"{start_rss:.1f} MiB.",
        "",
        "| minute | req/s | p50 ms | p99 ms | not 200 | resident MiB at its end |",
        "|--:|--:|--:|--:|--:|--:|",
        *(f"| {m} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {bad} | {rss:.1f} |"
          for m, rps, p50, p99, bad, rss in rows), ""])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.md").write_text(text)
    return 1 if any(row[4] for row in rows) else 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
