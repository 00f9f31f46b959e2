"""A company's own pages: where its users pick up their credentials (DESIGN §4.7).

Every company user sees these pages; what replaces or revokes a credential (rotating
the company key, generating an API key, saving the ERP/CRM package) is for company
admins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workledger.auth.administration import (
    DEFAULT_ERP_PACKAGE,
    ERP_PACKAGES,
    choose_erp_package,
    company_key,
    connector_token,
    generate_api_key,
    get_company,
    rotate_company_key,
)
from workledger.companies.service import HANDLING_CHARGES, parse_price, set_handling_charges
from workledger.employees.repository import EmployeeRepository
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.session import Session
from workledger.kit.urls import public_base
from workledger.models import CredentialKind, User, UserRole
from workledger.web.common import (
    CSRF,
    CompanyUser,
    PageRoute,
    redirect,
    render,
    require_company_admin,
)
from workledger.web.queries import active_credential

router = APIRouter(prefix="/settings", route_class=PageRoute, include_in_schema=False)

API_CONFIGURATION = "/settings/external-data-sources/api-configuration"
API_SETTINGS = "/settings/api"
ERP_CRM = "/settings/start/erp-crm"
#: The connector face's current version (seed 003: the number goes up with each variant).
CONNECTOR_VERSION = 1

INVOICING = "/settings/invoicing"
NOTICES = {
    "rotated": N_("A new company key was made. The previous one no longer works."),
    "erp_saved": N_("Your software package is saved."),
    "charges_saved": N_("The handling charges are saved. Deliveries from now on charge them."),
}


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def _is_admin(user: User) -> bool:
    return user.role == UserRole.admin



@router.get("")
async def overview(request: Request, session: Session, user: CompanyUser) -> Response:
    company = await get_company(session, user.company_id)
    return render(request, "settings.html", title=N_("Settings"), company=company)


@router.get("/external-data-sources/api-configuration")
async def api_configuration(request: Request, session: Session, user: CompanyUser) -> Response:
    company = await get_company(session, user.company_id)
    key = await company_key(session, request.app.state.keyring, company.id)
    errors = {}
    if request.query_params.get("error") == "confirm":
        errors["confirm"] = [
            N_("Tick the box to confirm that the current token stops working.").in_language()
        ]
    return render(
        request, "api_configuration.html", title=N_("API configuration"), company=company,
        key=key, can_rotate=_is_admin(user), base_url=public_base(request),
        notice=_notice(request), errors=errors,
    )


@router.post("/external-data-sources/api-configuration/rotate", dependencies=CSRF)
async def rotate_key(
    request: Request,
    session: Session,
    user: CompanyUser,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    require_company_admin(user, N_("Only a company admin can rotate the company key."))
    if not confirm:
        # A redirect, not a 400 page: the key shown must be one that was committed.
        return redirect(f"{API_CONFIGURATION}?error=confirm")
    await rotate_company_key(session, request.app.state.keyring, user.company_id)
    return redirect(f"{API_CONFIGURATION}?done=rotated")


async def _api_settings(
    request: Request, session: Session, user: User, *, email: str | None = None,
    key: str | None = None,
) -> Response:
    company = await get_company(session, user.company_id)
    current = await active_credential(session, company.id, CredentialKind.api_key)
    return render(
        request, "api_settings.html", title=N_("API settings"), company=company,
        current=current, new_email=email, new_key=key, can_generate=_is_admin(user),
        base_url=public_base(request),
    )


@router.get("/api")
async def api_settings(request: Request, session: Session, user: CompanyUser) -> Response:
    return await _api_settings(request, session, user)


@router.post("/api/generate-key", dependencies=CSRF)
async def generate_key(request: Request, session: Session, user: CompanyUser) -> Response:
    require_company_admin(user, N_("Only a company admin can generate an API key."))
    email, key = await generate_api_key(
        session, request.app.state.keyring, user.company_id,
        request.app.state.settings.api_email_host,
    )
    # Shown in this answer only (no redirect: the key must not travel in a URL).
    return await _api_settings(request, session, user, email=email, key=key)


async def _erp_crm(
    request: Request, session: Session, user: User, *, status: int = 200,
    errors: dict[str, list[str]] | None = None, chosen: str | None = None,
) -> Response:
    company = await get_company(session, user.company_id)
    token = await connector_token(session, request.app.state.keyring, company.id)
    employees = await EmployeeRepository(session, company.id).by_number()
    return render(
        request, "erp_crm.html", status=status, title=N_("ERP/CRM Overview"), company=company,
        employees=employees,
        packages=ERP_PACKAGES, chosen=chosen or company.erp_package or DEFAULT_ERP_PACKAGE,
        token=token, can_save=_is_admin(user), version=CONNECTOR_VERSION,
        base_url=public_base(request), notice=_notice(request), errors=errors or {},
    )


@router.get("/start/erp-crm")
async def erp_crm(request: Request, session: Session, user: CompanyUser) -> Response:
    return await _erp_crm(request, session, user)


@router.post("/start/erp-crm", dependencies=CSRF)
async def save_erp_package(
    request: Request,
    session: Session,
    user: CompanyUser,
    package: Annotated[str, Form()] = DEFAULT_ERP_PACKAGE,
) -> Response:
    require_company_admin(user, N_("Only a company admin can choose the software package."))
    try:
        await choose_erp_package(session, request.app.state.keyring, user.company_id, package)
    except ValidationProblem as problem:
        return await _erp_crm(
            request, session, user, status=400, errors=problem.errors or {}, chosen=package
        )
    return redirect(f"{ERP_CRM}?done=erp_saved")


async def _invoicing(
    request: Request, session: Session, user: User, *, status: int = 200,
    errors: dict[str, list[str]] | None = None, sent: dict[str, str] | None = None,
) -> Response:
    company = await get_company(session, user.company_id)
    shown = {name: f"{getattr(company, name):f}".rstrip("0").rstrip(".") or "0"
             for name in HANDLING_CHARGES}
    return render(
        request, "invoicing.html", status=status, title=N_("Invoicing"), company=company,
        prices={**shown, **(sent or {})}, can_save=_is_admin(user), notice=_notice(request),
        errors=errors or {},
    )


@router.get("/invoicing")
async def invoicing(request: Request, session: Session, user: CompanyUser) -> Response:
    return await _invoicing(request, session, user)


@router.post("/invoicing", dependencies=CSRF)
async def save_handling_charges(
    request: Request,
    session: Session,
    user: CompanyUser,
    handling_charge_per_order: Annotated[str, Form()] = "",
    handling_charge_per_line: Annotated[str, Form()] = "",
) -> Response:
    """The handling charges a delivery adds as invoice charges (DESIGN §8); the same
    settings as ``PATCH /v1/company/settings``."""
    require_company_admin(user, N_("Only a company admin can change the handling charges."))
    sent = {"handling_charge_per_order": handling_charge_per_order,
            "handling_charge_per_line": handling_charge_per_line}
    prices, errors = {}, {}
    for name, raw in sent.items():
        try:
            prices[name] = parse_price(name, raw)
        except ValidationProblem as problem:
            errors.update(problem.errors or {})
    if errors:
        return await _invoicing(request, session, user, status=400, errors=errors, sent=sent)
    await set_handling_charges(session, user.company_id, prices)
    return redirect(f"{INVOICING}?done=charges_saved")
