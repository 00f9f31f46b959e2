"""``POST /soap/goodsowner`` (SOAP 1.1) and its WSDL at ``GET /soap/goodsowner?wsdl``.

A request goes: body (under the edge's limit) → :func:`envelope.read_request` (safe
parse, envelope, SOAPAction, schema) → the API user of ``UserName`` / ``Password``
through the REST API's own resolver and counting (:func:`auth.dependencies.admit`:
failed logins, API access, the rate limit per credential) → ``GoodsOwnerCode`` must be
that user's company → the operation's permission (:func:`auth.dependencies.require`)
→ the operation (soap.service) in the request's transaction (``TransactionalRoute``:
committed on 200, rolled back on a Fault).

Every refusal is a SOAP 1.1 Fault, HTTP 500 as WS-I Basic Profile R1126 asks, with
``faultcode`` ``soap:Client`` (the request is at fault) or ``soap:Server`` (ours: the
trace id, never a stack trace), and ``detail/FaultDetail`` giving the REST API's code
for the same refusal and the trace id. Not in the OpenAPI document (it describes the
JSON faces); the API description points here and to docs/soap.md.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from workledger.auth import schemes
from workledger.auth.dependencies import admit, count_against_address, require
from workledger.auth.principal import Principal
from workledger.kit.i18n import current_language
from workledger.kit.idempotency import Replay
from workledger.kit.problems import Problem, RateLimited, Unauthorized
from workledger.kit.session import TransactionalRoute, get_session
from workledger.kit.trace import current_trace_id
from workledger.kit.urls import public_base
from workledger.soap import envelope, service
from workledger.soap.envelope import XML_MEDIA_TYPE, Fault, child, text_of

PATH = "/soap/goodsowner"
#: The media type of SOAP 1.1 (SOAP 1.2's application/soap+xml is another protocol).
SOAP_11_MEDIA_TYPE = "text/xml"
WRONG_GOODS_OWNER = ("GoodsOwnerCode does not name the goods owner of this API user.")

log = logging.getLogger("workledger.soap")
router = APIRouter(route_class=TransactionalRoute)


def fault_response(fault: Fault, status: int = 500) -> Response:
    return Response(envelope.fault_document(fault), status_code=status,
                    media_type=XML_MEDIA_TYPE, headers=fault.headers)


def problem_as_fault(problem: Problem) -> Response:
    """The edge's refusals (body too large, plain HTTP in production, rate limit,
    unexpected error) on this face, as Faults (kit.edge ``renderers``)."""
    return fault_response(Fault.from_problem(problem))


@router.get(PATH, include_in_schema=False)
async def wsdl(request: Request) -> Response:
    """The WSDL (``?wsdl``, any case), its address this server's public URL
    (``WORKLEDGER_PUBLIC_URL``, never the ``Host`` header; the sandbox's under
    ``/sandbox``)."""
    if not any(name.lower() == "wsdl" for name in request.query_params):
        # Not a SOAP request (someone looking): 400, not the 500 of a SOAP Fault.
        return fault_response(Fault(
            "Client", f"Send SOAP 1.1 requests with POST to {PATH}; the service "
            f"description is at {PATH}?wsdl."), status=400)
    return Response(envelope.wsdl_for(public_base(request) + PATH), media_type=XML_MEDIA_TYPE)


@router.post(PATH, include_in_schema=False)
async def call(request: Request) -> Response:
    principal: Principal | None = None
    try:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != SOAP_11_MEDIA_TYPE:
            raise Fault("Client", "Send the SOAP 1.1 envelope with Content-Type: text/xml "
                        f"(got '{media_type or 'none'}').", problem_code="5")
        soap = envelope.read_request(await request.body(), request.headers.get("soapaction"))
        language = child(soap.element, "LanguageCode")
        if language is not None:
            current_language.set(envelope.value_of(language, "int"))
        session = await get_session(request)
        principal = await _authenticate(request, session, soap.element)
        operation = service.OPERATIONS[soap.operation]
        require(principal, operation.permission)
        context = service.Context(session, principal.company_id)  # type: ignore[arg-type]
        answer = await service.run(context, soap.operation, soap.element)
        return Response(envelope.answer_document(answer), media_type=XML_MEDIA_TYPE)
    except Replay:
        raise  # the stored answer of an Idempotency-Key replay (kit.idempotency)
    except Fault as fault:
        if principal is None:
            # Like a REST call whose credential never resolved: counted by address.
            limited = await _count_anonymous(request)
            if limited is not None:
                return problem_as_fault(limited)
        return fault_response(fault)
    except Problem as problem:
        # Refused credentials (already counted by admit), permission, rate limit.
        return problem_as_fault(problem)
    except Exception:
        trace = current_trace_id()
        log.exception("SOAP %s failed, trace %s", PATH, trace)
        return fault_response(Fault(
            "Server", f"Unexpected error. Quote trace id {trace} when you contact support.",
            problem_code="0"))


async def _authenticate(request: Request, session, element) -> Principal:
    """The principal of a WSI API user — the one REST resolves for the same user — and
    its company must be the request's ``GoodsOwnerCode`` (the company's id)."""
    principal = await admit(request, schemes.resolve_api_user(
        request, session, text_of(element, "UserName") or "",
        text_of(element, "Password") or ""))
    if text_of(element, "GoodsOwnerCode") != str(principal.company_id):
        raise Unauthorized(WRONG_GOODS_OWNER)
    return principal


async def _count_anonymous(request: Request) -> RateLimited | None:
    try:
        await count_against_address(request)
    except RateLimited as limited:
        return limited
    return None
