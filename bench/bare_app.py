"""The baseline: Workledger's customer read endpoints on bare Starlette + asyncpg.

It runs the SQL statements the real app sends (byte for byte the text SQLAlchemy
renders, checked by ``bench/run.py`` on every run) and answers with the same JSON, so
the difference to the real app is what FastAPI, Pydantic, SQLAlchemy and the app's own
layers cost. Only what the benchmark calls is here:

- ``GET /v1/customers/{id}``: credential lookup (HMAC-SHA256 digest of the presented
  company key under the same HKDF-derived pepper), the customer joined with its
  contacts;
- ``GET /v1/customers?<filters>&sort=&page=&per_page=``: the same lookup, the filtered
  and sorted page (``LIMIT per_page + 1``), the contacts of those rows;
- ``GET /health``.

Two modes:

``plain``  the statements (two for a customer, three for a page), each on its own
           (autocommit); what a hand-written service would do, and what the app sends
           for these reads since issue 13 (no transaction around a read). This is the
           baseline the ratios are computed against, and what the run's check compares.
``wire``   the same statements plus ``BEGIN`` ... ``COMMIT`` around the request (the
           app's unit of work before issue 13) and, when ``BENCH_BARE_PING=1`` (run.py
           sets it when the app's engine has ``pool_pre_ping``), SQLAlchemy's pre-ping
           ``BEGIN; ; ROLLBACK;`` on every checkout: what those round trips cost alone.

Served by uvicorn with the settings ``workledger serve`` uses (1 worker, uvloop,
httptools, no access log). ``BENCH_BARE_LOG_SQL=1`` prints each statement (and, in
``wire`` mode, BEGIN / COMMIT / ROLLBACK) to stderr as a JSON line, for the run's check.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
from datetime import UTC, datetime
from hashlib import sha256

import asyncpg
import orjson
import uvicorn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# -- SQL, as SQLAlchemy renders it for asyncpg ----------------------------------------
# (the app's prebuilt statements: workledger.auth.schemes, kit.repository.RowReader)
CREDENTIAL_SQL = (
    "SELECT credentials.id, credentials.kind, credentials.company_id, credentials.user_id, "
    "credentials.revoked_at, credentials.expires_at, credentials.digest, credentials.login, "
    "companies.api_access \n"
    "FROM credentials LEFT OUTER JOIN companies ON companies.id = credentials.company_id \n"
    "WHERE credentials.digest = $1::VARCHAR AND credentials.kind = $2"
)
_CUSTOMER = (
    "SELECT customers.id, customers.created_at, customers.updated_at, customers.type, "
    "customers.status, customers.company_name, customers.first_name, customers.last_name, "
    "customers.email, customers.phone_number, customers.comment, customers.import_id"
)
# A page: the customers, then their contacts in one more query.
CUSTOMER_COLUMNS = _CUSTOMER + " \nFROM customers \nWHERE customers.company_id = $1::BIGINT"
# One customer: its contacts joined in the same query, one row per contact.
CUSTOMER_SQL = (
    _CUSTOMER + ", contacts_1.id AS id_1, contacts_1.first_name AS first_name_1, "
    "contacts_1.last_name AS last_name_1, contacts_1.email AS email_1, "
    "contacts_1.phone_number AS phone_number_1 \n"
    "FROM customers LEFT OUTER JOIN contacts AS contacts_1 ON customers.id = "
    "contacts_1.customer_id AND customers.company_id = contacts_1.company_id \n"
    "WHERE customers.company_id = $1::BIGINT AND customers.id = $2::BIGINT "
    "ORDER BY contacts_1.id"
)
CONTACTS_SQL = (
    "SELECT contacts.customer_id, contacts.id, contacts.first_name, contacts.last_name, "
    "contacts.email, contacts.phone_number \n"
    "FROM contacts \n"
    "WHERE contacts.company_id = $1::BIGINT AND contacts.customer_id IN ({}) "
    "ORDER BY contacts.id"
)

# Filterable fields in the order of the app's ListSpec (it emits conditions in that
# order), with the parser of their values and the cast SQLAlchemy renders.
FILTERS: dict[str, tuple] = {
    "id": (int, "BIGINT"),
    "type": (int, "SMALLINT"),
    "status": (int, "SMALLINT"),
    "company_name": (str, "VARCHAR"),
    "first_name": (str, "VARCHAR"),
    "last_name": (str, "VARCHAR"),
    "email": (str, "VARCHAR"),
    "phone_number": (str, "VARCHAR"),
    "import_id": (str, "VARCHAR"),
    "created_at": ("datetime", "TIMESTAMP WITH TIME ZONE"),
    "updated_at": ("datetime", "TIMESTAMP WITH TIME ZONE"),
}
SORTS = ("id", "type", "status", "company_name", "first_name", "last_name", "email",
         "created_at", "updated_at")
OPERATORS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "=",
             "not": "IS DISTINCT FROM"}
COMMON = ("page", "per_page", "sort", "total", "language_code")
JSON = "application/json"
PROBLEM = "application/problem+json"


def _pepper(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"workledger/secret-digest").derive(secret_key.encode())


PEPPER = _pepper(os.environ.get("WORKLEDGER_SECRET_KEY", ""))
MODE = os.environ.get("BENCH_BARE_MODE", "plain")
PING = os.environ.get("BENCH_BARE_PING") == "1"
LOG_SQL = os.environ.get("BENCH_BARE_LOG_SQL") == "1"
POOL: asyncpg.Pool | None = None


def problem(status: int, detail: str) -> Response:
    return Response(orjson.dumps({"status": status, "detail": detail}), status, media_type=PROBLEM)


def _log(sql: str) -> None:
    if LOG_SQL:
        print("bench-sql " + json.dumps(sql), file=sys.stderr, flush=True)


async def _fetch(conn: asyncpg.Connection, sql: str, *args) -> list:
    _log(sql)
    return await conn.fetch(sql, *args)


class _Unit:
    """One request's use of a connection, in the chosen mode."""

    def __init__(self) -> None:
        self._acquire = POOL.acquire()
        self._tx = None

    async def __aenter__(self) -> asyncpg.Connection:
        conn = await self._acquire.__aenter__()
        if MODE == "wire":
            if PING:  # what SQLAlchemy's pool_pre_ping sends for asyncpg
                ping = conn.transaction()
                await ping.start()
                try:
                    await conn.fetchrow(";")
                finally:
                    await ping.rollback()
            _log("BEGIN")
            self._tx = conn.transaction()
            await self._tx.start()
        return conn

    async def __aexit__(self, kind, error, tb) -> None:
        try:
            if self._tx is not None:
                if kind is None:
                    _log("COMMIT")
                    await self._tx.commit()
                else:
                    _log("ROLLBACK")
                    await self._tx.rollback()
        finally:
            await self._acquire.__aexit__(kind, error, tb)


