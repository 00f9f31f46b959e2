"""Log in and out of the pages (e-mail and password; DESIGN §3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workledger.auth.administration import authenticate_user
from workledger.kit.i18n import N_
from workledger.kit.session import Session
from workledger.web.common import (
    CSRF,
    PageRoute,
    landing,
    redirect,
    render,
    safe_next,
    session_user,
)
from workledger.web.sessions import end_session, start_user_session

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The same words whatever was wrong, so the page does not tell which e-mails exist.
LOGIN_FAILED = N_("The e-mail address or password is not right, or the account is disabled.")


@router.get("/login")
async def login_form(request: Request, session: Session, next: str | None = None) -> Response:
    user = await session_user(request, session)
    if user is not None:
        return redirect(safe_next(next) or landing(user))
    notice = N_("You are logged out.") if request.query_params.get("logged_out") else None
    return render(
        request, "login.html", title=N_("Log in"), next=safe_next(next) or "", email="",
        notice=notice, failed=None,
    )


@router.post("/login", dependencies=CSRF)
async def login(
    request: Request,
    session: Session,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    # The sign-in limits shared with the API's password checks (DESIGN §4.6): a refusal
    # is a 429 page, before any password is checked.
    guard = request.app.state.login_guard
    address = request.client.host if request.client else "unknown"
    await guard.check(address, email)
    user = await authenticate_user(session, email, password) if email and password else None
    if user is None:
        await guard.failed(address, email)
        return render(
            request, "login.html", status=400, title=N_("Log in"), next=safe_next(next) or "",
            email=email, failed=LOGIN_FAILED.in_language(),
        )
    start_user_session(request, user.id)
    return redirect(safe_next(next) or landing(user))


@router.post("/logout", dependencies=CSRF)
async def logout(request: Request) -> Response:
    end_session(request)
    return redirect("/login?logged_out=1")
