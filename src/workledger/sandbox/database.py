"""Which copy is the sandbox's, and switching to a new one without a caller noticing.

A restore builds a new copy beside the current one (``<base>_<n>``: a database on
PostgreSQL, a file on SQLite) and then records it in production's ``sandbox_restores``.
Every process looks that record up at most once per ``WORKLEDGER_SANDBOX_CHECK_SECONDS``
and moves to the new copy: each sandbox request is pinned, from its first byte to its
last, to the copy that was current when it arrived (:meth:`SandboxDatabase.pin`), so it
sees the old copy or the new one, never both. The old copy's engine is closed once the
requests still on it are done; the restore after next drops the copy itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from workledger.kit.db import Database

log = logging.getLogger("workledger.sandbox")

#: How long a replaced copy's engine waits for the requests still on it before closing.
RETIRE_TIMEOUT = 120.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def copy_name(base_url: str, number: int) -> str:
    """The database name (PostgreSQL) or file path (SQLite) of copy ``number``."""
    url = make_url(base_url)
    if is_sqlite(base_url):
        path = Path(url.database or "sandbox.db")
        return str(path.with_name(f"{path.stem}_{number}{path.suffix}"))
    return f"{url.database}_{number}"


def copy_pattern(base_url: str) -> re.Pattern[str]:
    """Matches the names of every copy of ``base_url`` (its number in group 1)."""
    url = make_url(base_url)
    if is_sqlite(base_url):
        path = Path(url.database or "sandbox.db")
        return re.compile(re.escape(path.stem) + r"_(\d+)" + re.escape(path.suffix) + "$")
    return re.compile(re.escape(url.database or "") + r"_(\d+)$")


def url_of(base_url: str, database: str | None) -> str:
    """The URL of a copy (``None``: the base database, before any restore)."""
    if database is None:
        return base_url
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


async def current_copy(production: Database) -> str | None:
    """The newest restore's copy, from production; ``None`` before the first restore."""
    from workledger.models import SandboxRestore

    async with production.sessions() as session:
        return await session.scalar(
            select(SandboxRestore.database).order_by(SandboxRestore.id.desc()).limit(1)
        )


class SandboxDatabase:
    """The sandbox's database, which a restore replaces: it stands where a
    :class:`Database` does (``engine``, ``sessions``, ``session()``, ``dispose()``), always
    on the current copy; a request uses the copy :meth:`pin` gave it."""

    def __init__(
        self, base_url: str, production: Database, *, echo: bool = False,
        check_seconds: float = 1.0,
    ) -> None:
        self.base_url = base_url
        self.production = production
        self.echo = echo
        self.check_seconds = check_seconds
        self.copy: str | None = None
        self.current = Database(base_url, echo=echo)
        self.current.in_flight = 0  # type: ignore[attr-defined]
        self._checked_at = float("-inf")
        self._lookup: asyncio.Future | None = None
        self._switching = asyncio.Lock()
        self._retiring: set[asyncio.Task] = set()

    # --- what a Database offers ---------------------------------------------------------
    @property
    def url(self) -> str:
        return self.current.url

    @property
    def engine(self) -> AsyncEngine:
        return self.current.engine

    @property
    def sessions(self) -> async_sessionmaker:
        return self.current.sessions

    def session(self):
        return self.current.session()

    async def dispose(self) -> None:
        for task in list(self._retiring):
            task.cancel()
        await self.current.dispose()

    # --- switching ----------------------------------------------------------------------
    async def pin(self) -> Database:
        """The copy a request starts on; the caller counts itself in ``in_flight`` while it
        runs. Once per ``check_seconds`` a request looks up the current copy in production
        (one indexed query), and the requests that arrive meanwhile wait for that answer:
        a process idle through two restores must not serve a copy that was dropped."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_seconds:
            self._checked_at = now  # one look-up per interval, whatever the concurrency
            self._lookup = asyncio.ensure_future(self._refresh())
        if self._lookup is not None and not self._lookup.done():
            await asyncio.shield(self._lookup)
        return self.current

    async def _refresh(self) -> None:
        try:
            await self.switch_to(await current_copy(self.production))
        except Exception:  # noqa: BLE001 - keep serving the copy we have
            log.exception("could not look up the sandbox's current copy")

    async def switch_to(self, copy: str | None) -> None:
        """Serve ``copy`` from now on; close the old copy's engine once it is idle."""
        if copy == self.copy:
            return
        async with self._switching:
            if copy == self.copy:
                return
            fresh = Database(url_of(self.base_url, copy), echo=self.echo)
            fresh.in_flight = 0  # type: ignore[attr-defined]
            old, self.current, self.copy = self.current, fresh, copy
            log.info("sandbox now on %s", copy or "its base database")
            task = asyncio.create_task(self._retire(old))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    async def _retire(self, old: Database) -> None:
        deadline = time.monotonic() + RETIRE_TIMEOUT
        while old.in_flight > 0 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # a counter, polled only while a copy is retired
        await old.dispose()

    async def idle(self) -> None:
        """Wait until every replaced copy's engine is closed (tests, shutdown)."""
        while self._retiring:
            await asyncio.gather(*list(self._retiring), return_exceptions=True)
