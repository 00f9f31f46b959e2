"""What endpoints declare: ``Reader``, ``Writer``, ``InvoiceReader``, ``InvoiceWriter``,
``AutomationCaller``, ``CompanyAdmin``. The ``Authorization`` header is parsed once here;
each scheme's resolver lives in :mod:`workledger.auth.schemes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBasic

from workledger.auth import schemes
from workledger.auth.principal import INVOICES, READ, WRITE, Principal
from workledger.kit import idempotency
from workledger.kit.gates import credential_fault
from workledger.kit.i18n import N_
from workledger.kit.problems import Forbidden, Problem, Unauthorized, ValidationProblem
from workledger.kit.ratelimit import SCOPE_KEY
from workledger.kit.session import Session, get_session

#: Registered in OpenAPI so Swagger's Authorize dialog can send them. The Authorization
#: value includes its scheme: "Key wlk_...", "Bearer wlt_...".
authorization_header = APIKeyHeader(
    name="Authorization",
    scheme_name="CompanyKey",
    description="Paste the token *with* its scheme: `Key wlk_...` (company key; the scheme "
    "may be omitted) or `Bearer wlt_...` (from POST /v1/Account/token).",
    auto_error=False,
)
class _DocumentedBasic(HTTPBasic):
    """Declares Basic in OpenAPI (Swagger's Authorize dialog); the header itself is read
    by :func:`current_principal`, so malformed values get our own problem answer."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


basic_auth = _DocumentedBasic(
    scheme_name="Basic",
    description="API e-mail + API key, a WSI API user, or an automation user.",
    auto_error=False,
)
#: The challenge a 401 names, by the scheme the caller tried (all of them when none).
CHALLENGES = {
    "key": 'Key realm="workledger"',
    "bearer": 'Bearer realm="workledger", error="invalid_token"',
    "basic": 'Basic realm="workledger", charset="UTF-8"',
}
#: No credential at all: the token schemes, without an error (RFC 6750 §3.1). Not Basic:
#: browsers answer a Basic challenge with a login prompt, also inside Swagger UI; Basic
#: clients send their credentials without waiting to be challenged.
ANY_CHALLENGE = 'Key realm="workledger", Bearer realm="workledger"'
admin_header = APIKeyHeader(
    name="X-API-Authorization",
    scheme_name="CompanyAdminToken",
    description="The company admin token issued by staff.",
    auto_error=False,
)
#: The order of ``components.securitySchemes``, which is the order of Swagger UI's
#: Authorize dialog: the company key first (what the quickstart uses), then Basic, then
#: the admin token that only ``/v1/company/...`` takes. Left to FastAPI, the order would
#: follow whichever route happens to be registered first.
SECURITY_SCHEME_ORDER = (
    authorization_header.scheme_name, basic_auth.scheme_name, admin_header.scheme_name,
)


async def credential_header(request: Request, name: str, challenge: str) -> str | None:
    """The one value of a credential header, through the header gate (kit.gates): sent
    once, printable ASCII. Anything else is a 401 before any credential is looked up,
    counted against the address like any credential that fails."""
    values = request.headers.getlist(name)
    fault = credential_fault(values, name)
    if fault:
        await count_against_address(request)
        raise Unauthorized(N_("Malformed credentials: {fault}").say(fault=fault),
                           headers={"WWW-Authenticate": challenge})
    return values[0] if values else None


async def current_principal(
    request: Request,
    # Declared for the OpenAPI document (Swagger's Authorize dialog) only: the route
    # class leaves security schemes out when it runs the dependencies
    # (kit.session.TransactionalRoute), and the header is read below.
    _authorization: Annotated[str | None, Security(authorization_header)] = None,
    _basic: Annotated[object, Security(basic_auth)] = None,
) -> Principal:
    # Read here, not from the parameter: FastAPI hands over the first of several headers.
    authorization = await credential_header(request, "Authorization", ANY_CHALLENGE)
    if not authorization or not authorization.strip():
        raise Unauthorized(
            N_("Missing token: send 'Authorization: Key <company key>', a Bearer token or "
               "HTTP Basic credentials.").in_language(),
            headers={"WWW-Authenticate": ANY_CHALLENGE},
        )
    scheme, _, secret = authorization.strip().partition(" ")
    if not secret:
        scheme, secret = schemes.BARE_TOKEN_SCHEME, scheme
    resolver = schemes.SCHEMES.get(scheme.lower())
    if resolver is None:
        await count_against_address(request)
        known = ", ".join(s.capitalize() for s in schemes.SCHEMES)
        raise Unauthorized(
            N_("Unknown authorization scheme '{scheme}'. Use one of: {known}.").say(
                scheme=scheme, known=known),
            headers={"WWW-Authenticate": ANY_CHALLENGE},
        )
    try:
        # The resolvers read on the request's connection (kit.session.connection): a
        # read-only request opens no session.
        return await admit(request, resolver(request, None, secret.strip()))
    except Unauthorized as problem:
        problem.headers.setdefault("WWW-Authenticate", CHALLENGES[scheme.lower()])
        raise


async def admit(request: Request, resolving: Awaitable[Principal]) -> Principal:
    """Resolve, then count the call: per credential when it resolved, per address when
    it did not (a wrong credential must not buy unlimited attempts)."""
    try:
        principal = await resolving
    except Problem:
        await count_against_address(request)
        raise
    request.state.principal = principal
    limiter = request.app.state.limiter
    policy, item = limiter.item_for(f"{request.method} {route_template(request)}")
    request.scope[SCOPE_KEY] = await limiter.hit(policy, item, principal.rate_limit_key)
    # A POST with Idempotency-Key: claimed per credential once the caller is known, or
    # answered from the stored result (kit.idempotency).
    if request.method == "POST":  # a read must not open a session (kit.session)
        await idempotency.claim(request, await get_session(request), principal.rate_limit_key)
    return principal


def route_template(request: Request) -> str:
    """The matched route's own template (``/v1/orders/{order_id}/lines/{line_id}``), the
    key of per-endpoint limits. Every router carries its full path (no include prefixes),
    so the route's ``path`` is the whole template."""
    route = request.scope.get("route")
    return getattr(route, "path", None) or request.url.path


async def count_against_address(request: Request) -> None:
    limiter = request.app.state.limiter
    policy, item = limiter.item_for(None)
    address = request.client.host if request.client else "unknown"
    request.scope[SCOPE_KEY] = await limiter.hit(policy, item, "address", address)


Caller = Annotated[Principal, Depends(current_principal)]


def require(principal: Principal, *permissions: str) -> Principal:
    """``principal`` if it acts for a company and holds every one of ``permissions``; 403
    (400 for an automation user that named no company) otherwise. Every face checks
    with this."""
    if principal.company_id is None:
        if principal.kind == "automation_user":
            raise ValidationProblem.single(
                "X-Company-Id",
                N_("send X-Company-Id: the company to act on").in_language()
            )
        raise Forbidden(N_("This credential is not tied to a company.").in_language())
    for permission in permissions:
        if not principal.can(permission):
            raise Forbidden(N_("This credential lacks the '{permission}' permission.").say(
                permission=permission))
    return principal


def _requiring(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """One dependency that authenticates and checks ``permissions``: FastAPI resolves
    every dependency on every call, so the check does not depend on another one."""
    async def check(
        request: Request,
        _authorization: Annotated[str | None, Security(authorization_header)] = None,
        _basic: Annotated[object, Security(basic_auth)] = None,
    ) -> Principal:
        return require(await current_principal(request), *permissions)

    return check


Reader = Annotated[Principal, Depends(_requiring(READ))]
Writer = Annotated[Principal, Depends(_requiring(WRITE))]
#: Every invoice resource uses this (seed 001: invoice data is blocked by default).
InvoiceReader = Annotated[Principal, Depends(_requiring(INVOICES))]
#: Writing invoice data (invoice charges) takes both: a read-only token never writes.
InvoiceWriter = Annotated[Principal, Depends(_requiring(WRITE, INVOICES))]


async def _automation_caller(principal: Caller) -> Principal:
    if principal.kind != "automation_user":
        raise Forbidden(N_("Only automation users can call this endpoint.").in_language())
    return principal


AutomationCaller = Annotated[Principal, Depends(_automation_caller)]


async def _company_admin(
    request: Request,
    session: Session,
    _token: Annotated[str | None, Security(admin_header)] = None,
) -> Principal:
    token = await credential_header(request, "X-API-Authorization", 'Key realm="workledger"')
    if not token or not token.strip():
        raise Unauthorized(N_(
            "Missing X-API-Authorization: send the company admin token.").in_language())
    return await admit(request, schemes.resolve_company_admin(request, session, token.strip()))


CompanyAdmin = Annotated[Principal, Depends(_company_admin)]
