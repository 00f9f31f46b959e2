"""The connector face for ERP/CRM packages: ``/openapi/<version>/<function>/?token=``
(seed 003, DESIGN §8).

The token travels in the URL on every call, POST too, as documented; it is masked in the
access log and every answer carries ``Cache-Control: private, no-store``. Every answer
is the envelope ``{"code", "messages", "response"}``. Versions are whole numbers that
grow by one with each new variant; a function keeps its behaviour within a version.

One route dispatches every call (unknown versions and functions answer the envelope's
404); each function of each version also has a route of its own, which is what the
OpenAPI document shows, so a generated client gets one typed operation per function.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth import schemes
from workledger.auth.administration import get_company
from workledger.auth.dependencies import admit
from workledger.auth.principal import Principal
from workledger.kit.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_SCHEMA_REF,
    Forbidden,
    Problem,
    RateLimited,
    Unauthorized,
)
from workledger.kit.session import Session, TransactionalRoute

TAG = "Connector"
router = APIRouter(prefix="/openapi", tags=[TAG], route_class=TransactionalRoute)
PRIVATE = {"Cache-Control": "private, no-store"}

TAG_DESCRIPTION = """
RPC functions for ERP/CRM packages at `/openapi/<version>/<function>/?token=<token>`.

**The token** is the company's connector token (page *Settings → Start → ERP/CRM*:
choose your software package and press *Save*; the token then shows and never changes).
It travels as the `token` query parameter on every call, POST too. A missing or wrong
token answers 401 with messages `["unauthorized"]`; a token sent twice answers 400.

**Every answer** is the envelope `{"code", "messages", "response"}`: `code` is 200 on
success and the HTTP status otherwise, `messages` says what went wrong, `response` is
the function's result (`null` on failure). Answers carry `Cache-Control: private,
no-store`. An unknown version or function answers 404 in the envelope. Refusals made
before the token is read (plain HTTP where HTTPS is required, too many calls from one
address without a token, an unexpected error) are problem documents, as on `/v1`.

**Versions** are whole numbers that grow by one with each new variant; a function keeps
its behaviour within a version. Every function answers GET and POST alike.
"""

Handler = Callable[[AsyncSession, Principal, Request], Awaitable[Any]]


class ConnectorAnswer(BaseModel):
    code: int = Field(description="200 on success; otherwise the HTTP status",
                      examples=[200])
    messages: list[str] = Field(description="Empty on success; what went wrong otherwise",
                                examples=[[]])


class ConnectorError(ConnectorAnswer):
    """A connector call that failed."""

    code: int = Field(description="The HTTP status", examples=[401])
    messages: list[str] = Field(description="What went wrong", examples=[["unauthorized"]])
    response: None = Field(description="Always null")


class ConnectorVersions(ConnectorAnswer):
    """The connector's versions."""

    response: list[str] = Field(description="Every version, oldest first", examples=[["1"]])


class ConnectorCompany(BaseModel):
    """The company that the connector token belongs to."""

    id: int
    name: str
    erp_package: str | None = Field(description="The ERP/CRM package chosen on the "
                                    "settings page", examples=["BouwOffice"])


class GetCompanyAnswer(ConnectorAnswer):
    """The answer of `GetCompany`."""

    response: ConnectorCompany


async def get_company_info(session: AsyncSession, principal: Principal, _request: Request):
    company = await get_company(session, principal.company_id)
    return {"id": company.id, "name": company.name, "erp_package": company.erp_package}


@dataclass(frozen=True)
class Function:
    handler: Handler
    #: The method a client is shown first; both are served and documented.
    method: str
    answer: type[ConnectorAnswer]
    summary: str
    description: str


#: version → function name → function. The work-order functions join in a later version.
FUNCTIONS: dict[str, dict[str, Function]] = {
    "1": {
        "GetCompany": Function(
            get_company_info, "GET", GetCompanyAnswer,
            summary="GetCompany: the company the token belongs to",
            description="Its id, its name and the ERP/CRM package chosen on the settings "
            "page. Takes no other parameter.",
        ),
    },
}


def envelope(code: int, messages: list[str], response: Any = None) -> JSONResponse:
    return JSONResponse(
        {"code": code, "messages": messages, "response": response},
        status_code=code, headers=PRIVATE,
    )


async def versions() -> JSONResponse:
    return envelope(200, [], sorted(FUNCTIONS, key=int))


async def call(version: str, function: str, request: Request, session: Session):
    tokens = request.query_params.getlist("token")
    if len(tokens) > 1:  # Starlette would keep the last one; which was meant is unknown
        return envelope(400, ["token may be sent once"])
    token = tokens[0] if tokens else None
    if not token:
        return envelope(401, ["unauthorized"])
    try:
        principal = await admit(request, schemes.resolve_connector(request, session, token))
    except Unauthorized:
        return envelope(401, ["unauthorized"])
    except Forbidden as problem:
        return envelope(403, ["forbidden", problem.detail or ""])
    except RateLimited as problem:
        answer = envelope(429, ["rate limited", problem.detail or ""])
        answer.headers.update(problem.headers)
        return answer
    handlers = FUNCTIONS.get(version)
    if handlers is None:
        return envelope(404, [f"unknown version {version}; see /openapi/versions"])
    entry = handlers.get(function)
    if entry is None:
        return envelope(404, [f"unknown function {function} in version {version}"])
    try:
        return envelope(200, [], await entry.handler(session, principal, request))
    except Problem as problem:
        return envelope(problem.status, [problem.title, problem.detail or ""])


# -- the OpenAPI description ---------------------------------------------------------------

TOKEN_PARAMETER = {
    "name": "token",
    "in": "query",
    # Required for an answer other than 401; a call without it still gets the envelope.
    "required": True,
    "description": "The company's connector token (page Settings → Start → ERP/CRM).",
    "schema": {"type": "string"},
    "example": "wlc_...",
}
CACHE_CONTROL = {
    "Cache-Control": {"required": True, "schema": {"type": "string"},
                      "example": PRIVATE["Cache-Control"]},
}


def problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}}


def envelope_or_problem() -> dict[str, Any]:
    """The envelope first: a generated client parses a status by its first media type,
    and the envelope is what a connector client with a token meets. FastAPI fills the
    empty entry with the ``model``'s schema (and mutates what it is given, hence new
    dicts every time)."""
    return {"application/json": {}, **problem_content()}


def unexpected() -> dict[str, Any]:
    return {"description": "Unexpected error (problem document, code 0); quote the traceId",
            "content": problem_content()}


def function_responses() -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "The function's result in the envelope",
              "headers": CACHE_CONTROL},
        400: {"model": ConnectorError, "headers": CACHE_CONTROL,
              "description": "`token` was sent more than once: messages "
              "`[\"token may be sent once\"]`"},
        401: {"model": ConnectorError, "headers": CACHE_CONTROL,
              "description": "The token is missing, unknown or revoked: messages "
              "`[\"unauthorized\"]`"},
        403: {"model": ConnectorError, "content": envelope_or_problem(),
              "description": "API access is switched off for the company (envelope); or "
              "plain HTTP where HTTPS is required (problem document, code 6)"},
        429: {"model": ConnectorError, "content": envelope_or_problem(),
              "description": "Too many calls with this token (envelope); or too many calls "
              "from this address without a token (problem document, code 4)"},
        500: unexpected(),
    }


