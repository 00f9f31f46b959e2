"""Staff administration: API for goods owners and API for automation (seed 001)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workledger.auth.administration import (
    INTEGRATION_SYSTEMS,
    create_api_user,
    create_automation_user,
    delete_api_user,
    get_api_user,
    get_company,
    issue_company_admin_token,
    list_api_users,
    list_automation_users,
    set_api_access,
    set_automation_user_active,
    update_api_user,
)
from workledger.auth.mail import send_api_user_credentials
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.session import Session
from workledger.kit.types import ObjectId
from workledger.kit.urls import public_base
from workledger.models import CredentialKind
from workledger.oauth2 import clients
from workledger.web.common import CSRF, PageRoute, StaffUser, redirect, render
from workledger.web.queries import active_credential, goods_owners

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

GOODS_OWNERS = "/admin/goods-owners"
AUTOMATION = "/admin/automation"

NOTICES = {
    "access_allowed": N_("API access is allowed. You can create API users now."),
    "access_revoked": N_("API access is revoked: no integration credential of this goods "
                         "owner works until it is allowed again."),
    "api_user_created": N_("The API user was created."),
    "api_user_created_sent": N_("The API user was created and the credentials were e-mailed."),
    "api_user_enabled": N_("The API user is enabled."),
    "api_user_disabled": N_("The API user is disabled: its credentials no longer work."),
    "invoices_allowed": N_("The API user may now see invoicing information."),
    "invoices_blocked": N_("The API user can no longer see invoicing information."),
    "api_user_deleted": N_("The API user was deleted."),
    "automation_created": N_("The automation user was created."),
    "automation_enabled": N_("The automation user is enabled."),
    "automation_disabled": N_("The automation user is disabled: its credentials no longer "
                              "work."),
}
EMPTY_API_USER_FORM: dict[str, Any] = {
    "username": "WSI", "email": "", "integration_system": INTEGRATION_SYSTEMS[0],
    "integration_other": "", "invoices_allowed": False, "send_credentials": False,
}


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def _goods_owner_url(company_id: int, done: str) -> str:
    return f"{GOODS_OWNERS}/{company_id}?done={done}"


@router.get("")
async def administration(request: Request, session: Session, _user: StaffUser) -> Response:
    companies = await goods_owners(session)
    robots = await list_automation_users(session)
    applications = await clients.list_all(session)
    return render(
        request, "admin.html", title=N_("Administration"),
        counts={
            "goods_owners": len(companies),
            "with_access": sum(company.api_access for company in companies),
            "api_users": sum(company.api_users for company in companies),
            "automation_users": len(robots),
            "automation_active": sum(robot.is_active for robot in robots),
            "applications": len(applications),
            "applications_active": sum(app.is_active for app in applications),
        },
    )


@router.get("/goods-owners")
async def goods_owner_list(request: Request, session: Session, _user: StaffUser) -> Response:
    return render(
        request, "goods_owners.html", title=N_("API for goods owners"),
        companies=await goods_owners(session),
    )


async def _goods_owner(
    request: Request, session: Session, company_id: int, *, status: int = 200,
    errors: dict[str, list[str]] | None = None, form: dict[str, Any] | None = None,
    admin_token: str | None = None,
) -> Response:
    company = await get_company(session, company_id)
    return render(
        request, "goods_owner.html", status=status, title=company.name, company=company,
        api_users=await list_api_users(session, company.id),
        systems=INTEGRATION_SYSTEMS, form=form or EMPTY_API_USER_FORM, errors=errors or {},
        admin_token=admin_token,
        current_admin_token=await active_credential(
            session, company.id, CredentialKind.company_admin_token
        ),
        notice=_notice(request), base_url=public_base(request),
        mail_configured=bool(request.app.state.settings.smtp_host),
    )


@router.get("/goods-owners/{company_id}")
async def goods_owner(
    request: Request, session: Session, _user: StaffUser, company_id: ObjectId
) -> Response:
    return await _goods_owner(request, session, company_id)


@router.post("/goods-owners/{company_id}/api-access", dependencies=CSRF)
async def api_access(
    session: Session, _user: StaffUser, company_id: ObjectId, allow: Annotated[str, Form()]
) -> Response:
    allowed = allow == "1"
    await set_api_access(session, company_id, allowed)
    return redirect(_goods_owner_url(company_id, "access_allowed" if allowed else "access_revoked"))


@router.post("/goods-owners/{company_id}/api-users", dependencies=CSRF)
async def new_api_user(
    request: Request,
    session: Session,
    _user: StaffUser,
    company_id: ObjectId,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    integration_system: Annotated[str, Form()] = "",
    integration_other: Annotated[str, Form()] = "",
    invoices_allowed: Annotated[str, Form()] = "",
    send_credentials: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "username": username, "email": email, "integration_system": integration_system,
        "integration_other": integration_other, "invoices_allowed": bool(invoices_allowed),
        "send_credentials": bool(send_credentials),
    }
    try:
        company = await get_company(session, company_id)
        user = await create_api_user(
            session, company_id, username=username, password=password, email=email,
            integration_system=integration_system, integration_other=integration_other,
            invoices_allowed=bool(invoices_allowed),
        )
        if send_credentials:
            # Before the commit: if the mail cannot go out, the user is not created either,
            # and the form says why (the password is nowhere else to be found again).
            await send_api_user_credentials(
                request.app.state.settings, to=user.email, company_name=company.name,
                username=user.username, password=password,
                integration_system=user.integration_system,
            )
    except ValidationProblem as problem:
        await session.rollback()  # the page must not list a user that is not kept
        return await _goods_owner(
            request, session, company_id, status=400, errors=problem.errors or {}, form=form
        )
    done = "api_user_created_sent" if send_credentials else "api_user_created"
    return redirect(_goods_owner_url(company_id, done))


@router.post("/goods-owners/{company_id}/api-users/{user_id}/active", dependencies=CSRF)
async def api_user_active(
    session: Session, _user: StaffUser, company_id: ObjectId, user_id: ObjectId,
    active: Annotated[str, Form()],
) -> Response:
    enabled = active == "1"
    await update_api_user(session, company_id, user_id, active=enabled)
    done = "api_user_enabled" if enabled else "api_user_disabled"
    return redirect(_goods_owner_url(company_id, done))


@router.post("/goods-owners/{company_id}/api-users/{user_id}/invoices", dependencies=CSRF)
async def api_user_invoices(
    session: Session, _user: StaffUser, company_id: ObjectId, user_id: ObjectId,
    invoices_allowed: Annotated[str, Form()] = "",
) -> Response:
    allowed = bool(invoices_allowed)
    await update_api_user(session, company_id, user_id, invoices_allowed=allowed)
    return redirect(
        _goods_owner_url(company_id, "invoices_allowed" if allowed else "invoices_blocked")
    )


@router.get("/goods-owners/{company_id}/api-users/{user_id}/delete")
async def confirm_delete_api_user(
    request: Request, session: Session, _user: StaffUser, company_id: ObjectId, user_id: ObjectId
) -> Response:
    company = await get_company(session, company_id)
    api_user = await get_api_user(session, company_id, user_id)
    return render(
        request, "api_user_delete.html", title=N_("Delete {username}").in_language().format(
            username=api_user.username), company=company,
        api_user=api_user,
    )


@router.post("/goods-owners/{company_id}/api-users/{user_id}/delete", dependencies=CSRF)
async def remove_api_user(
    session: Session, _user: StaffUser, company_id: ObjectId, user_id: ObjectId
) -> Response:
    await delete_api_user(session, company_id, user_id)
    return redirect(_goods_owner_url(company_id, "api_user_deleted"))


@router.post("/goods-owners/{company_id}/admin-token", dependencies=CSRF)
async def admin_token(
    request: Request, session: Session, _user: StaffUser, company_id: ObjectId
) -> Response:
    token = await issue_company_admin_token(session, request.app.state.keyring, company_id)
    # Shown in this answer only (no redirect: the token must not travel in a URL).
    return await _goods_owner(request, session, company_id, admin_token=token)


async def _automation(
    request: Request, session: Session, *, status: int = 200,
    errors: dict[str, list[str]] | None = None, form: dict[str, str] | None = None,
) -> Response:
    return render(
        request, "automation.html", status=status, title=N_("API for automation"),
        users=await list_automation_users(session), errors=errors or {},
        form=form or {"username": "", "description": ""}, notice=_notice(request),
        base_url=public_base(request),
    )


@router.get("/automation")
async def automation(request: Request, session: Session, _user: StaffUser) -> Response:
    return await _automation(request, session)


@router.post("/automation/users", dependencies=CSRF)
async def new_automation_user(
    request: Request,
    session: Session,
    _user: StaffUser,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    try:
        await create_automation_user(
            session, username=username, password=password, description=description
        )
    except ValidationProblem as problem:
        return await _automation(
            request, session, status=400, errors=problem.errors or {},
            form={"username": username, "description": description},
        )
    return redirect(f"{AUTOMATION}?done=automation_created")


@router.post("/automation/users/{user_id}/active", dependencies=CSRF)
async def automation_user_active(
    session: Session, _user: StaffUser, user_id: ObjectId, active: Annotated[str, Form()]
) -> Response:
    enabled = active == "1"
    await set_automation_user_active(session, user_id, enabled)
    return redirect(f"{AUTOMATION}?done=automation_{'enabled' if enabled else 'disabled'}")
