"""The operations domain on PostgreSQL: deliveries, order ingest, order reads (issue 8).

    .venv/bin/python bench/domain.py                      # all three scenarios
    .venv/bin/python bench/domain.py --orders 2000 --duration 5   # quicker

1. **deliver**: one order of 200 lines — 10 lines of a unique item (5 units each, so 50
   serials), grouped lines (a main unit and its parts), stock goods, consumables and
   parts — delivered with ``POST /v1/orders/{id}/deliver``. Milliseconds per delivery
   (median of ``--deliveries`` orders), and the statements one delivery issues, counted
   from the SQL echo of a second server; the count is compared with a delivery of 20
   lines of the same mix, since it must not grow with the line count.
2. **ingest**: ``--orders`` orders of 5 lines through ``POST /v1/orders`` from 16
   concurrent clients: orders per second and the server's CPU per order.
3. **get** / **list**: ``GET /v1/orders/{id}`` of orders with 20 lines, and a filtered
   page of 50 orders (``status=open&order_date=gte:2026-01-01&sort=-order_date``), with
   the closed-loop load generator of bench/run.py: req/s and server CPU per request.

One server process (``workledger serve --dev``, uvicorn, 1 worker); PostgreSQL and the
load generator run on the same machine. Prints a markdown table and writes it to
bench/results/domain.md. Never a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from loadgen import build_request, load
from run import (
    HOST,
    RESULTS,
    Server,
    app_statements,
    cpu_seconds,
    free_port,
    machine,
    recreate_database,
    run_cli,
    server_env,
)

BIN = Path(sys.executable).parent
DB_NAME = "workledger_bench_domain"
LIST_PATH = "/v1/orders?status=open&order_date=gte:2026-01-01&sort=-order_date&per_page=50"


def start(env: dict[str, str], logs: Path, name: str) -> Server:
    port = free_port()
    command = [str(BIN / "workledger"), "serve", "--dev", "--port", str(port)]
    return Server(name, command, env, logs / f"{name}.log", port).start()


class Api:
    """The few calls the scenarios make, each checked: a benchmark of failures is void."""

    def __init__(self, port: int, key: str) -> None:
        self.client = httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=120,
                                        headers={"Authorization": f"Key {key}"})

    async def call(self, method: str, path: str, body=None, expect=(200, 201)) -> dict:
        response = await self.client.request(method, path, json=body)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    async def close(self) -> None:
        await self.client.aclose()


async def catalogue(api: Api) -> dict[str, int]:
    """Items of every kind, stocked: unique units arrive by purchase-order receipt (with
    their serials), the rest by stock adjustments."""
    kinds = {"unique": "HP-200 heat pump", "part": "Mounting kit", "stock_goods": "Filter",
             "consumable": "Refrigerant (kg)"}
    items = {}
    for kind, name in kinds.items():
        items[kind] = (await api.call("POST", "/v1/items", {
            "number": f"B-{kind}", "name": name, "kind": kind, "sales_price": "100.00",
            "tax_rate": "25"}))["id"]
    return items


async def stock_up(api: Api, items: dict[str, int], supplier_id: int, units: int,
                   prefix: str, quantity: int) -> None:
    serials = [f"{prefix}-{n:06d}" for n in range(units)]
    for start_at in range(0, units, 500):
        chunk = serials[start_at:start_at + 500]
        po = await api.call("POST", "/v1/purchase-orders", {
            "supplier_id": supplier_id,
            "lines": [{"item_id": items["unique"], "quantity": len(chunk),
                       "serial_numbers": chunk}]})
        await api.call("POST", f"/v1/purchase-orders/{po['id']}/receive")
    for kind in ("part", "stock_goods", "consumable"):
        await api.call("POST", "/v1/stock-movements", {
            "type": "adjustment", "item_id": items[kind], "quantity": str(quantity),
            "comment": "bench stock"})


def delivery_lines(items: dict[str, int], size: int, serials: list[str]) -> list[dict]:
    """``size`` lines: a tenth unique (5 units each, with serials), a group of a main
    unit and two parts per ten lines, and the rest stock goods and consumables."""
    lines, unique_lines = [], size // 20
    for n in range(unique_lines):
        taken = [serials.pop() for _ in range(5)]
        lines.append({"item_id": items["unique"], "quantity": 5, "process": 2,
                      "serial_numbers": taken, "properties": {"site": f"Bygg {n}"}})
    for n in range(size // 10):
        lines.append({"item_id": items["unique"], "quantity": 1, "process": 3,
                      "group": f"g{n}", "main": True, "serial_numbers": [serials.pop()]})
        if len(lines) < size:
            lines.append({"item_id": items["part"], "quantity": 2, "process": 2,
                          "group": f"g{n}", "main": False})
    kinds = ("stock_goods", "consumable", "part")
    while len(lines) < size:
        kind = kinds[len(lines) % 3]
        lines.append({"item_id": items[kind], "quantity": 1 if kind != "consumable" else "2.5",
                      "process": 1})
    return lines[:size]


async def deliver_once(api: Api, customer_id: int, lines: list[dict]) -> float:
    order = await api.call("POST", "/v1/orders", {"customer_id": customer_id, "lines": lines})
    started = time.perf_counter()
    await api.call("POST", f"/v1/orders/{order['id']}/deliver")
    return (time.perf_counter() - started) * 1000


async def count_statements(server: Server, api: Api, customer_id: int, lines: list[dict]
                           ) -> int:
    order = await api.call("POST", "/v1/orders", {"customer_id": customer_id, "lines": lines})
    before = len(app_statements(server.output()))
    await api.call("POST", f"/v1/orders/{order['id']}/deliver")
    await asyncio.sleep(0.3)  # the log is written by the server process
    return len(app_statements(server.output())) - before


async def ingest(port: int, key: str, customer_id: int, items: dict[str, int], orders: int,
                 concurrency: int, server: Server) -> tuple[float, float]:
    body = {"customer_id": customer_id, "lines": [
        {"item_id": items[kind], "quantity": 1}
        for kind in ("stock_goods", "part", "consumable", "stock_goods", "part")]}
    queue = iter(range(orders))
    failures = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60,
                                     headers={"Authorization": f"Key {key}"}) as http:
            for n in queue:
                response = await http.post("/v1/orders", json={**body, "reference": f"i{n}"})
                if response.status_code != 201:
                    failures.append(response.status_code)

    cpu_before, started = cpu_seconds(server.pid), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server.pid) - cpu_before
    if failures:
        raise RuntimeError(f"ingest: {len(failures)} failed, e.g. {failures[:5]}")
    return orders / elapsed, cpu / orders * 1000


async def reads(server: Server, key: str, paths: list[str], options) -> tuple[float, float]:
    requests = [build_request(HOST, server.port, path, {"Authorization": f"Key {key}"})
                for path in paths]
    kwargs = {"concurrency": options.concurrency, "max_requests": 500_000}
    await load(HOST, server.port, requests, duration_s=2, **kwargs)
    before = cpu_seconds(server.pid)
    result = await load(HOST, server.port, requests, duration_s=options.duration, **kwargs)
    cpu = cpu_seconds(server.pid) - before
    if set(result.statuses) != {200} or result.errors:
        raise RuntimeError(f"reads: {dict(result.statuses)}, {result.errors} errors")
    return result.rps, cpu / result.count * 1000


async def main(options) -> int:
    dsn = options.dsn.rstrip("/")
    await recreate_database(dsn, DB_NAME)
    env = server_env(dsn, DB_NAME)
    run_cli(env, "migrate")
    key = json.loads(run_cli(env, "demo", "--json"))["company"]["company_key"]
    logs = Path(tempfile.mkdtemp(prefix="workledger-bench-domain-"))
    server = start(env, logs, "app")
    echo = start({**env, "WORKLEDGER_ECHO_SQL": "true"}, logs, "app-echo")
    api = Api(server.port, key)
    rows = []
    try:
        items = await catalogue(api)
        supplier = (await api.call("POST", "/v1/suppliers", {"company_name": "Bench Supply AS"}))
        customer = (await api.call("POST", "/v1/customers", {"company_name": "Bench Kunde AS"}))
        units = options.deliveries * 70 + 200
        await stock_up(api, items, supplier["id"], units, "SN", 10_000_000)
        serials = [f"SN-{n:06d}" for n in range(units)]

        timings = [await deliver_once(api, customer["id"], delivery_lines(items, 200, serials))
                   for _ in range(options.deliveries)]
        echo_api = Api(echo.port, key)
        big = await count_statements(echo, echo_api, customer["id"],
                                     delivery_lines(items, 200, serials))
        small = await count_statements(echo, echo_api, customer["id"],
                                       delivery_lines(items, 20, serials))
        await echo_api.close()
        echo.stop()
        rows.append(("deliver an order of 200 lines", f"{statistics.median(timings):.0f} ms "
                     f"(median of {len(timings)})", f"{big} statements (20 lines: {small})"))
        print(rows[-1], flush=True)

        rate, cpu = await ingest(server.port, key, customer["id"], items, options.orders,
                                 options.concurrency, server)
        rows.append((f"ingest {options.orders} orders of 5 lines, {options.concurrency} "
                     "clients", f"{rate:.0f} orders/s", f"{cpu:.2f} server CPU ms/order"))
        print(rows[-1], flush=True)

        twenty = [await api.call("POST", "/v1/orders", {
            "customer_id": customer["id"], "lines": delivery_lines(items, 20, serials)[2:]
            + [{"item_id": items["stock_goods"], "quantity": 1}] * 2})
            for _ in range(50)]
        rate, cpu = await reads(server, key, [f"/v1/orders/{o['id']}" for o in twenty],
                                options)
        rows.append(("GET /v1/orders/{id} (20 lines)", f"{rate:.0f} req/s",
                     f"{cpu:.2f} server CPU ms/req"))
        print(rows[-1], flush=True)
        rate, cpu = await reads(server, key, [LIST_PATH], options)
        rows.append((f"GET {LIST_PATH}", f"{rate:.0f} req/s", f"{cpu:.2f} server CPU ms/req"))
        print(rows[-1], flush=True)
    finally:
        await api.close()
        server.stop()
        echo.stop()
    info = machine()
    text = "\n".join([
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {info['cpu']}, "
        f"{info['os']}, Python {info['python']} ({info['packages']}); PostgreSQL and the "
        "load generator on the same machine, one server process.",
        "",
        "| scenario | throughput / time | cost |", "|---|--:|--:|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows), ""])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "domain.md").write_text(text)
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
