"""Running a route's dependencies without FastAPI's solver, where nothing is left for the
solver to do (DESIGN §5).

FastAPI solves every route's dependency tree on every call: for each dependency it
collects path, query, header and cookie parameters, validates them, checks its cache and
builds an exit stack; for the endpoint it also extracts an error context and reads the
body. Most of Workledger's reads and deletes take nothing FastAPI has to parse: the
endpoint takes the ``Request`` and a principal, the principal's dependency takes the
``Request`` (it reads the credential headers itself, kit.session strips the documented
security schemes), and the query-string check reads the query string itself. For such a
route :func:`direct_handler` calls the same functions in the same order — route-level
dependencies first, then the endpoint's, each at most once per request as FastAPI's
cache does — and the endpoint with their values. What the route documents is unchanged:
the OpenAPI document is built from the full dependant.

A dependency that declares a parameter for the document only (``language_code`` of
:func:`workledger.kit.listing.query_check`) names its run-time twin with
:func:`runs_as`: a function of the ``Request`` alone that does the same check. Anything
else — a body, a path, query or header parameter FastAPI converts, a generator
dependency, a dependency with ``max_concurrency``, an endpoint that returns something
other than a ``Response`` — keeps FastAPI's handler (``None`` here). A request that
something watches the solver for (``app.dependency_overrides``, FastAPI's native
telemetry) goes to FastAPI's handler too (:func:`unless_observed`).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.telemetry import get_telemetry_data

_TWIN = "__workledger_runs_as__"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def runs_as(twin: Callable[[Request], Awaitable[Any]]) -> Callable[[Callable], Callable]:
    """Mark a dependency whose declared parameters are documentation: at run time the
    direct handler calls ``twin(request)`` instead, which must check the same things."""
    def mark(call: Callable) -> Callable:
        setattr(call, _TWIN, twin)
        return call
    return mark


#: One dependency of a route: (the name its value is passed as, or None for a route-level
#: dependency; the call; the name it takes the request as, or None; its own steps).
_Step = tuple[str | None, Callable[..., Awaitable[Any]], str | None, tuple]


def _steps(dependant: Dependant) -> tuple[_Step, ...] | None:
    """The dependency steps of ``dependant`` (its sub-dependencies, recursively), or
    ``None`` when one of them needs FastAPI."""
    steps: list[_Step] = []
    for sub in dependant.dependencies:
        if getattr(sub, "concurrency", None) is not None:
            return None  # Depends(max_concurrency=...): the solver holds the semaphore
        call = getattr(sub.call, _TWIN, None)
        if call is not None:
            steps.append((sub.name, call, "request", ()))
            continue
        if not _plain(sub) or not sub.use_cache:
            return None
        inner = _steps(sub)
        if inner is None:
            return None
        steps.append((sub.name, sub.call, sub.request_param_name, inner))
    return tuple(steps)


def _plain(dependant: Dependant) -> bool:
    """A coroutine function whose only own parameter FastAPI fills is the ``Request``."""
    return (
        inspect.iscoroutinefunction(dependant.call)
        and not (dependant.path_params or dependant.query_params or dependant.header_params
                 or dependant.cookie_params or dependant.body_params)
        and dependant.websocket_param_name is None
        and dependant.http_connection_param_name is None
        and dependant.response_param_name is None
        and dependant.background_tasks_param_name is None
        and dependant.security_scopes_param_name is None
    )


def direct_handler(dependant: Dependant) -> Handler | None:
    """A handler that runs ``dependant`` (a route's, security schemes already left out)
    without FastAPI's solver, or ``None`` when the route needs the solver."""
    if not _plain(dependant):
        return None
    returns = get_typed_return_annotation(dependant.call)
    if not (inspect.isclass(returns) and issubclass(returns, Response)):
        return None
    steps = _steps(dependant)
    if steps is None:
        return None
    endpoint = dependant.call
    request_name = dependant.request_param_name

    async def solve(steps: tuple[_Step, ...], request: Request, cache: dict
                    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, call, wants_request, inner in steps:
            if call in cache:
                value = cache[call]
            else:
                arguments = await solve(inner, request, cache) if inner else {}
                if wants_request:
                    arguments[wants_request] = request
                value = cache[call] = await call(**arguments)
            if name is not None:
                values[name] = value
        return values

    async def handler(request: Request) -> Response:
        values = await solve(steps, request, {}) if steps else {}
        if request_name:
            values[request_name] = request
        return await endpoint(**values)

    return handler


def unless_observed(direct: Handler, solved: Handler, overrides_provider: Any) -> Handler:
    """``direct``, except for a request where something watches FastAPI's solver: then
    ``solved`` (FastAPI's handler of the same route), which honours it.

    - ``app.dependency_overrides`` (FastAPI's documented hook, used by integrators' test
      suites): the solver calls the override instead of the dependency;
    - FastAPI's native telemetry tracing this request (``WORKLEDGER_OPENTELEMETRY=true``
      with a provider): the solver hands the request and the resolved values to
      telemetry processors and traces the dependencies and the endpoint.
    """
    async def handler(request: Request) -> Response:
        if get_telemetry_data() is not None or getattr(
                overrides_provider, "dependency_overrides", None):
            return await solved(request)
        return await direct(request)

    return handler
