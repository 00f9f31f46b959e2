"""The goods-owner SOAP API on PostgreSQL (issue 9): ``GetOrdersByQuery`` answering 100
orders, and ``ProcessOrder`` creating an order of 20 lines, beside the same work over
REST (``GET /v1/orders?per_page=100``, ``POST /v1/orders`` with 20 lines).

    .venv/bin/python bench/soap.py                   # 8 clients, 10 s per scenario
    .venv/bin/python bench/soap.py --concurrency 4 --duration 5

A fresh database (``workledger_bench_soap``), ``workledger migrate`` and ``demo``, one
server process (``workledger serve --dev``: uvicorn, 1 worker), 100 orders of 5 lines
made over REST for one customer. Each scenario: 2 s of warm-up, then ``--duration`` s of
``--concurrency`` keep-alive clients in a closed loop; every answer is checked (HTTP 200,
``Success`` true, 100 orders), a failure voids the run. Requests per second and the
server's CPU per call (``/proc/<pid>/stat``). PostgreSQL and the clients (httpx, in this
process) share the machine. Prints a markdown table and writes bench/results/soap.md.
Never a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from domain import Api, start
from lxml import etree
from run import HOST, RESULTS, cpu_seconds, machine, recreate_database, run_cli, server_env

DB_NAME = "workledger_bench_soap"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:workledger:goodsowner:1"
ORDERS, LINES_PER_ORDER, BIG_ORDER = 100, 5, 20


def envelope(operation: str, soap: dict, inner: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
            f'<soap:Body><{operation} xmlns="{NS}">'
            f"<GoodsOwnerCode>{soap['goods_owner_code']}</GoodsOwnerCode>"
            f"<UserName>{soap['username']}</UserName><Password>{soap['password']}</Password>"
            f"{inner}</{operation}></soap:Body></soap:Envelope>").encode()


def soap_check(expected_orders: int | None) -> Callable[[httpx.Response], None]:
    def check(response: httpx.Response) -> None:
        if response.status_code != 200:
            raise RuntimeError(f"SOAP: {response.status_code} {response.text[:500]}")
        root = etree.fromstring(response.content)
        if expected_orders is not None:
            found = len(root.findall(f".//{{{NS}}}Order"))
            if found != expected_orders:
                raise RuntimeError(f"GetOrdersByQuery: {found} orders, not {expected_orders}")
        elif root.findtext(f".//{{{NS}}}Success") != "true":
            raise RuntimeError(f"ProcessOrder: {response.text[:500]}")
    return check


def rest_check(expected: int | None) -> Callable[[httpx.Response], None]:
    def check(response: httpx.Response) -> None:
        if response.status_code not in (200, 201):
            raise RuntimeError(f"REST: {response.status_code} {response.text[:500]}")
        if expected is not None and len(response.json()) != expected:
            raise RuntimeError(f"REST: {len(response.json())} orders, not {expected}")
    return check


async def measure(port: int, pid: int, request: dict, check, options) -> tuple[float, float]:
    """``(calls per second, server CPU ms per call)`` of ``request`` (httpx.request
    keyword arguments) sent by ``--concurrency`` clients for ``--duration`` seconds."""

    async def clients(seconds: float) -> int:
        deadline = time.perf_counter() + seconds
        done = 0

        async def client() -> None:
            nonlocal done
            async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=120) as http:
                while time.perf_counter() < deadline:
                    check(await http.request(**request))
                    done += 1

        await asyncio.gather(*(client() for _ in range(options.concurrency)))
        return done

    await clients(2)
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    calls = await clients(options.duration)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    return calls / elapsed, cpu / calls * 1000


async def main(options) -> int:
    dsn = options.dsn.rstrip("/")
    await recreate_database(dsn, DB_NAME)
    env = server_env(dsn, DB_NAME)
    run_cli(env, "migrate")
    demo = json.loads(run_cli(env, "demo", "--json"))
    soap, key = demo["soap"], demo["company"]["company_key"]
    server = start(env, Path(tempfile.mkdtemp(prefix="workledger-bench-soap-")), "app")
    api = Api(server.port, key)
    rows = []
    try:
        customer = await api.call("POST", "/v1/customers", {"company_name": "Bench Kunde AS"})
        articles = ["FILTER-10", "PIPE-15", "GAS-R32"]
        for n in range(ORDERS):
            await api.call("POST", "/v1/orders", {"customer_id": customer["id"], "lines": [
                {"item_number": articles[(n + i) % 3], "quantity": 1 + i}
                for i in range(LINES_PER_ORDER)]})
        big_lines = "".join(
            f"<Line><ArticleNumber>{articles[i % 3]}</ArticleNumber>"
            f"<Quantity>{1 + i}</Quantity></Line>" for i in range(BIG_ORDER))
        xml = {"method": "POST", "url": "/soap/goodsowner",
               "headers": {"Content-Type": "text/xml; charset=utf-8"}}
        rest = {"headers": {"Authorization": f"Key {key}"}}
        scenarios = [
            (f"SOAP GetOrdersByQuery, {ORDERS} orders of {LINES_PER_ORDER} lines",
             {**xml, "content": envelope("GetOrdersByQuery", soap,
                                         f"<Query><CustomerId>{customer['id']}</CustomerId>"
                                         f"<PerPage>{ORDERS}</PerPage></Query>")},
             soap_check(ORDERS)),
            (f"REST GET /v1/orders?customer_id=…&per_page={ORDERS} (the same orders)",
             {"method": "GET", "url": "/v1/orders",
              "params": {"customer_id": customer["id"], "per_page": ORDERS}, **rest},
             rest_check(ORDERS)),
            (f"SOAP ProcessOrder, a new order of {BIG_ORDER} lines",
             {**xml, "content": envelope("ProcessOrder", soap,
                                         f"<Order><CustomerId>{customer['id']}</CustomerId>"
                                         f"<Lines>{big_lines}</Lines></Order>")},
             soap_check(None)),
            (f"REST POST /v1/orders, a new order of {BIG_ORDER} lines",
             {"method": "POST", "url": "/v1/orders", "json": {
                 "customer_id": customer["id"], "lines": [
                     {"item_number": articles[i % 3], "quantity": 1 + i}
                     for i in range(BIG_ORDER)]}, **rest},
             rest_check(None)),
        ]
        for name, request, check in scenarios:
            rate, cpu = await measure(server.port, server.pid, request, check, options)
            rows.append((name, f"{rate:,.0f} req/s", f"{cpu:.2f} server CPU ms/call"))
            print(rows[-1], flush=True)
    finally:
        await api.close()
        server.stop()
    info = machine()
    text = "\n".join([
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {info['cpu']}, "
        f"{info['os']}, Python {info['python']} ({info['packages']}); PostgreSQL and the "
        f"clients on the same machine, one server process; {options.concurrency} clients, "
        f"{options.duration:g} s per row.",
        "",
        "| scenario | throughput | cost |", "|---|--:|--:|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows), ""])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soap.md").write_text(text)
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