async def authenticate(conn: asyncpg.Connection, request: Request) -> int | Response:
    """The company id of the presented company key, or the problem response."""
    header = request.headers.get("authorization", "").strip()
    scheme, _, token = header.partition(" ")
    if not token:
        scheme, token = "key", scheme
    if not token or scheme.lower() != "key":
        return problem(401, "Missing or unknown token.")
    token = token.strip()
    digest = hmac.new(PEPPER, token.encode(), sha256).hexdigest()
    row = (await _fetch(conn, CREDENTIAL_SQL, digest, "company_key"))
    row = row[0] if row else None
    if row is None or not hmac.compare_digest(digest, row["digest"]):
        return problem(401, "Unknown token.")
    now = datetime.now(UTC)
    if (row["revoked_at"] is not None and row["revoked_at"] <= now) or (
        row["expires_at"] is not None and row["expires_at"] <= now
    ):
        return problem(401, "Unauthorized: the provided token is not active")
    if row["company_id"] is None:
        return problem(403, "This credential is not tied to a company.")
    if not row["api_access"]:
        return problem(403, "API access is switched off for this company.")
    return row["company_id"]


def _customer(r, contacts: list[dict]) -> dict:
    """A customer as the app renders it (members in the schema's order)."""
    return {
        "id": r["id"], "created_at": r["created_at"], "updated_at": r["updated_at"],
        "type": r["type"], "status": r["status"], "company_name": r["company_name"],
        "first_name": r["first_name"], "last_name": r["last_name"], "email": r["email"],
        "phone_number": r["phone_number"], "comment": r["comment"],
        "import_id": r["import_id"], "contacts": contacts,
    }


