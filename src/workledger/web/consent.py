"""The authorization endpoint (seed 002 "Obtain an Authorization Code"): ``GET
/oauth2/auth`` checks the request, sends the person to the login page when needed and
shows the consent page; ``POST /oauth2/auth`` takes the decision and sends them back
to the application with a code (Allow) or ``error=access_denied`` (Deny), with 303.

Authlib validates the request (in a worker thread, as everywhere in
``workledger.oauth2``). An unknown or disabled ``client_id`` or a ``redirect_uri`` that
is not registered exactly cannot be trusted with a redirect: the person sees an error
page. Every other error goes back to the application's ``redirect_uri``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from authlib.oauth2.rfc6749 import OAuth2Error
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workledger.kit.i18n import N_
from workledger.kit.session import Session
from workledger.oauth2.server import (
    WorkledgerAuthorizationServer,
    authorization_request,
    hint_for,
    in_worker,
)
from workledger.oauth2.store import ClientView, OAuthStore, UserView
from workledger.web.common import (
    CSRF,
    CurrentUser,
    PageProblem,
    PageRoute,
    Redirect,
    render,
    session_user,
    viewer_of,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
AUTHORIZE = "/oauth2/auth"
REFUSED_TITLE = N_("This authorization request cannot be accepted")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def consent_policy(client: ClientView, redirect_uri: str) -> str:
    """The pages' policy, plus the logo's origin for images and the redirect URI's
    origin for the form (Chromium applies ``form-action`` to the redirect after the
    POST). Both URLs were checked at registration: no spaces, quotes or semicolons."""
    images = "'self'" + (f" {_origin(client.logo_url)}" if client.logo_url else "")
    return (
        f"default-src 'self'; img-src {images}; frame-ancestors 'none'; "
        f"form-action 'self' {_origin(redirect_uri)}; base-uri 'none'"
    )


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def _validated(request: Request, session: Session):
    """``(server, oauth_request, grant)`` for a valid request, else the refusal: an
    error page when the redirect URI cannot be trusted, a redirect to it otherwise."""
    server = WorkledgerAuthorizationServer(OAuthStore(session, request.app.state.keyring))
    oauth_request = await authorization_request(request)
    try:
        grant = await in_worker(server.get_consent_grant, oauth_request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(oauth_request, error)
        description = error.get_error_description() or error.error
        hint = hint_for(error) or ""
        raise PageProblem(
            400, REFUSED_TITLE,
            N_("The application that sent you here is not registered, is disabled, or asked "
               "to send you back to an address that is not registered for it. Nothing was "
               "shared with it.").in_language()
            # OAuth's own words, as the application's developer will look them up.
            + f" ({error.error}: {description} {hint})".replace(" )", ")"),
        ) from None
    return server, oauth_request, grant


@router.get(AUTHORIZE)
async def authorize(request: Request, session: Session) -> Response:
    validated = await _validated(request, session)
    if isinstance(validated, Response):
        return validated
    _server, _oauth_request, grant = validated
    user = await session_user(request, session)
    if user is None:
        raise Redirect("/login?next=" + quote(_here(request), safe="/"))
    request.state.viewer = await viewer_of(session, user)
    client: ClientView = grant.client
    request.state.content_security_policy = consent_policy(client, grant.redirect_uri)
    return render(
        request, "consent.html", client=client,
        title=N_("Authorize {name}").in_language().format(name=client.name),
        action=_here(request), redirect_host=urlsplit(grant.redirect_uri).netloc,
    )


@router.post(AUTHORIZE, dependencies=CSRF)
async def decide(
    request: Request, session: Session, user: CurrentUser,
    decision: Annotated[str, Form()] = "",
) -> Response:
    if decision not in ("allow", "deny"):
        raise PageProblem(400, N_("Incomplete request"), N_("Choose Allow or Deny."))
    validated = await _validated(request, session)
    if isinstance(validated, Response):
        return validated
    server, oauth_request, grant = validated
    grant_user = UserView(user.id, user.company_id) if decision == "allow" else None
    return await in_worker(server.create_authorization_response, oauth_request, grant_user,
                           grant)