VERSIONS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The versions in the envelope", "headers": CACHE_CONTROL},
    403: {"description": "Plain HTTP where HTTPS is required (problem document, code 6)",
          "content": problem_content()},
    429: {"description": "Too many calls from this address (problem document, code 4)",
          "content": problem_content()},
    500: unexpected(),
}


def operation_id(version: str, name: str) -> str:
    """``GetCompany`` → ``get_company``; a later version's ``get_company_v2``, so that
    version 1's id never changes when a version is added."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return snake if version == "1" else f"{snake}_v{version}"


def _documented(version: str, name: str) -> Callable[..., Awaitable[JSONResponse]]:
    async def endpoint(request: Request, session: Session) -> JSONResponse:
        return await call(version, name, request, session)

    return endpoint


# Both methods are served and so both are documented: a client (or a fuzzer) must be able
# to tell from the document that POST is as good as GET, the seed's "ook bij een POST".
for _method in ("GET", "POST"):
    router.add_api_route(
        "/versions", versions, methods=[_method], response_model=ConnectorVersions,
        summary="The connector's versions", description="Needs no token.",
        responses=VERSIONS_RESPONSES,
        operation_id="list_connector_versions" + ("" if _method == "GET" else "_post"),
    )
for _version, _functions in FUNCTIONS.items():
    for _name, _function in _functions.items():
        for _method in ("GET", "POST"):
            router.add_api_route(
                f"/{_version}/{_name}/", _documented(_version, _name), methods=[_method],
                response_model=_function.answer,
                summary=_function.summary, description=_function.description,
                responses=function_responses(), openapi_extra={"parameters": [TOKEN_PARAMETER]},
                operation_id=operation_id(_version, _name)
                + ("" if _method == _function.method else f"_{_method.lower()}"),
            )
router.add_api_route("/{version}/{function}/", call, methods=["GET", "POST"],
                     include_in_schema=False)
