"""Restore the sandbox from production: a new copy beside the current one, then the switch.

- **One at a time**, however many processes and machines: a PostgreSQL advisory lock
  (held on a connection of its own), or on SQLite a file lock beside the sandbox file.
- **Production is only read**, in one consistent snapshot: on PostgreSQL one REPEATABLE
  READ, READ ONLY transaction copies every table (``COPY ... TO STDOUT`` piped into
  ``COPY ... FROM STDIN`` of the new database, binary, in foreign-key order); it takes
  ACCESS SHARE locks only, which block no reader and no writer (only DDL). On SQLite the
  backup API copies the file in one step, inside one read transaction; in WAL mode
  writers go on meanwhile. ``snapshot_seconds`` says how long that snapshot was held.
- **Atomic for callers**: the copy is complete before it is recorded in
  ``sandbox_restores``, and recording it is the switch (sandbox.database).
- The tables are those of the ORM metadata, so a model added later is copied with no
  change here; the schema of a PostgreSQL copy is made from the same metadata (which
  ``workledger check-migrations`` keeps equal to the migrations), its ``alembic_version``
  and sequences are production's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from filelock import FileLock, Timeout
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from workledger.kit.db import Base, Database, make_engine
from workledger.sandbox.database import (
    SandboxDatabase,
    copy_name,
    copy_pattern,
    current_copy,
    is_sqlite,
    url_of,
)

log = logging.getLogger("workledger.sandbox")

#: The advisory lock's key: any number no other part of the system uses ("sandbox").
ADVISORY_LOCK = 0x73616E64626F78


class RestoreBusy(RuntimeError):
    """Another process is restoring the sandbox right now."""


@dataclass
class RestoreSummary:
    database: str
    rows: dict[str, int]
    started_at: datetime
    seconds: float
    snapshot_seconds: float
    trigger: str = "command"
    scheduled_for: datetime | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class Progress:
    """What a restore reports as it goes (the command's progress bar): the tables it will
    copy, then each one as it is done."""

    on_start: Callable[[list[str]], None] = lambda tables: None
    on_table: Callable[[str, int], None] = lambda table, rows: None
    tables: list[str] = field(default_factory=list)


def tables() -> list:
    """Every table of the models, referenced tables first."""
    import workledger.models  # noqa: F401 - registers every table on Base.metadata

    return list(Base.metadata.sorted_tables)


def _dsn(url: str) -> str:
    """An asyncpg DSN from an SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- the lock ---------------------------------------------------------------------------


@asynccontextmanager
async def restore_lock(production_url: str, sandbox_url: str, *, wait: bool) -> AsyncIterator[None]:
    """Held for the whole restore; :class:`RestoreBusy` at once when taken and not ``wait``."""
    if is_sqlite(production_url):
        path = Path(make_url(sandbox_url).database or "sandbox.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock")
        try:
            if wait:
                await asyncio.to_thread(lock.acquire)
            else:
                lock.acquire(timeout=0)
        except Timeout:
            raise RestoreBusy("a restore of the sandbox is running") from None
        try:
            yield
        finally:
            lock.release()
        return
    connection = await asyncpg.connect(_dsn(production_url))
    try:
        if wait:
            await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK)
        elif not await connection.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK):
            raise RestoreBusy("a restore of the sandbox is running")
        try:
            yield
        finally:
            with suppress(Exception):
                await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK)
    finally:
        await connection.close()


async def is_running(production_url: str, sandbox_url: str) -> bool:
    """Whether some process holds the restore lock now."""
    try:
        async with restore_lock(production_url, sandbox_url, wait=False):
            return False
    except RestoreBusy:
        return True


# --- copying ----------------------------------------------------------------------------


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".tmp"):
        with suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def _copy_sqlite(source: str, target: str) -> float:
    """Production's file into ``target`` with the backup API; the seconds it read."""
    target_path = Path(target)
    _remove_sqlite(target_path)
    temporary = Path(target + ".tmp")
    origin = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(temporary)
    try:
        began = time.perf_counter()
        origin.backup(copy)  # one step: one read transaction, a consistent snapshot
        held = time.perf_counter() - began
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()  # the last connection: the WAL is checkpointed and removed
        origin.close()
    os.replace(temporary, target_path)
    return held


def _count_sqlite(path: str, names: list[str], progress: Progress) -> dict[str, int]:
    rows: dict[str, int] = {}
    connection = sqlite3.connect(path)
    try:
        for name in names:
            rows[name] = connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
            progress.on_table(name, rows[name])
    finally:
        connection.close()
    return rows


async def _pipe(source: asyncpg.Connection, target: asyncpg.Connection, table) -> int:
    """One table, streamed: binary COPY out of production into the copy."""
    columns = [column.name for column in table.columns]
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=32)

    async def produce() -> None:
        try:
            await source.copy_from_table(table.name, output=chunks.put, columns=columns,
                                         format="binary")
        finally:
            await chunks.put(None)

    async def consume() -> AsyncIterator[bytes]:
        while (chunk := await chunks.get()) is not None:
            yield chunk

    _, status = await asyncio.gather(
        produce(),
        target.copy_to_table(table.name, source=consume(), columns=columns, format="binary"),
    )
    return int(status.split()[-1])


async def _create_postgres(production_url: str, name: str) -> None:
    admin = await asyncpg.connect(_dsn(production_url))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {_quote(name)}")
    finally:
        await admin.close()


