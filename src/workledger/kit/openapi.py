"""The OpenAPI document says what the API really answers.

FastAPI's document is finished here, after every route is known, so what holds for every
operation is said once and a new endpoint inherits it without declaring anything:

- FastAPI documents a 422 ``HTTPValidationError`` on every operation; this API answers
  validation problems with a 400 problem document instead (kit.errors), so that entry is
  replaced by the shared ``ProblemDocument`` schema that ``problem_responses`` refers to.
- The edge (kit.edge, kit.ratelimit, kit.errors) puts headers on every answer, whatever
  the endpoint: they are described once under ``components/headers`` and referenced from
  every response of every operation.
- Operation ids are what a generated client names its functions after, so they must be
  readable, and unique: :func:`operation_id` is the app's default, and a duplicate is
  refused instead of being renamed behind the author's back.
- Swagger UI's Authorize dialog lists the security schemes in the document's order, so
  the app declares that order instead of inheriting the order of route registration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from workledger.kit.problems import PROBLEM_MEDIA_TYPE, ProblemDocument

HEADER_REF = "#/components/headers/{name}"

#: Sent on every answer by the edge. The rate-limit headers are left out only while the
#: counter store cannot be reached (calls then go through uncounted), so they are not
#: marked required.
COMMON_HEADERS: dict[str, dict[str, Any]] = {
    "X-Trace-Id": {
        "description": "The trace of this request in W3C `traceparent` form; quote it when "
        "you contact support. A request that carries `traceparent` continues its trace.",
        "required": True,
        "schema": {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-00$"},
        "example": "00-301ec3c5a9ce095960f403c21865b69d-7a1a2d1c823e7f70-00",
    },
    "X-Ratelimit-Limit": {
        "description": "Calls allowed in the current window (by default 3600 per 15 "
        "minutes per credential, or per client address for calls without one).",
        "schema": {"type": "integer", "minimum": 0},
        "example": 3600,
    },
    "X-Ratelimit-Remaining": {
        "description": "Calls left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
        "example": 3598,
    },
    "X-Ratelimit-Used": {
        "description": "Calls made in the current window.",
        "schema": {"type": "integer", "minimum": 0},
        "example": 2,
    },
    "RateLimit-Policy": {
        "description": "The limit as an IETF `RateLimit-Policy` field: the policy's name, "
        "`q` calls per window of `w` seconds.",
        "schema": {"type": "string"},
        "example": '"default";q=3600;w=900',
    },
    "RateLimit": {
        "description": "The current window as an IETF `RateLimit` field: the policy's "
        "name, `r` calls remaining, `t` seconds until the window resets.",
        "schema": {"type": "string"},
        "example": '"default";r=3598;t=899',
    },
}
#: Only on some statuses.
STATUS_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {
        "description": "When to try again: the HTTP-date at which the window resets (or a "
        "number of seconds, when sign-ins are paused).",
        "required": True,
        "schema": {"type": "string"},
        "example": "Sun, 22 Nov 2026 20:08:05 GMT",
    },
    "WWW-Authenticate": {
        "description": "The challenge: without a credential, the schemes to use (`Key`, "
        "`Bearer`); otherwise the scheme that was tried (a Bearer token that is not "
        "accepted adds `error=\"invalid_token\"`).",
        "required": True,
        "schema": {"type": "string"},
        "example": 'Key realm="workledger", Bearer realm="workledger"',
    },
}


def operation_id(route: APIRoute) -> str:
    """The default operation id: the endpoint function's name (``list_customers``), where
    FastAPI's own would be ``list_customers_v1_customers_get``.

    A route that serves several methods gets the same id for each; the duplicate check
    below then asks for an explicit ``operation_id`` per method."""
    return route.name


def _refs(names: list[str]) -> dict[str, dict[str, str]]:
    return {name: {"$ref": HEADER_REF.format(name=name)} for name in names}


def describe_headers(spec: dict[str, Any]) -> None:
    """Reference the edge's headers from every response; what a route declared wins."""
    spec.setdefault("components", {})["headers"] = {**COMMON_HEADERS, **STATUS_HEADERS}
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                names = list(COMMON_HEADERS)
                if status == "429":
                    names.append("Retry-After")
                # Only problem answers carry the challenge (kit.errors); the connector's
                # 401 envelope does not.
                if status == "401" and PROBLEM_MEDIA_TYPE in response.get("content", {}):
                    names.append("WWW-Authenticate")
                # A new dict: a route's declared headers may be a shared constant.
                response["headers"] = {**_refs(names), **response.get("headers", {})}


def check_operation_ids(spec: dict[str, Any]) -> None:
    ids = Counter(
        operation.get("operationId")
        for path_item in spec["paths"].values()
        for operation in path_item.values()
    )
    duplicates = sorted(str(name) for name, count in ids.items() if count > 1)
    if duplicates:
        # A generated client would silently get one function for two operations.
        raise RuntimeError(f"duplicate OpenAPI operation ids: {', '.join(duplicates)}")


def list_tags(spec: dict[str, Any], described: list[dict[str, Any]]) -> None:
    """Every tag in the order its first operation comes, with its description if it has
    one: Swagger UI shows listed tags first, so listing only the described ones would
    move them to the top."""
    descriptions = {tag["name"]: tag for tag in described}
    order: dict[str, None] = {}
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            order.update(dict.fromkeys(operation.get("tags", [])))
    spec["tags"] = [descriptions.get(name, {"name": name}) for name in order]


def order_security_schemes(spec: dict[str, Any], order: Sequence[str]) -> None:
    """``components.securitySchemes`` in ``order`` (the others after them, as they came):
    Swagger UI's Authorize dialog lists the schemes in this order."""
    schemes = spec.get("components", {}).get("securitySchemes")
    if not schemes:
        return
    first = {name: schemes[name] for name in order if name in schemes}
    spec["components"]["securitySchemes"] = {**first, **schemes}


#: Models that operations name by ``$ref`` without FastAPI knowing them (a request body
#: described in ``openapi_extra``, say): added to ``components/schemas``.
EXTRA_SCHEMAS: list[type[BaseModel]] = []


def register_schemas(*models: type[BaseModel]) -> None:
    EXTRA_SCHEMAS.extend(model for model in models if model not in EXTRA_SCHEMAS)


def install_openapi(
    app: FastAPI, *, scheme_order: Sequence[str] = (),
    servers: list[dict[str, str]] | None = None,
) -> None:
    """``servers``: where the operations are (the sandbox says ``/sandbox``); none means
    where the document was fetched from."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, servers=servers,
            )
            list_tags(spec, app.openapi_tags or [])
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in (ProblemDocument, *EXTRA_SCHEMAS):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))  # where its own $refs point
                schemas[model.__name__] = schema
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            for path_item in spec["paths"].values():
                for operation in path_item.values():
                    responses = operation.get("responses", {})
                    if responses.get("422", {}).get("description") == "Validation Error":
                        del responses["422"]
            describe_headers(spec)
            order_security_schemes(spec, scheme_order)
            check_operation_ids(spec)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
