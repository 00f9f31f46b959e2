"""The request's unit of work: one pooled connection, one session, one commit point
(DESIGN §2, §5).

A request checks out one connection from the pool on first use (:func:`connection`)
and keeps it to the end: authentication, the tenancy checks and the work share it.
Statements of :mod:`workledger.kit.prepared` run on its driver connection outside any
transaction, so a request that only reads through them (credential lookup, a resource's
get and list) costs no ``BEGIN``/``COMMIT`` round trips. The ORM session
(:func:`open_session`) is bound to the same connection and begins its transaction on
its first statement, as before.

Services only ``flush()``. :class:`TransactionalRoute` commits after the endpoint
returned a success and before the response leaves, and rolls back on any error or
problem response, so a failed request never leaves a partial write behind.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from workledger.kit import idempotency
from workledger.kit.body import apply_body_language, parse_json_body
from workledger.kit.db import WRITE_LOCK
from workledger.kit.direct import direct_handler, unless_observed
from workledger.kit.gates import text_fault
from workledger.kit.problems import ValidationProblem

_STATE_KEY = "db_session"
_CONNECTION_KEY = "workledger.connection"


def database_for(request: Request):
    """Production database, or the sandbox one for ``/sandbox/...`` requests."""
    return request.scope.get("workledger.database") or request.app.state.database


#: Methods that may write: on SQLite their transaction takes the write lock up front.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def get_session(request: Request) -> AsyncSession:
    return await open_session(request, write=request.method in WRITE_METHODS)


async def connection(request: Request) -> AsyncConnection:
    """The request's pooled connection, checked out on first use and returned when the
    request ends (:func:`_finish`); not in a transaction until the session begins one."""
    conn = request.scope.get(_CONNECTION_KEY)
    if conn is None:
        conn = await database_for(request).engine.connect()
        request.scope[_CONNECTION_KEY] = conn
    return conn


async def open_session(request: Request, *, write: bool) -> AsyncSession:
    """The request's session, made on first use, on the request's connection. ``write``:
    the request may write, so on SQLite its transaction takes the write lock up front —
    by method for most routes; a route whose GET writes (the connector's
    ``GetWorkorders``) opens it itself."""
    session = request.scope.get(_STATE_KEY)
    if session is None:
        database = database_for(request)
        session = database.sessions(bind=await connection(request))
        request.scope[_STATE_KEY] = session
        if write and database.engine.dialect.name == "sqlite":
            # SQLite has one writer at a time. A transaction that begins deferred, reads,
            # then writes fails with "database is locked" when another writer committed
            # in between (its snapshot is stale), whatever the busy timeout; BEGIN
            # IMMEDIATE takes the write lock first, so concurrent writers queue for it
            # (up to the busy timeout) instead of failing. PostgreSQL writers lock rows.
            await session.connection(execution_options=WRITE_LOCK)
    return session


Session = Annotated[AsyncSession, Depends(get_session)]


async def _finish(request: Request, *, commit: bool) -> None:
    session: AsyncSession | None = request.scope.pop(_STATE_KEY, None)
    try:
        if session is not None:
            try:
                if commit:
                    await session.commit()
                else:
                    await session.rollback()
            finally:
                await session.close()
    finally:
        conn: AsyncConnection | None = request.scope.pop(_CONNECTION_KEY, None)
        if conn is not None:
            await conn.close()


class GatedRequest(Request):
    """A request whose body passes the input gates as FastAPI reads it: a JSON body
    through kit.body.parse_json_body, form fields through kit.gates.text_fault. What a
    gate raises reaches the error handlers as the cause of FastAPI's 400 (kit.errors)."""

    async def json(self) -> Any:
        if not hasattr(self, "_gated_json"):
            self._gated_json = parse_json_body(await self.body())
            apply_body_language(self._gated_json)
        return self._gated_json

    async def form(self, **limits: Any) -> Any:  # type: ignore[override]
        form = await super().form(**limits)
        for name, value in form.multi_items():
            fault = isinstance(value, str) and text_fault(value)
            if fault:
                raise ValidationProblem.single(name, fault)
        return form


def _without_security_schemes(dependant: Dependant) -> Dependant:
    """``dependant`` less the security-scheme dependencies (``Security(APIKeyHeader)``
    and the like) anywhere in its tree. They declare the schemes in the OpenAPI
    document; the credential headers are read and checked by workledger.auth itself, so
    at run time they would only cost FastAPI a dependency each on every call."""
    return replace(dependant, dependencies=[
        _without_security_schemes(sub) for sub in dependant.dependencies
        if not isinstance(sub.call, SecurityBase)
    ])


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # The route FastAPI builds the handler from: an included router's route is built
        # through its inclusion context.
        context = fastapi_routing._effective_route_context_var.get()
        route = context if getattr(context, "original_route", None) is self else self
        documented = route.dependant
        route.dependant = _without_security_schemes(documented)
        try:
            # Routes whose dependencies take nothing but the request skip FastAPI's
            # solver (kit.direct), unless dependency overrides or FastAPI's telemetry
            # watch it; the others keep it.
            solved = super().get_route_handler()
            direct = direct_handler(route.dependant)
            handler = solved if direct is None else unless_observed(
                direct, solved, route.dependency_overrides_provider)
        finally:
            route.dependant = documented

        async def run_in_transaction(request: Request) -> Response:
            # FastAPI's documented way to change how a body is read: its own Request type.
            request = GatedRequest(request.scope, request.receive)
            try:
                response = await handler(request)
                if response.status_code < 400:
                    session = request.scope.get(_STATE_KEY)
                    if session is not None:
                        await idempotency.record(request, session, response)
            except BaseException:
                await _finish(request, commit=False)
                await idempotency.release(request)
                raise
            await _finish(request, commit=response.status_code < 400)
            if response.status_code >= 400:
                await idempotency.release(request)
            return response

        return run_in_transaction
