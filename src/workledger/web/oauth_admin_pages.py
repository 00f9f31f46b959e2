"""Staff administration → OAuth applications (seed 002 "Client Credentials").

Staff register an application for the integrator (company, name, logo, website, exact
redirect URIs) and hand over the ``client_id`` and ``client_secret``; the secret shows
once, in the answer to the POST that made it (never in a URL), and can be regenerated.
Disabling an application stops it at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.session import Session
from workledger.kit.types import ObjectId
from workledger.kit.urls import public_base
from workledger.oauth2 import clients
from workledger.web.common import CSRF, PageRoute, StaffUser, redirect, render

router = APIRouter(prefix="/admin/oauth-applications", route_class=PageRoute,
                   include_in_schema=False)
APPLICATIONS = "/admin/oauth-applications"

NOTICES = {
    "updated": N_("The application is saved."),
    "enabled": N_("The application is enabled. Users have to authorize it again."),
    "disabled": N_("The application is disabled: its tokens no longer work and /oauth2/auth "
                   "refuses it."),
}
EMPTY_FORM: dict[str, Any] = {
    "company_name": "", "name": "", "logo_url": "", "website_url": "", "redirect_uris": "",
    "client_type": "confidential",
}


def _form(company_name: str, name: str, logo_url: str, website_url: str, redirect_uris: str,
          client_type: str = "confidential") -> dict[str, Any]:
    return {"company_name": company_name, "name": name, "logo_url": logo_url,
            "website_url": website_url, "redirect_uris": redirect_uris,
            "client_type": client_type}



async def _list(
    request: Request, session: Session, *, status: int = 200,
    errors: dict[str, list[str]] | None = None, form: dict[str, Any] | None = None,
) -> Response:
    return render(
        request, "oauth_applications.html", status=status, title=N_("OAuth applications"),
        applications=await clients.list_all(session), form=form or EMPTY_FORM,
        errors=errors or {},
    )


async def _detail(
    request: Request, session: Session, application_id: int, *, status: int = 200,
    secret: str | None = None, created: bool = False,
    errors: dict[str, list[str]] | None = None, form: dict[str, Any] | None = None,
) -> Response:
    application = await clients.get(session, application_id)
    current = form or _form(
        application.company_name, application.name, application.logo_url,
        application.website_url, "\n".join(application.redirect_uris),
    )
    return render(
        request, "oauth_application.html", status=status, title=application.name,
        application=application, secret=secret, created=created, form=current,
        errors=errors or {}, base_url=public_base(request),
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.get("")
async def application_list(request: Request, session: Session, _user: StaffUser) -> Response:
    return await _list(request, session)


@router.post("", dependencies=CSRF)
async def register_application(
    request: Request,
    session: Session,
    _user: StaffUser,
    company_name: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    logo_url: Annotated[str, Form()] = "",
    website_url: Annotated[str, Form()] = "",
    redirect_uris: Annotated[str, Form()] = "",
    client_type: Annotated[str, Form()] = "confidential",
) -> Response:
    form = _form(company_name, name, logo_url, website_url, redirect_uris, client_type)
    try:
        if client_type not in ("confidential", "public"):
            raise ValidationProblem.single(
                "client_type", N_("choose confidential or public").in_language())
        application, secret = await clients.register(
            session, request.app.state.keyring, company_name=company_name, name=name,
            logo_url=logo_url, website_url=website_url, redirect_uris=redirect_uris,
            public=client_type == "public",
        )
    except ValidationProblem as problem:
        await session.rollback()
        return await _list(request, session, status=400, errors=problem.errors, form=form)
    # Shown in this answer only (no redirect: the secret must not travel in a URL).
    return await _detail(request, session, application.id, secret=secret, created=True)


@router.get("/{application_id}")
async def application_detail(
    request: Request, session: Session, _user: StaffUser, application_id: ObjectId
) -> Response:
    return await _detail(request, session, application_id)


@router.post("/{application_id}", dependencies=CSRF)
async def update_application(
    request: Request,
    session: Session,
    _user: StaffUser,
    application_id: ObjectId,
    company_name: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    logo_url: Annotated[str, Form()] = "",
    website_url: Annotated[str, Form()] = "",
    redirect_uris: Annotated[str, Form()] = "",
) -> Response:
    try:
        await clients.update(
            session, application_id, company_name=company_name, name=name,
            logo_url=logo_url, website_url=website_url, redirect_uris=redirect_uris,
        )
    except ValidationProblem as problem:
        await session.rollback()
        form = _form(company_name, name, logo_url, website_url, redirect_uris)
        return await _detail(request, session, application_id, status=400,
                             errors=problem.errors, form=form)
    return redirect(f"{APPLICATIONS}/{application_id}?done=updated")


@router.post("/{application_id}/secret", dependencies=CSRF)
async def regenerate_secret(
    request: Request, session: Session, _user: StaffUser, application_id: ObjectId
) -> Response:
    secret = await clients.regenerate_secret(session, request.app.state.keyring, application_id)
    return await _detail(request, session, application_id, secret=secret)


@router.post("/{application_id}/active", dependencies=CSRF)
async def application_active(
    session: Session, _user: StaffUser, application_id: ObjectId, active: Annotated[str, Form()]
) -> Response:
    enabled = active == "1"
    await clients.set_active(session, application_id, enabled)
    return redirect(f"{APPLICATIONS}/{application_id}?done={'enabled' if enabled else 'disabled'}")
