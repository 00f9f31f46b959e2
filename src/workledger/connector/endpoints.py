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
from workledger.connector import documents, employees, work_orders
from workledger.connector.protocol import (
    CODES,
    MISSING_TOKEN,
    UNAUTHORIZED,
    UNPARSABLE_VALUE,
    Call,
    ConnectorFault,
    read_call,
)
from workledger.kit.openapi import register_schemas
from workledger.kit.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_SCHEMA_REF,
    Forbidden,
    Problem,
    RateLimited,
    Unauthorized,
    ValidationProblem,
)
from workledger.kit.session import TransactionalRoute, open_session

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
success, otherwise a connector code (below) or the HTTP status; `messages` says what
went wrong, `response` is the function's result (`null` on failure). Answers carry
`Cache-Control: private, no-store`. A refused call changes nothing. An unknown version
or function answers 404 in the envelope. Refusals made before the token is read (plain
HTTP where HTTPS is required, too many calls from one address without a token, an
unexpected error) are problem documents, as on `/v1`.

**Versions** are whole numbers that grow by one with each new variant; a function keeps
its behaviour within a version. Every function answers GET and POST alike; parameters
come in the query string or as members of a JSON object body.

**Codes** besides the HTTP statuses (403 API access off, 404 unknown version or
function, 422 a rule of the `/v1` resource, 429 too many calls):

| code | meaning |
|---|---|
""" + "\n".join(f"| {code} | {meaning} |" for code, meaning in CODES.items()) + """