async def _with_contacts(conn: asyncpg.Connection, company_id: int, rows: list
                         ) -> list[dict]:
    """A page of rows rendered with their contacts (one more query)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ", ".join(f"${i}::BIGINT" for i in range(2, len(ids) + 2))
    contacts: dict[int, list] = {}
    for c in await _fetch(conn, CONTACTS_SQL.format(marks), company_id, *ids):
        contacts.setdefault(c["customer_id"], []).append({
            "id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"],
            "email": c["email"], "phone_number": c["phone_number"],
        })
    return [_customer(r, contacts.get(r["id"], [])) for r in rows]


def _dump(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


async def get_customer(request: Request) -> Response:
    try:
        customer_id = int(request.path_params["id"])
    except ValueError:
        return problem(400, "id must be an integer")
    async with _Unit() as conn:
        company_id = await authenticate(conn, request)
        if isinstance(company_id, Response):
            return company_id
        rows = await _fetch(conn, CUSTOMER_SQL, company_id, customer_id)
    if not rows:
        return problem(404, f"No customer with id {customer_id}.")
    contacts = [
        {"id": r["id_1"], "first_name": r["first_name_1"], "last_name": r["last_name_1"],
         "email": r["email_1"], "phone_number": r["phone_number_1"]}
        for r in rows if r["id_1"] is not None
    ]
    return Response(_dump(_customer(rows[0], contacts)), media_type=JSON)


def _value(kind, text: str):
    if kind == "datetime":
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return kind(text)


def parse_list(params) -> tuple[str, list, int, int] | str:
    """(WHERE/ORDER suffix, arguments after company_id, page, per_page), or an error."""
    for name in params:
        if name not in COMMON and name not in FILTERS:
            return f"Unknown query parameter '{name}'"
    args: list = []
    where = ""
    for name, (kind, cast) in FILTERS.items():
        for raw in params.getlist(name):
            for clause in raw.split(" AND "):
                op, sep, rest = clause.partition(":")
                if not (sep and op in OPERATORS):
                    op, rest = "eq", clause
                try:
                    args.append(_value(kind, rest))
                except ValueError:
                    return f"'{rest}' is not a valid value for {name}"
                where += f" AND customers.{name} {OPERATORS[op]} ${len(args) + 1}::{cast}"
    order = []
    seen_id = False
    for part in (params.get("sort") or "").split(","):
        token = part.strip(" ")
        if not token:
            continue
        name = token[1:] if token[0] in "+-" else token
        if name not in SORTS:
            return f"Cannot sort by '{name}'"
        seen_id = seen_id or name == "id"
        order.append(f"customers.{name} {'DESC' if token[0] == '-' else 'ASC'}")
    if not seen_id:
        order.append("customers.id ASC")
    try:
        page = int(params.get("page", 1))
        per_page = int(params.get("per_page", 50))
    except ValueError:
        return "page and per_page must be integers"
    if page < 1 or not 1 <= per_page <= 500:
        return "page must be at least 1 and per_page between 1 and 500"
    n = len(args) + 2
    suffix = (f"{where} ORDER BY {', '.join(order)} \n LIMIT ${n}::BIGINT "
              f"OFFSET ${n + 1}::BIGINT")
    return suffix, [*args, per_page + 1, (page - 1) * per_page], page, per_page


async def list_customers(request: Request) -> Response:
    parsed = parse_list(request.query_params)
    if isinstance(parsed, str):
        return problem(400, parsed)
    suffix, args, page, per_page = parsed
    async with _Unit() as conn:
        company_id = await authenticate(conn, request)
        if isinstance(company_id, Response):
            return company_id
        rows = await _fetch(conn, CUSTOMER_COLUMNS + suffix, company_id, *args)
        # The contacts of the page's rows only (the row past the page tells "next").
        items = await _with_contacts(conn, company_id, rows[:per_page])
    url = request.url
    links = []
    if len(rows) > per_page:
        links.append(f'<{url.include_query_params(page=page + 1, per_page=per_page)}>; rel="next"')
    if page > 1:
        links.append(f'<{url.include_query_params(page=page - 1, per_page=per_page)}>; rel="prev"')
    links.append(f'<{url.include_query_params(page=1, per_page=per_page)}>; rel="first"')
    return Response(_dump(items), media_type=JSON, headers={"Link": ", ".join(links)})


async def health(_: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type=JSON)


async def _no_reset(_: asyncpg.Connection) -> None:
    """The app's pool sends nothing when a connection goes back; neither do we."""


async def lifespan(_app):
    global POOL
    dsn = os.environ["BENCH_BARE_DSN"]
    # Room for every connection the load asks for (the app's engine: pool_size +
    # max_overflow); connections stay open.
    POOL = await asyncpg.create_pool(dsn, min_size=1, max_size=int(
        os.environ.get("BENCH_BARE_POOL", "30")), reset=_no_reset)
    try:
        yield
    finally:
        await POOL.close()


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/v1/customers", list_customers),
        Route("/v1/customers/{id}", get_customer),
    ],
    lifespan=lifespan,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    # The settings `workledger serve` passes to uvicorn.
    uvicorn.run(app, host=options.host, port=options.port, workers=1, proxy_headers=True,
                server_header=False, access_log=False)


if __name__ == "__main__":
    main()
