"""The company's management endpoints (``X-API-Authorization``, seed 002)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from workledger.auth import credentials
from workledger.auth.administration import ERP_PACKAGES, get_company
from workledger.auth.dependencies import CompanyAdmin
from workledger.companies.service import set_handling_charges
from workledger.kit.body import InputModel, apply_values, check_read_only, sent_values
from workledger.kit.listing import allow_parameters, language
from workledger.kit.problems import problem_responses
from workledger.kit.session import Session, TransactionalRoute
from workledger.kit.types import Money, MoneyOut, ObjectId, text

no_parameters = [allow_parameters()]
router = APIRouter(
    prefix="/v1/company", tags=["Company management"], route_class=TransactionalRoute,
    dependencies=[*no_parameters, language],
)
#: What the company admin token's endpoints can answer. No 404 without an id in the path:
#: the token's company always exists (companies are never deleted; their credentials
#: would go with them).
ADMIN_ERRORS = {
    400: "An unknown query parameter or an invalid `language_code` (code 3)",
    401: "Missing, unknown or revoked company admin token (code 1)",
    403: "API access is switched off for the company, or plain HTTP where HTTPS is "
    "required (code 6)",
}


class CredentialInfo(BaseModel):
    """A credential as its owner may see it: never the secret, only its first characters."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    hint: str = Field(description="The first characters of the secret")
    login: str | None = Field(description="The API e-mail of an API key")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class CompanySettings(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    api_access: bool = Field(description="Switched by staff; read-only here")
    erp_package: str | None
    handling_charge_per_order: MoneyOut = Field(
        description="The invoice charge (`handling_order`) each delivery adds, excluding "
        "tax; 0 adds none")
    handling_charge_per_line: MoneyOut = Field(
        description="The invoice charge (`handling_line`) per delivered line each delivery "
        "adds, excluding tax; 0 adds none")


class CompanySettingsUpdate(InputModel):
    id: int | None = Field(None, description="Read-only")
    api_access: bool | None = Field(None, description="Read-only: staff switch it")
    name: text(200, 1) | None = None
    erp_package: Literal[ERP_PACKAGES] | None = None  # type: ignore[valid-type]
    handling_charge_per_order: Money | None = Field(
        None, description="Per delivery, excluding tax; 0 charges nothing")
    handling_charge_per_line: Money | None = Field(
        None, description="Per delivered line, excluding tax; 0 charges nothing")


@router.get(
    "/credentials", response_model=list[CredentialInfo],
    responses=problem_responses(400, 401, 403, 429, 500, descriptions=ADMIN_ERRORS),
    summary="List the company's working credentials",
    operation_id="list_company_credentials",
)
async def list_credentials(session: Session, principal: CompanyAdmin) -> list[CredentialInfo]:
    rows = await credentials.active(session, principal.company_id)
    return [CredentialInfo.model_validate(row) for row in rows]


@router.delete(
    "/credentials/{object_id}", response_model=CredentialInfo,
    responses=problem_responses(400, 401, 403, 404, 429, 500, descriptions={
        **ADMIN_ERRORS,
        400: "An id that is not a positive integer, an unknown query parameter or an "
        "invalid `language_code` (code 3)",
        404: "The company has no credential with this id (code 2)",
    }),
    summary="Revoke a credential (effective on the next request)",
    description="Revoking a credential that is already revoked answers it unchanged.",
    operation_id="revoke_company_credential",
)
async def revoke_credential(
    object_id: ObjectId, session: Session, principal: CompanyAdmin
) -> CredentialInfo:
    row = await credentials.revoke(session, principal.company_id, object_id)
    return CredentialInfo.model_validate(row)


@router.get(
    "/settings", response_model=CompanySettings,
    responses=problem_responses(400, 401, 403, 429, 500, descriptions=ADMIN_ERRORS),
    summary="Read the company's settings",
    operation_id="get_company_settings",
)
async def read_settings(session: Session, principal: CompanyAdmin) -> CompanySettings:
    return CompanySettings.model_validate(await get_company(session, principal.company_id))


@router.patch(
    "/settings", response_model=CompanySettings,
    responses=problem_responses(400, 401, 403, 413, 429, 500, descriptions={
        **ADMIN_ERRORS,
        400: "A member that is not valid (a name too long, an unknown `erp_package`, a "
        "negative price or one with more than 4 decimals, a read-only member that differs "
        "from its value), an unknown query parameter or "
        "an invalid `language_code` (code 3); a body that is not JSON (code 5)",
    }),
    summary="Change the company's settings (partial)",
    description="Only the members sent change. `id` and `api_access` are read-only: "
    "sending their current value is allowed, another value is a 400.",
    operation_id="update_company_settings",
)
async def change_settings(
    session: Session, principal: CompanyAdmin, body: CompanySettingsUpdate
) -> CompanySettings:
    company = await get_company(session, principal.company_id)
    values = sent_values(body)
    check_read_only(values, ("id", "api_access"), company)
    apply_values(company, values, ("name", "erp_package"))
    await set_handling_charges(session, company.id, values)
    return CompanySettings.model_validate(company)