async def _copy_postgres(
    production_url: str, target_url: str, progress: Progress
) -> tuple[dict[str, int], float]:
    engine = make_engine(target_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            await connection.exec_driver_sql(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
    finally:
        await engine.dispose()
    rows: dict[str, int] = {}
    source = await asyncpg.connect(_dsn(production_url))
    target = await asyncpg.connect(_dsn(target_url))
    try:
        began = time.perf_counter()
        async with source.transaction(isolation="repeatable_read", readonly=True):
            for table in tables():
                rows[table.name] = await _pipe(source, target, table)
                progress.on_table(table.name, rows[table.name])
            versions = await source.fetch("SELECT version_num FROM alembic_version")
            sequences = await source.fetch(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        held = time.perf_counter() - began
        await target.executemany("INSERT INTO alembic_version VALUES ($1)",
                                 [(v["version_num"],) for v in versions])
        existing = {r["sequencename"] for r in await target.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")}
        for sequence in sequences:
            if sequence["sequencename"] in existing:
                await target.execute("SELECT setval($1, $2)",
                                     _quote(sequence["sequencename"]), sequence["last_value"])
        await target.execute("ANALYZE")
    finally:
        await source.close()
        await target.close()
    return rows, held


async def _existing_copies(production_url: str, base_url: str) -> list[str]:
    pattern = copy_pattern(base_url)
    if is_sqlite(base_url):
        folder = Path(make_url(base_url).database or "sandbox.db").parent
        return [str(path) for path in folder.iterdir() if pattern.search(path.name)]
    admin = await asyncpg.connect(_dsn(production_url))
    try:
        names = [r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")]
    finally:
        await admin.close()
    return [name for name in names if pattern.fullmatch(name)]


async def _drop(production_url: str, base_url: str, names: list[str]) -> None:
    if not names:
        return
    if is_sqlite(base_url):
        for name in names:
            _remove_sqlite(Path(name))
        return
    admin = await asyncpg.connect(_dsn(production_url))
    try:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        await admin.close()


def _number(name: str, base_url: str) -> int:
    match = copy_pattern(base_url).search(Path(name).name if is_sqlite(base_url) else name)
    return int(match.group(1)) if match else 0


async def drop_copies(production_url: str, base_url: str) -> None:
    """Every copy, whatever production says (tests, and uninstalling)."""
    await _drop(production_url, base_url, await _existing_copies(production_url, base_url))


# --- the restore ------------------------------------------------------------------------


async def restore(
    production_url: str,
    sandbox_url: str,
    *,
    trigger: str = "command",
    requested_by: str | None = None,
    scheduled_for: datetime | None = None,
    sandbox: SandboxDatabase | None = None,
    progress: Progress | None = None,
    wait: bool = False,
) -> RestoreSummary | None:
    """Copy production into a new sandbox copy and switch every process to it.

    ``None`` when ``scheduled_for`` was restored already (by another process). Raises
    :class:`RestoreBusy` when another restore runs (unless ``wait``)."""
    from workledger.models import SandboxRestore

    if is_sqlite(production_url) != is_sqlite(sandbox_url):
        raise ValueError("the sandbox must be on the same kind of database as production")
    progress = progress or Progress()
    production = Database(production_url)
    try:
        async with restore_lock(production_url, sandbox_url, wait=wait):
            async with production.sessions() as session:
                if scheduled_for is not None and await session.scalar(
                    select(SandboxRestore.id).where(SandboxRestore.scheduled_for == scheduled_for)
                ):
                    return None
                last_id = await session.scalar(select(func.max(SandboxRestore.id))) or 0
            previous = await current_copy(production)
            existing = await _existing_copies(production_url, sandbox_url)
            number = max([last_id, *(_number(name, sandbox_url) for name in existing)]) + 1
            name = copy_name(sandbox_url, number)
            names = [table.name for table in tables()]
            progress.on_start(names)
            started_at = datetime.now(UTC)
            began = time.perf_counter()
            if is_sqlite(production_url):
                source = make_url(production_url).database or ""
                held = await asyncio.to_thread(_copy_sqlite, source, name)
                rows = await asyncio.to_thread(_count_sqlite, name, names, progress)
            else:
                await _create_postgres(production_url, name)
                rows, held = await _copy_postgres(
                    production_url, url_of(sandbox_url, name), progress
                )
            seconds = time.perf_counter() - began
            try:
                async with production.session() as session:
                    session.add(SandboxRestore(
                        database=name, trigger=trigger, requested_by=requested_by,
                        scheduled_for=scheduled_for, started_at=started_at,
                        finished_at=datetime.now(UTC), seconds=round(seconds, 3),
                        snapshot_seconds=round(held, 3), rows=rows, total_rows=sum(rows.values()),
                    ))
            except IntegrityError:  # that slot was restored meanwhile: keep theirs
                await _drop(production_url, sandbox_url, [name])
                return None
            if sandbox is not None:
                await sandbox.switch_to(name)
            # The copy before this one stays until the next restore: processes that have
            # not looked yet, and requests still running on it, finish there.
            stale = [n for n in await _existing_copies(production_url, sandbox_url)
                     if n not in (name, previous)]
            await _drop(production_url, sandbox_url, stale)
            summary = RestoreSummary(name, rows, started_at, seconds, held, trigger,
                                     scheduled_for)
            log.info("sandbox restored into %s: %d rows in %.2f s (production snapshot "
                     "held %.2f s)", name, summary.total_rows, seconds, held)
            return summary
    finally:
        await production.dispose()
