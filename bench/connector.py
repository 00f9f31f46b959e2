"""The connector's ``GetWorkorders`` on PostgreSQL: pollers handing over completed work
orders (issue 9).

    .venv/bin/python bench/connector.py                   # 8 pollers, 20,000 work orders
    .venv/bin/python bench/connector.py --work-orders 4000 --pollers 2

``--work-orders`` completed work orders are posted through ``PostWorkorders`` (500 per
call, ``Status: Compleet``), then ``--pollers`` concurrent clients call
``GetWorkorders?limit=<--limit>`` until it answers none. Work orders handed over per
second and the server's CPU per work order, for 1 poller and for ``--pollers``; every
work order must come back exactly once (the run fails otherwise). One server process
(``workledger serve --dev``, uvicorn, 1 worker); PostgreSQL and the pollers on the same
machine. Prints a markdown table and writes it to bench/results/connector.md.
Never a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from domain import start
from run import HOST, RESULTS, cpu_seconds, machine, recreate_database, run_cli, server_env

DB_NAME = "workledger_bench_connector"


async def post_completed(port: int, token: str, prefix: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=300) as http:
        for first in range(0, count, 500):
            body = [{"WorkorderNo": f"{prefix}-{n:06d}", "Status": "Compleet",
                     "Description": "Serviced the heat pump", "DurationMinutes": 60}
                    for n in range(first, min(first + 500, count))]
            answer = await http.post(f"/openapi/1/PostWorkorders/?token={token}", json=body)
            if answer.status_code != 200:
                raise RuntimeError(f"PostWorkorders: {answer.status_code} {answer.text[:300]}")


async def poll(port: int, token: str, pollers: int, limit: int, pid: int
               ) -> tuple[Counter, float, float]:
    returned: Counter = Counter()

    async def poller() -> None:
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=300) as http:
            while True:
                answer = await http.get("/openapi/1/GetWorkorders/",
                                        params={"token": token, "limit": limit})
                if answer.status_code != 200:
                    raise RuntimeError(f"GetWorkorders: {answer.status_code} {answer.text}")
                got = answer.json()["response"]
                if not got:
                    return
                returned.update(w["row_id"] for w in got)

    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(poller() for _ in range(pollers)))
    return returned, time.perf_counter() - started, cpu_seconds(pid) - cpu_before


async def main(options) -> int:
    dsn = options.dsn.rstrip("/")
    await recreate_database(dsn, DB_NAME)
    env = server_env(dsn, DB_NAME)
    run_cli(env, "migrate")
    token = json.loads(run_cli(env, "demo", "--json"))["company"]["connector_token"]
    # The demo's own completed job is handed over first, so every round starts clean.
    server = start(env, Path(tempfile.mkdtemp(prefix="workledger-bench-connector-")), "app")
    rows = []
    try:
        await poll(server.port, token, 1, options.limit, server.pid)
        for round_, pollers in enumerate(sorted({1, options.pollers})):
            await post_completed(server.port, token, f"R{round_}", options.work_orders)
            returned, seconds, cpu = await poll(server.port, token, pollers, options.limit,
                                                server.pid)
            if len(returned) != options.work_orders or max(returned.values()) != 1:
                raise RuntimeError(f"{pollers} pollers: {len(returned)} returned, "
                                   f"{sum(returned.values())} answers")
            rows.append((f"{pollers} poller{'s' if pollers > 1 else ''}, limit "
                         f"{options.limit}", f"{options.work_orders / seconds:,.0f} work "
                         "orders/s", f"{cpu / options.work_orders * 1000:.2f} server CPU "
                         "ms/work order", "each exactly once"))
            print(rows[-1], flush=True)
    finally:
        server.stop()
    info = machine()
    text = "\n".join([
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {info['cpu']}, "
        f"{info['os']}, Python {info['python']} ({info['packages']}); PostgreSQL and the "
        f"pollers on the same machine, one server process; {options.work_orders:,} "
        "completed work orders per round.",
        "",
        "| GetWorkorders | throughput | cost | check |", "|---|--:|--:|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows), ""])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "connector.md").write_text(text)
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--work-orders", type=int, default=20_000)
    parser.add_argument("--pollers", type=int, default=8)
    parser.add_argument("--limit", type=int, default=100)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
