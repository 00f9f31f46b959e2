"""GET/POST /oauth2/auth (seed 002 "Obtain an Authorization Code", "Handling Errors"):
what cannot be trusted gets an error page, never a redirect; everything else goes back
to the application with the documented parameters."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import func, select

from tests.oauth2.conftest import (
    AUTHORIZE,
    REDIRECT_URI,
    authorize_params,
    browser_like,
    consent,
    csrf_of,
    query_of,
    s256,
    verifier,
)
from workledger.models import OAuthAuthorizationCode
from workledger.oauth2 import clients
from workledger.web.common import CONTENT_SECURITY_POLICY

REFUSED = "This authorization request cannot be accepted"


async def codes_of(app, application) -> int:
    async with app.state.database.session() as session:
        return await session.scalar(
            select(func.count()).select_from(OAuthAuthorizationCode)
            .where(OAuthAuthorizationCode.oauth_client_id == application.id)
        )


def assert_error_page(response, error: str) -> None:
    assert response.status_code == 400, response.text
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert REFUSED in response.text and f"({error}:" in response.text


@pytest.mark.parametrize("redirect_uri", [
    "https://client.example/callback/",            # trailing slash
    "https://client.example/callback?next=/x",     # extra query
    "https://CLIENT.example/callback",             # another spelling of the host
    "https://client.example/callback/../evil",     # path games
    "https://client.example.evil.example/callback",
    "http://client.example/callback",              # downgraded scheme
    "https://client.example",                      # a prefix
])
async def test_redirect_uri_must_match_a_registered_one_exactly(
    app, make_application, make_person, redirect_uri
):
    application = await make_application()
    person = await make_person()
    for who in (None, person):  # before and after login: the page, never a redirect
        async with browser_like(app, who) as http:
            response = await http.get(
                AUTHORIZE, params=authorize_params(application, redirect_uri=redirect_uri)
            )
        assert_error_page(response, "invalid_request")
        assert "is not supported by client" in response.text


async def test_unknown_missing_or_disabled_client_and_missing_redirect_uri_get_an_error_page(
    app, make_application, make_person
):
    application = await make_application()
    disabled = await make_application()
    async with app.state.database.session() as session:
        await clients.set_active(session, disabled.id, False)
    person = await make_person()
    cases = [
        (authorize_params(application, client_id="app_unknown"), "invalid_client"),
        (authorize_params(application, client_id=None), "invalid_client"),
        (authorize_params(disabled), "invalid_client"),
        (authorize_params(application, redirect_uri=None), "invalid_request"),
        # a parameter twice: which redirect_uri would be trusted?
        ([*authorize_params(application).items(), ("redirect_uri", REDIRECT_URI)],
         "invalid_request"),
    ]
    async with browser_like(app, person) as http:
        for params, error in cases:
            response = await http.get(AUTHORIZE, params=params)
            assert_error_page(response, error)
            assert response.headers["x-frame-options"] == "DENY"


async def test_without_a_session_the_login_page_comes_first_then_consent(
    app, make_application, make_person
):
    application = await make_application()
    person = await make_person()
    params = authorize_params(application)
    target = f"{AUTHORIZE}?{urlencode(params)}"
    async with browser_like(app) as http:
        response = await http.get(AUTHORIZE, params=params)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=" + quote(target, safe="/")
        login = await http.get(response.headers["location"])
        assert 'name="next"' in login.text
        signed_in = await http.post("/login", data={
            "csrf_token": csrf_of(login.text), "email": person.email,
            "password": person.password, "next": target,
        })
        assert signed_in.status_code == 303 and signed_in.headers["location"] == target
        page = await http.get(target)
    assert page.status_code == 200
    for shown in (f'id="application-name">{application_name(page.text)}<',
                  'src="https://client.example/logo.png"',
                  'href="https://client.example"', ">Allow<", ">Deny<", 'name="csrf_token"'):
        assert shown in page.text
    assert "Client Company" in page.text


def application_name(html: str) -> str:
    return html.split('id="application-name">', 1)[1].split("<", 1)[0]


async def test_allow_answers_303_to_the_redirect_uri_with_code_and_state(
    app, make_application, make_person
):
    application = await make_application()
    person = await make_person()
    params = authorize_params(application)
    async with browser_like(app, person) as http:
        response = await consent(http, params, "allow")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{REDIRECT_URI}?code=")
    answer = query_of(location)
    assert set(answer) == {"code", "state"} and answer["state"] == params["state"]
    assert len(answer["code"]) >= 43


async def test_deny_answers_with_the_seeds_access_denied(app, make_application, make_person):
    application = await make_application()
    person = await make_person()
    params = authorize_params(application, state="xyz-123")
    async with browser_like(app, person) as http:
        response = await consent(http, params, "deny")
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"{REDIRECT_URI}?error=access_denied"
        "&error_description=the+resource+owner+denied+the+request&state=xyz-123"
    )
    assert await codes_of(app, application) == 0


@pytest.mark.parametrize(("extra", "error", "description"), [
    ({"scope": "write"}, "invalid_scope", "The requested scope is invalid"),
    ({"response_type": "token"}, "unsupported_response_type", "response_type=token"),
    ({"response_type": None}, "invalid_request", "Missing 'response_type'"),
    ({"state": None}, "invalid_request", "Missing 'state'"),
    ({"code_challenge": "too-short"}, "invalid_request", "Invalid 'code_challenge'"),
    ({"code_challenge": "a" * 129}, "invalid_request", "Invalid 'code_challenge'"),
    ({"code_challenge": "a" * 43, "code_challenge_method": "S512"}, "invalid_request",
     "Unsupported 'code_challenge_method'"),
    ({"code_challenge_method": "S256"}, "invalid_request", "Missing 'code_challenge'"),
])
async def test_other_errors_go_back_to_the_application(
    app, make_application, make_person, extra, error, description
):
    application = await make_application()
    person = await make_person()
    params = authorize_params(application, **extra)
    async with browser_like(app, person) as http:
        response = await http.get(AUTHORIZE, params=params)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{REDIRECT_URI}?error={error}&error_description=")
    answer = query_of(location)
    assert answer["error"] == error
    assert answer["error_description"].startswith(description)
    assert answer["error_hint"]
    assert answer.get("state") == params.get("state")
    assert "code" not in answer


async def test_a_public_client_must_send_a_code_challenge(app, make_application, make_person):
    application = await make_application(public=True)
    person = await make_person()
    async with browser_like(app, person) as http:
        refused = await http.get(AUTHORIZE, params=authorize_params(application))
        assert refused.status_code == 303
        answer = query_of(refused.headers["location"])
        assert answer["error"] == "invalid_request"
        assert answer["error_description"] == "A public client must send a 'code_challenge' (PKCE)."
        allowed = await consent(http, authorize_params(
            application, code_challenge=s256(verifier()), code_challenge_method="S256"))
    assert allowed.status_code == 303 and "code" in query_of(allowed.headers["location"])


async def test_the_consent_form_needs_its_csrf_token(app, make_application, make_person):
    application = await make_application()
    person = await make_person()
    params = authorize_params(application)
    async with browser_like(app, person) as http, browser_like(app, person) as other:
        page = await http.get(AUTHORIZE, params=params)
        foreign = csrf_of((await other.get(AUTHORIZE, params=params)).text)
        action = page.url.raw_path.decode()
        for form in ({"decision": "allow"}, {"decision": "allow", "csrf_token": "forged"},
                     {"decision": "allow", "csrf_token": foreign}):
            refused = await http.post(action, data=form)
            assert refused.status_code == 403, form
            assert "location" not in refused.headers
            assert "did not come from this site" in refused.text
        assert await codes_of(app, application) == 0
        accepted = await http.post(action, data={"decision": "allow",
                                                 "csrf_token": csrf_of(page.text)})
    assert accepted.status_code == 303
    assert await codes_of(app, application) == 1


async def test_the_consent_post_checks_the_request_again(app, make_application, make_person):
    """Disabled between showing the page and pressing Allow: no code, an error page."""
    application = await make_application()
    person = await make_person()
    async with browser_like(app, person) as http:
        page = await http.get(AUTHORIZE, params=authorize_params(application))
        async with app.state.database.session() as session:
            await clients.set_active(session, application.id, False)
        response = await http.post(page.url.raw_path.decode(), data={
            "decision": "allow", "csrf_token": csrf_of(page.text)})
    assert_error_page(response, "invalid_client")
    assert await codes_of(app, application) == 0


async def test_login_and_consent_pages_cannot_be_framed(app, make_application, make_person):
    application = await make_application(redirect_uris=["https://client.example:8443/cb"],
                                         logo_url="https://cdn.client.example/logo.svg")
    person = await make_person()
    async with browser_like(app) as anonymous:
        login = await anonymous.get("/login")
    async with browser_like(app, person) as http:
        page = await http.get(AUTHORIZE, params=authorize_params(application))
    assert page.status_code == 200
    for response in (login, page):
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
    assert login.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # The consent page lets the logo in and the form lead back to the application, only.
    assert page.headers["content-security-policy"] == (
        "default-src 'self'; img-src 'self' https://cdn.client.example; "
        "frame-ancestors 'none'; form-action 'self' https://client.example:8443; "
        "base-uri 'none'"
    )
