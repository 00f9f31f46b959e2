"""The safe flow of ``GetWorkorders`` (``update_status=false``, process, then confirm
each with ``GetWorkorder``) loses nothing when a poller dies (issue 9, docs/connector.md):
one poller is killed with SIGKILL while it works through the list, another drops its
connection in the middle of an answer, and a third, healthy one then finishes. Every
work order ends Afgehandeld, and none became Afgehandeld without a poller having
processed it first. The price of the safe flow is at-least-once: a poller killed between
processing and confirming leaves that work order to be processed again."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.connector.test_exactly_once import completed_work_orders
from tests.live import serve_in_thread
from workledger.app import create_app
from workledger.models import WorkOrder

WORK_ORDERS = 120
#: The victim dies after this many: inside its fourth page of 10, where the unsafe flow
#: (update_status=true on the list) would have lost the rest of that page.
KILL_AFTER = 33

#: A package's poller: the safe flow, writing each work order it processed (and flushing
#: it to disk) before confirming it.
POLLER = textwrap.dedent("""
    import os, sys, httpx
    base, token, done_file = sys.argv[1], sys.argv[2], sys.argv[3]
    url = base + "/openapi/1/{}/"
    with httpx.Client(timeout=30) as http, open(done_file, "a") as done:
        while True:
            todo = http.get(url.format("GetWorkorders"), params={
                "token": token, "update_status": "false", "limit": 10}).json()["response"]
            if not todo:
                break
            for work_order in todo:
                done.write(f"{work_order['row_id']}\\n")   # processed ...
                done.flush()
                os.fsync(done.fileno())
                answer = http.get(url.format("GetWorkorder"), params={   # ... then confirmed
                    "token": token, "row_id": work_order["row_id"], "update_status": "true"})
                assert answer.json()["response"]["Status"] == "Afgehandeld", answer.text
""")


def processed(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def drop_mid_answer(base: str, token: str) -> int:
    """Ask for every Compleet work order, read the first bytes of the answer and hang
    up; answers how many bytes were read."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall((f"GET /openapi/1/GetWorkorders/?token={token}&update_status=false"
                      f"&limit=500 HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n").encode())
        return len(sock.recv(2048))


def run_pollers(server, token: str, victim_file: Path, survivor_file: Path) -> None:
    """The victim, the hang-up and the survivor against ``server`` on a real socket."""
    with serve_in_thread(server, "uvicorn-pollers") as base:
        # One dies at a random point of its work: between processing and confirming,
        # inside a call, or between two calls.
        victim = subprocess.Popen([sys.executable, "-c", POLLER, base, token, str(victim_file)])
        deadline = time.monotonic() + 60
        while len(processed(victim_file)) < KILL_AFTER:
            assert victim.poll() is None, "the poller ended before it was killed"
            assert time.monotonic() < deadline, "the poller made no progress"
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        # Another hangs up in the middle of an answer.
        assert drop_mid_answer(base, token) > 0
        survivor = subprocess.run([sys.executable, "-c", POLLER, base, token,
                                   str(survivor_file)], timeout=120, capture_output=True)
        assert survivor.returncode == 0, survivor.stderr.decode()


async def test_a_poller_killed_in_the_safe_flow_loses_nothing(settings, app, acme,
                                                               connector_token, tmp_path):
    await completed_work_orders(app, acme.id, WORK_ORDERS)
    token = await connector_token(acme)
    victim_file, survivor_file = tmp_path / "victim.txt", tmp_path / "survivor.txt"
    await asyncio.to_thread(run_pollers, create_app(settings), token, victim_file,
                            survivor_file)
    # Read through the test's own app: the server's pool belongs to its thread's loop.
    async with app.state.database.session() as session:
        statuses = dict((await session.execute(
            select(WorkOrder.id, WorkOrder.status)
            .where(WorkOrder.company_id == acme.id))).all())
    victim_done, survivor_done = processed(victim_file), processed(survivor_file)
    assert len(statuses) == WORK_ORDERS
    assert set(statuses.values()) == {"handled"}  # nothing left behind
    # Handled only after being processed: every one was processed by a poller.
    assert set(victim_done) | set(survivor_done) == set(statuses)
    # The survivor did the rest, and re-did at most the one the victim died on.
    assert len(set(victim_done) & set(survivor_done)) <= 1
    assert victim_done and survivor_done
