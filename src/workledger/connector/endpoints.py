"""The connector face for ERP/CRM packages: ``/openapi/<version>/<function>/?token=``
(seed 003, DESIGN §8).

The token travels in the URL on every call, POST too, as documented; it is masked in the
access log and every answer carries ``Cache-Control: private, no-store``. Every answer
is the envelope ``{"code", "messages", "response"}``. Versions are whole numbers that
grow by one with each new variant; a function keeps its behaviour within a version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth import schemes
from workledger.auth.administration import get_company
from workledger.auth.dependencies import admit
from workledger.auth.principal import Principal
from workledger.kit.problems import Forbidden, Problem, RateLimited, Unauthorized
from workledger.kit.session import Session, TransactionalRoute

router = APIRouter(prefix="/openapi", tags=["Connector"], route_class=TransactionalRoute)
PRIVATE = {"Cache-Control": "private, no-store"}

Function = Callable[[AsyncSession, Principal, Request], Awaitable[Any]]


async def get_company_info(session: AsyncSession, principal: Principal, _request: Request):
    company = await get_company(session, principal.company_id)
    return {"id": company.id, "name": company.name, "erp_package": company.erp_package}


#: version → function name → handler. The work-order functions join in a later version.
FUNCTIONS: dict[str, dict[str, Function]] = {
    "1": {"GetCompany": get_company_info},
}


def envelope(code: int, messages: list[str], response: Any = None) -> JSONResponse:
    return JSONResponse(
        {"code": code, "messages": messages, "response": response},
        status_code=code, headers=PRIVATE,
    )


async def versions() -> JSONResponse:
    return envelope(200, [], sorted(FUNCTIONS, key=int))


async def call(version: str, function: str, request: Request, session: Session):
    token = request.query_params.get("token")
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
    handler = handlers.get(function)
    if handler is None:
        return envelope(404, [f"unknown function {function} in version {version}"])
    try:
        return envelope(200, [], await handler(session, principal, request))
    except Problem as problem:
        return envelope(problem.status, [problem.title, problem.detail or ""])


for method in ("GET", "POST"):
    router.add_api_route(
        "/versions", versions, methods=[method], summary="The connector's versions",
        operation_id=f"connector_versions_{method.lower()}",
    )
    router.add_api_route(
        "/{version}/{function}/", call, methods=[method],
        summary="Call a connector function",
        description="Authenticate with `?token=<connector token>` (page Settings → Start → "
        "ERP/CRM), on POST too. A missing or wrong token answers 401 with messages "
        "[\"unauthorized\"]. The answer is always `{code, messages, response}`.",
        operation_id=f"connector_call_{method.lower()}",
    )