Dates are `DD-MM-YYYY` (`YYYY-MM-DD` is accepted too), times `HH:MM`, moments
`DD-MM-YYYY HH:MM:SS` in UTC. See the connector guide (docs/connector.md).
"""

Handler = Callable[[AsyncSession, Principal, Call], Awaitable[Any]]


class ConnectorAnswer(BaseModel):
    code: int = Field(description="200 on success; otherwise a connector code (1002, "
                      "1004, 1009, 1101, 1500, 1501, 1504) or the HTTP status",
                      examples=[200])
    messages: list[str] = Field(description="Empty on success; what went wrong otherwise",
                                examples=[[]])


class ConnectorError(ConnectorAnswer):
    """A connector call that failed."""

    code: int = Field(description="A connector code (1002 no token, 1004 unknown token, "
                      "1009 body not JSON, 1101 employee field missing, 1500 no such work "
                      "order, 1501 work-order field missing, 1504 a value that does not "
                      "parse) or the HTTP status", examples=[1004])
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


async def get_company_info(session: AsyncSession, principal: Principal, _call: Call):
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
    #: OpenAPI parameter objects besides ``token``.
    parameters: tuple[dict[str, Any], ...] = ()
    #: The JSON body's schema (a component), if the function reads one.
    body: dict[str, Any] | None = None
    #: Whether it may write: on SQLite its transaction takes the write lock up front.
    writes: bool = False
    #: Refusals besides those of every function: status → description.
    refusals: tuple[tuple[int, str], ...] = ()


#: version → function name → function. A version never changes; a new variant is a new
#: version (its operation ids end in ``_v<version>``).
FUNCTIONS: dict[str, dict[str, Function]] = {
    "1": {
        "GetCompany": Function(
            get_company_info, "GET", GetCompanyAnswer,
            summary="GetCompany: the company the token belongs to",
            description="Its id, its name and the ERP/CRM package chosen on the settings "
            "page. Takes no other parameter.",
        ),
        "PostEmployees": Function(
            employees.post_employees, "POST", documents.PostEmployeesAnswer,
            summary="PostEmployees: create or update employees by number",
            description="All or nothing: one refused employee stores none. They then show "
            "on the ERP/CRM settings page and can be named on work orders by `number`.",
            body=documents.array_body(documents.ConnectorEmployee, "employees"),
            writes=True,
            refusals=((400, "1009 the body is not JSON; 1101 an employee lacks `number` "
                       "or both names; 1504 a value that does not parse, an unknown field, "
                       "a number sent twice"),),
        ),
        "GetEmployees": Function(
            employees.get_employees, "GET", documents.GetEmployeesAnswer,
            summary="GetEmployees: every employee of the company",
            description="By number. Takes no other parameter.",
        ),
        "PostWorkorders": Function(
            work_orders.post_workorders, "POST", documents.PostWorkordersAnswer,
            summary="PostWorkorders: create or update work orders by WorkorderNo",
            description="All or nothing. The answer gives each one's `row_id`, its id on "
            "`/v1/work-orders`. Dates are `DD-MM-YYYY`, times `HH:MM`.",
            body=documents.array_body(documents.ConnectorWorkorderPost, "work orders"),
            writes=True,
            refusals=((400, "1009 the body is not JSON; 1501 a work order lacks "
                       "`WorkorderNo`; 1504 a value that does not parse, an unknown field "
                       "or employee number"),
                      (422, "A rule of `/v1/work-orders`: a status change the table does "
                       "not allow, materials short in stock on completion (3008), a "
                       "customer the company does not have")),
        ),
        "GetWorkorders": Function(
            work_orders.get_workorders, "GET", documents.GetWorkordersAnswer,
            summary="GetWorkorders: work orders by status; Compleet ones become "
            "Afgehandeld",
            description="With `update_status=true` (the default) the Compleet work orders "
            "returned become Afgehandeld in the same transaction that selects them: "
            "concurrent pollers never receive the same one, and none becomes Afgehandeld "
            "without being in an answer. An answer lost on the network loses its work "
            "orders from the Compleet list, so the safe flow is `update_status=false`, "
            "process, then confirm each with `GetWorkorder?row_id=…` (update_status "
            "defaults to true there)." + documents.BODY_NOTE,
            parameters=(
                documents.query("status", "Which work orders (default Compleet)",
                                {"type": "string", "enum": ["Alle", "Klaargezet",
                                                            "Opgehaald", "Compleet",
                                                            "Afgehandeld"]},
                                example="Compleet"),
                documents.query("update_status", "Compleet → Afgehandeld for those "
                                "returned (default true)", {"type": "boolean"},
                                example=False),
                documents.query("limit", "At most this many (default 100)",
                                {"type": "integer", "minimum": 1,
                                 "maximum": work_orders.MAX_LIMIT}, example=100),
                documents.query("after_row_id", "Only those with a larger row_id: the "
                                "last row_id of the previous answer, to page on",
                                {"type": "integer", "minimum": 0}, example=0),
            ),
            writes=True,
            refusals=((400, "1504 a parameter that does not parse"),),
        ),
        "GetWorkorder": Function(
            work_orders.get_workorder, "GET", documents.WorkorderAnswer,
            summary="GetWorkorder: one work order by row_id or WorkorderNo",
            description="With `update_status=true` (the default) a Compleet work order "
            "becomes Afgehandeld: the confirmation step of the safe flow."
            + documents.BODY_NOTE,
            parameters=(documents.ROW_ID, documents.WORKORDER_NO,
                        documents.query("update_status", "Compleet → Afgehandeld (default "
                                        "true)", {"type": "boolean"}, example=True)),
            writes=True,
            refusals=((400, "1501 neither `row_id` nor `workorder_no`; 1504 a parameter "
                       "that does not parse"),
                      (404, "1500 no such work order")),
        ),
        "UpdateWorkorder": Function(
            work_orders.update_workorder, "POST", documents.WorkorderAnswer,
            summary="UpdateWorkorder: status, sub-status, planned date or employee",
            description="Answers the work order as it is now." + documents.BODY_NOTE,
            parameters=(documents.ROW_ID, documents.WORKORDER_NO,
                        documents.query("status", "The new status (the status table of "
                                        "PostWorkorders applies)",
                                        {"type": "string", "enum": ["Klaargezet",
                                                                    "Opgehaald", "Compleet",
                                                                    "Afgehandeld"]},
                                        example="Afgehandeld"),
                        documents.query("work_status", "Free text: your own sub-status",
                                        {"type": "string", "maxLength": 100},
                                        example="Parts ordered"),
                        documents.query("planned_date", documents.DATE + "; empty clears",
                                        {"type": "string"}, example="03-12-2026"),
                        documents.query("employee_number", "The one employee assigned, by "
                                        "number; empty unassigns", {"type": "string"},
                                        example="T-07")),
            writes=True,
            refusals=((400, "1501 neither `row_id` nor `workorder_no`, or nothing to "
                       "change; 1504 a value that does not parse or an unknown employee"),
                      (404, "1500 no such work order"),
                      (422, "A rule of `/v1/work-orders`: a status change the table does "
                       "not allow, materials short in stock on completion (3008)")),
        ),
    },
}


def envelope(status: int, messages: list[str], response: Any = None, *,
             code: int | None = None) -> JSONResponse:
    """The answer of every call; ``code`` is the HTTP ``status`` unless a connector code
    says more."""
    return JSONResponse(
        {"code": code or status, "messages": messages, "response": response},
        status_code=status, headers=PRIVATE,
    )


async def versions() -> JSONResponse:
    return envelope(200, [], sorted(FUNCTIONS, key=int))


async def call(version: str, function: str, request: Request):
    tokens = request.query_params.getlist("token")
    if len(tokens) > 1:  # Starlette would keep the last one; which was meant is unknown
        return envelope(400, ["token may be sent once"])
    token = tokens[0] if tokens else None
    if not token:
        return envelope(401, ["unauthorized"], code=MISSING_TOKEN)
    entry = FUNCTIONS.get(version, {}).get(function)
    session = await open_session(request, write=entry is not None and entry.writes)
    try:
        principal = await admit(request, schemes.resolve_connector(request, session, token))
    except Unauthorized:
        return envelope(401, ["unauthorized"], code=UNAUTHORIZED)
    except Forbidden as problem:
        return envelope(403, ["forbidden", problem.detail or ""])
    except RateLimited as problem:
        answer = envelope(429, ["rate limited", problem.detail or ""])
        answer.headers.update(problem.headers)
        return answer
    if version not in FUNCTIONS:
        return envelope(404, [f"unknown version {version}; see /openapi/versions"])
    if entry is None:
        return envelope(404, [f"unknown function {function} in version {version}"])
    try:
        return envelope(200, [], await entry.handler(session, principal,
                                                     await read_call(request)))
    except ConnectorFault as fault:
        return envelope(fault.status, fault.messages, code=fault.code)
    except ValidationProblem as problem:
        return envelope(400, problem_messages(problem), code=UNPARSABLE_VALUE)
    except Problem as problem:
        return envelope(problem.status, problem_messages(problem))


def problem_messages(problem: Problem) -> list[str]:
    """A problem of the services in the envelope: its code and title, then each
    violation and error (members are named as on ``/v1``)."""
    body = problem.body()
    messages = [f"{body['code']}: {body['title']}"]
    if body.get("detail"):
        messages.append(body["detail"])
    for violation in body.get("violations") or []:
        messages.append(f"{', '.join(violation['memberNames'])}: {violation['errorMessage']}")
    for member, texts in (body.get("errors") or {}).items():
        messages.extend(f"{member}: {text}" for text in texts)
    return messages


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


def function_responses(function: Function) -> dict[int | str, dict[str, Any]]:
    refusals = dict(function.refusals)
    bad = "`token` was sent more than once (code 400)"
    responses: dict[int | str, dict[str, Any]] = {
        200: {"description": "The function's result in the envelope",
              "headers": CACHE_CONTROL},
        400: {"model": ConnectorError, "headers": CACHE_CONTROL,
              "description": f"{bad}; {refusals.pop(400)}" if 400 in refusals else bad},
        401: {"model": ConnectorError, "headers": CACHE_CONTROL,
              "description": "Messages `[\"unauthorized\"]`: code 1002 the token is "
              "missing, 1004 it is unknown or revoked"},
        403: {"model": ConnectorError, "content": envelope_or_problem(),
              "description": "API access is switched off for the company (envelope); or "
              "plain HTTP where HTTPS is required (problem document, code 6)"},
        429: {"model": ConnectorError, "content": envelope_or_problem(),
              "description": "Too many calls with this token (envelope); or too many calls "
              "from this address without a token (problem document, code 4)"},
        500: unexpected(),
    }
    if function.body is not None:
        responses[413] = {"description": "The body is larger than the server's limit "
                          "(problem document, code 8)", "content": problem_content()}
    for status, description in refusals.items():
        responses[status] = {"model": ConnectorError, "headers": CACHE_CONTROL,
                             "description": description}
    return dict(sorted(responses.items(), key=lambda item: str(item[0])))


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
    async def endpoint(request: Request) -> JSONResponse:
        return await call(version, name, request)

    return endpoint


def _extra(function: Function) -> dict[str, Any]:
    extra: dict[str, Any] = {"parameters": [TOKEN_PARAMETER, *function.parameters]}
    if function.body is not None:
        extra["requestBody"] = function.body
    return extra


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
                responses=function_responses(_function),
                openapi_extra=_extra(_function),
                operation_id=operation_id(_version, _name)
                + ("" if _method == _function.method else f"_{_method.lower()}"),
            )
register_schemas(*documents.BODY_SCHEMAS)
router.add_api_route("/{version}/{function}/", call, methods=["GET", "POST"],
                     include_in_schema=False)
