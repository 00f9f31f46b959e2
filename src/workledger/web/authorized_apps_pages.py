"""Settings → Authorized applications: the OAuth applications a person has allowed to
read their company's data, and Revoke (its tokens stop working on the next request)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workledger.kit.i18n import N_
from workledger.kit.session import Session
from workledger.kit.types import ObjectId
from workledger.oauth2 import clients
from workledger.web.common import CSRF, CompanyUser, PageRoute, redirect, render

router = APIRouter(prefix="/settings/authorized-applications", route_class=PageRoute,
                   include_in_schema=False)
AUTHORIZED = "/settings/authorized-applications"

NOTICES = {
    "revoked": N_("Access is revoked: the application's tokens no longer work."),
    "nothing": N_("That application holds no access to revoke."),
}


@router.get("")
async def authorized_applications(
    request: Request, session: Session, user: CompanyUser
) -> Response:
    return render(
        request, "authorized_applications.html", title=N_("Authorized applications"),
        applications=await clients.authorized_applications(session, user.id),
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.post("/{application_id}/revoke", dependencies=CSRF)
async def revoke(session: Session, user: CompanyUser, application_id: ObjectId) -> Response:
    revoked = await clients.revoke_authorization(session, user.id, application_id)
    return redirect(f"{AUTHORIZED}?done={'revoked' if revoked else 'nothing'}")
