"""Idempotency keys: a POST may carry ``Idempotency-Key`` so that a retry after a lost
answer does the work once (DESIGN §10, Stripe's model).

- Per credential, kept 24 hours, in the database, so every worker and machine sees them.
- A replay of the same request (method, path, query and body) answers the stored
  response — status, body, ``Location``, ``ETag`` — with ``Idempotent-Replayed: true``,
  without doing the work again.
- The same key with another request → 409 code 7; a replay while the first attempt is
  still running → 409 code 7 (retry later).
- Only successes are kept. An attempt that failed (any status ≥ 400) releases its key, so
  the client can retry the same request once the cause is gone (a conflict, a limit).

The claim is made once the caller is known (``auth.dependencies.admit``) and committed on
its own on PostgreSQL, so a concurrent duplicate sees it; the answer is stored in the
request's own transaction, so the work and its record commit together. On SQLite the
whole request holds the write lock, so claim, work and record share one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import Conflict, ValidationProblem
from workledger.models.idempotency import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
KEEP = timedelta(hours=24)
#: A first attempt still marked running after this long died with its worker: a replay
#: may take the key over instead of being refused forever.
TAKEOVER = timedelta(minutes=5)
#: Response headers a replay repeats (the rest — trace id, rate limits — are its own).
STORED_HEADERS = ("content-type", "location", "etag", "content-language")


class Replay(Exception):  # noqa: N818 - not an error: the stored answer, raised to skip the work
    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response


@dataclass(frozen=True)
class Claim:
    row_id: int
    #: Committed apart from the request (PostgreSQL): released apart when it fails.
    separate: bool


def _digest(request: Request, body: bytes) -> str:
    hasher = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(),
                 request.url.query.encode(), body):
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _checked_key(raw: str) -> str:
    if not (0 < len(raw) <= MAX_LENGTH) or not all(33 <= ord(c) <= 126 for c in raw):
        raise ValidationProblem.single(
            HEADER, N_("{header} must be 1-{maximum} visible ASCII characters").say(
                header=HEADER, maximum=MAX_LENGTH)
        )
    return raw


async def claim(request: Request, session: AsyncSession, credential: str) -> None:
    """Claim the request's key for ``credential``, or raise :class:`Replay` / 409."""
    raw = request.headers.get(HEADER)
    if raw is None or request.method != "POST":
        return
    key = _checked_key(raw)
    digest = _digest(request, await request.body())
    from workledger.kit.session import database_for

    database = database_for(request)
    if database.engine.dialect.name == "sqlite":
        row_id = await _claim_in(session, credential, key, digest)
        request.state.idempotency = Claim(row_id, separate=False)
        return
    try:
        async with database.sessions() as own, own.begin():
            row_id = await _claim_in(own, credential, key, digest)
    except IntegrityError as error:  # a concurrent first attempt inserted it meanwhile
        raise _running() from error
    request.state.idempotency = Claim(row_id, separate=True)


async def _claim_in(session: AsyncSession, credential: str, key: str, digest: str) -> int:
    now = utcnow()
    row = await session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.credential == credential, IdempotencyKey.key == key)
        .with_for_update()
    )
    if row is None:
        row = IdempotencyKey(credential=credential, key=key, request_digest=digest,
                             locked_until=now + TAKEOVER, expires_at=now + KEEP)
        session.add(row)
        await session.flush()
        return row.id
    if row.expires_at <= now:  # a key is kept 24 hours, then it is new again
        row.request_digest, row.status, row.headers, row.body = digest, None, None, None
        row.locked_until, row.expires_at = now + TAKEOVER, now + KEEP
        await session.flush()
        return row.id
    if row.request_digest != digest:
        raise Conflict(N_("This {header} was used with another request (method, path, query "
                          "or body). Use a new key for a new request.").say(header=HEADER))
    if row.status is None:
        if row.locked_until > now:
            raise _running()
        row.locked_until = now + TAKEOVER  # the first attempt died: this one takes over
        await session.flush()
        return row.id
    headers = {**(row.headers or {}), "Idempotent-Replayed": "true"}
    raise Replay(Response(row.body or b"", status_code=row.status, headers=headers))


def _running() -> Conflict:
    return Conflict(N_("A request with this {header} is still running. Retry in a "
                       "moment.").say(header=HEADER),
                    headers={"Retry-After": "1"})


async def record(request: Request, session: AsyncSession, response: Response) -> None:
    """Store a successful answer in the request's transaction (it commits with the work)."""
    held: Claim | None = getattr(request.state, "idempotency", None)
    if held is None:
        return
    headers = {name: response.headers[name] for name in STORED_HEADERS
               if name in response.headers}
    await session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == held.row_id)
        .values(status=response.status_code, headers=headers, body=bytes(response.body),
                locked_until=utcnow())
    )


async def release(request: Request) -> None:
    """Forget a failed attempt's claim, so the same request may be retried."""
    held: Claim | None = getattr(request.state, "idempotency", None)
    if held is None or not held.separate:
        return  # on SQLite the rollback took it away
    from workledger.kit.session import database_for

    async with database_for(request).sessions() as own, own.begin():
        await own.execute(delete(IdempotencyKey).where(IdempotencyKey.id == held.row_id,
                                                       IdempotencyKey.status.is_(None)))
