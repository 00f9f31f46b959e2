"""``POST /v1/Account/token`` (short-lived Bearer tokens, seed 000) and ``GET /v1/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, Security
from pydantic import BaseModel, StrictStr, StringConstraints
from sqlalchemy import select

from workledger.auth import schemes
from workledger.auth.administration import (
    SESSION_TOKEN_LIFETIME,
    authenticate_user,
    issue_session_token,
)
from workledger.auth.dependencies import (
    ANY_CHALLENGE,
    admin_header,
    admit,
    authorization_header,
    basic_auth,
    credential_header,
    current_principal,
)
from workledger.auth.principal import Principal
from workledger.auth.schemes import client_address
from workledger.kit.body import InputModel
from workledger.kit.listing import allow_parameters, language
from workledger.kit.problems import BadRequest, Forbidden, problem_responses
from workledger.kit.session import Session, TransactionalRoute
from workledger.models import ApiUser, AutomationUser, Company, User

router = APIRouter(
    prefix="/v1", route_class=TransactionalRoute, tags=["Account"], dependencies=[language]
)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenRequest(InputModel):
    username: Annotated[StrictStr, StringConstraints(min_length=1, max_length=254)]
    password: Annotated[StrictStr, StringConstraints(min_length=1, max_length=1024)]


@router.post(
    "/Account/token",
    response_model=str,
    summary="Get a short-lived token (60 minutes)",
    description="Exchange your account e-mail and password for a token to send as "
    "`Authorization: Bearer <token>`. Wrong credentials answer 400 \"Bad Request\". "
    "First-party use only; strictly rate-limited per address and per username.",
    responses={
        200: {
            "description": "The token, a JSON string",
            "headers": {
                "X-Expires-In": {
                    "description": "Seconds until the token expires",
                    "required": True,
                    "schema": {"type": "integer"},
                    "example": int(SESSION_TOKEN_LIFETIME.total_seconds()),
                },
                "Cache-Control": {"required": True, "schema": {"type": "string"},
                                  "example": NO_STORE["Cache-Control"]},
            },
        },
        **problem_responses(400, 403, 413, 429, 500, descriptions={
            400: "Wrong username or password (\"Bad Request\", code 3), or a body that is "
            "not valid (code 3) or not JSON (code 5)",
            403: "The user's company has API access switched off, or plain HTTP where "
            "HTTPS is required (code 6)",
            429: "Too many calls from this address, or too many failed sign-ins for this "
            "username or from this address (code 4)",
        }),
    },
    openapi_extra={"security": []},
    dependencies=[allow_parameters()],
    operation_id="create_account_token",
)
async def account_token(request: Request, session: Session, body: TokenRequest) -> Response:
    guard, address = request.app.state.login_guard, client_address(request)
    await guard.check(address, body.username)
    user = await authenticate_user(session, body.username, body.password)
    if user is None:
        await guard.failed(address, body.username)
        raise BadRequest("The username or password is incorrect.")
    if user.company_id is not None:
        api_access = await session.scalar(
            select(Company.api_access).where(Company.id == user.company_id)
        )
        if not api_access:
            raise Forbidden(schemes.API_ACCESS_OFF.in_language())
    token = await issue_session_token(session, request.app.state.keyring, user)
    return Response(f'"{token}"', media_type="application/json",
                    headers={**NO_STORE, "X-Expires-In": str(int(
                        SESSION_TOKEN_LIFETIME.total_seconds()))})


class CompanyRef(BaseModel):
    id: int
    name: str


class Me(BaseModel):
    kind: str
    company: CompanyRef | None
    permissions: list[str]
    user: dict[str, str | int] | None
    credential_id: int | None


async def _any_principal(
    request: Request,
    session: Session,
    _authorization: Annotated[str | None, Security(authorization_header)] = None,
    _admin_token: Annotated[str | None, Security(admin_header)] = None,
    _basic: Annotated[object, Security(basic_auth)] = None,
) -> Principal:
    authorization = await credential_header(request, "Authorization", ANY_CHALLENGE)
    admin_token = await credential_header(request, "X-API-Authorization",
                                          'Key realm="workledger"')
    if admin_token and not authorization:
        return await admit(
            request, schemes.resolve_company_admin(request, session, admin_token.strip())
        )
    return await current_principal(request, session)


@router.get(
    "/me",
    response_model=Me,
    summary="Who am I",
    description="The caller as the API sees it: the kind of credential, the company, the "
    "permissions. Works with every scheme; never shows a secret.",
    responses=problem_responses(400, 401, 403, 404, 429, 500, descriptions={
        404: "An automation user's `X-Company-Id` names no company (code 2)",
    }),
    dependencies=[allow_parameters()],
    operation_id="get_me",
)
async def me(session: Session, principal: Annotated[Principal, Depends(_any_principal)]) -> Me:
    company = None
    if principal.company_id is not None:
        name = await session.scalar(select(Company.name).where(Company.id == principal.company_id))
        company = CompanyRef(id=principal.company_id, name=name or "")
    user = None
    if principal.user_id is not None:
        model, label = {
            "api_user": (ApiUser, ApiUser.username),
            "automation_user": (AutomationUser, AutomationUser.username),
        }.get(principal.kind, (User, User.email))
        login = await session.scalar(select(label).where(model.id == principal.user_id))
        user = {"id": principal.user_id, "login": login or ""}
    return Me(
        kind=principal.kind,
        company=company,
        permissions=sorted(principal.permissions),
        user=user,
        credential_id=principal.credential_id,
    )
