"""How long a sandbox restore takes, and what it costs production (docs/sandbox.md).

Fills a fresh production database with customers and contacts, then restores the sandbox
from it while a writer keeps updating production (one UPDATE every 10 ms) and reports:
the restore's seconds, how long it held its snapshot of production, and the slowest
production write during the restore (a lock on production would show there).

    .venv/bin/python bench/sandbox_restore.py --customers 100000 --contacts 112000
    .venv/bin/python bench/sandbox_restore.py --postgres postgresql+asyncpg://u@host/scratch

The PostgreSQL database named is dropped and made anew, and its sandbox copies with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workledger.config import Settings  # noqa: E402
from workledger.kit.db import Database  # noqa: E402
from workledger.models import Company, Contact, Customer  # noqa: E402
from workledger.sandbox.restore import _dsn, drop_copies, restore  # noqa: E402


async def fresh_postgres(url: str) -> None:
    import asyncpg

    name = make_url(url).database
    admin = await asyncpg.connect(_dsn(make_url(url).set(database="postgres")
                                       .render_as_string(hide_password=False)))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def fill(url: str, customers: int, contacts: int) -> None:
    database = Database(url)
    try:
        async with database.session() as session:
            company = Company(name="Bench company", api_access=True)
            session.add(company)
            await session.flush()
            company_id = company.id
        for start in range(0, customers, 5000):
            async with database.session() as session:
                await session.execute(insert(Customer), [
                    {"company_id": company_id, "company_name": f"Customer {n}",
                     "email": f"c{n}@bench.example", "import_id": f"C{n}"}
                    for n in range(start, min(customers, start + 5000))])
        for start in range(0, contacts, 5000):
            async with database.session() as session:
                await session.execute(insert(Contact), [
                    {"company_id": company_id, "customer_id": 1 + n % customers,
                     "first_name": f"Contact {n}", "email": f"p{n}@bench.example"}
                    for n in range(start, min(contacts, start + 5000))])
    finally:
        await database.dispose()


async def measure(url: str, sandbox_url: str) -> dict:
    database = Database(url)
    latencies: list[float] = []
    stop = asyncio.Event()

    async def writer() -> None:
        n = 0
        while not stop.is_set():
            began = time.perf_counter()
            async with database.session() as session:
                await session.execute(update(Company).where(Company.id == 1)
                                      .values(name=f"Bench company {n}"))
            latencies.append(time.perf_counter() - began)
            n += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.2)
    before = len(latencies)
    summary = await restore(url, sandbox_url, trigger="command")
    during = latencies[before:]
    stop.set()
    await task
    await database.dispose()
    return {
        "rows": summary.total_rows, "seconds": round(summary.seconds, 2),
        "snapshot_seconds": round(summary.snapshot_seconds, 2),
        "writes_during": len(during),
        "slowest_write_ms": round(max(during, default=0) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=112_000)
    parser.add_argument("--postgres", help="a scratch database URL (dropped and made anew)")
    args = parser.parse_args()
    if args.postgres:
        url = args.postgres
        asyncio.run(fresh_postgres(url))
    else:
        folder = tempfile.mkdtemp(prefix="workledger-sandbox-bench-")
        url = f"sqlite+aiosqlite:///{folder}/workledger.db"
    env = {**os.environ, "WORKLEDGER_DATABASE_URL": url, "WORKLEDGER_SECRET_KEY": "bench",
           "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-m", "workledger.cli", "migrate", "--no-sandbox"],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    sandbox_url = Settings(database_url=url).resolved_sandbox_database_url()
    began = time.perf_counter()
    asyncio.run(fill(url, args.customers, args.contacts))
    print(f"filled {args.customers} customers, {args.contacts} contacts in "
          f"{time.perf_counter() - began:.1f} s")
    for attempt in (1, 2):
        print(f"restore {attempt}:", asyncio.run(measure(url, sandbox_url)))
    if args.postgres:
        asyncio.run(drop_copies(url, sandbox_url))


if __name__ == "__main__":
    main()
