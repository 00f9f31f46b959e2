"""A small closed-loop HTTP/1.1 load generator on raw asyncio protocols.

``concurrency`` keep-alive connections each send one request, wait for the whole
response and send the next, until a deadline or a request budget is reached (both
always bounded). There are no coroutines or futures per request, only a protocol
callback, so the client costs a few tens of microseconds of CPU per request and leaves
the cores to the server and PostgreSQL. Latency is measured from the write of the
request to the last byte of its response. Only ``Content-Length`` bodies are
understood (what uvicorn sends for these endpoints); anything else counts as an error.
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_HEAD = 64 * 1024


@dataclass
class Result:
    duration_s: float
    latencies_ns: array = field(default_factory=lambda: array("q"))
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies_ns)

    @property
    def rps(self) -> float:
        return self.count / self.duration_s if self.duration_s else 0.0

    def percentile_ms(self, p: float) -> float:
        if not self.latencies_ns:
            return float("nan")
        ordered = sorted(self.latencies_ns)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] / 1e6


def build_request(host: str, port: int, path: str, headers: dict[str, str],
                  method: str = "GET", body: bytes | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


class _Run:
    def __init__(self, requests: Sequence[bytes], deadline_ns: int, budget: int,
                 connections: int, loop: asyncio.AbstractEventLoop) -> None:
        self.requests = requests
        self.deadline_ns = deadline_ns
        self.budget = budget
        self.sent = 0
        self.open = connections
        self.result = Result(0.0)
        self.done = loop.create_future()

    def next_request(self, offset: int) -> bytes | None:
        if self.sent >= self.budget or time.perf_counter_ns() >= self.deadline_ns:
            return None
        self.sent += 1
        return self.requests[(offset + self.sent) % len(self.requests)]

    def closed(self) -> None:
        self.open -= 1
        if self.open == 0 and not self.done.done():
            self.done.set_result(None)


class _Connection(asyncio.Protocol):
    def __init__(self, run: _Run, offset: int) -> None:
        self.run = run
        self.offset = offset
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.started = 0
        self.finished = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        request = self.run.next_request(self.offset)
        if request is None:
            self._finish()
            return
        self.started = time.perf_counter_ns()
        self.transport.write(request)

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            if self.transport is not None:
                self.transport.close()
            self.run.closed()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD:
                self._error()
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self._error()
            return
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17: stop if stop >= 0 else len(head)])
        total = end + 4 + length
        if len(buffer) < total:
            return
        elapsed = time.perf_counter_ns() - self.started
        status = int(head[9:12])
        del buffer[:total]
        result = self.run.result
        result.latencies_ns.append(elapsed)
        result.statuses[status] += 1
        self._send()

    def _error(self) -> None:
        self.run.result.errors += 1
        self._finish()

    def connection_lost(self, exc) -> None:
        if not self.finished:
            self.run.result.errors += 1
            self._finish()


async def load(host: str, port: int, requests: Sequence[bytes], *, concurrency: int,
               duration_s: float, max_requests: int) -> Result:
    """Closed-loop load: ``concurrency`` connections until ``duration_s`` or ``max_requests``."""
    loop = asyncio.get_running_loop()
    start = time.perf_counter_ns()
    run = _Run(requests, start + int(duration_s * 1e9), max_requests, concurrency, loop)
    stride = max(1, len(requests) // concurrency)
    for i in range(concurrency):
        try:
            await loop.create_connection(lambda i=i: _Connection(run, i * stride), host, port)
        except OSError:
            run.result.errors += 1
            run.closed()
    # Every connection stops by itself at the deadline; the timeout only guards a hang.
    try:
        await asyncio.wait_for(asyncio.shield(run.done), duration_s + 30)
    except TimeoutError:
        run.result.errors += run.open
    run.result.duration_s = (time.perf_counter_ns() - start) / 1e9
    return run.result
