"""POST /oauth2/token (seed 002 "Exchange the Authorization Code", "Refresh the Access
Token", "PKCE Flow") and the RFC 9700 rules behind it. Errors are RFC 6749 JSON with
error, error_description and error_hint."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta

import httpx
import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from sqlalchemy import select, update

from tests.oauth2.conftest import (
    REDIRECT_URI,
    TOKEN,
    bearer,
    exchange,
    refresh,
    s256,
    verifier,
)
from workledger.app import create_app
from workledger.kit.db import utcnow
from workledger.models import OAuthAuthorizationCode, OAuthToken
from workledger.oauth2.grants import REFRESH_RACED, REFRESH_REPLAYED
from workledger.oauth2.server import CONFLICTING_CLIENT_IDS, TWO_AUTHENTICATION_METHODS
from workledger.oauth2.store import REFRESH_RACE_WINDOW, OAuthStore

SEED_KEYS = ["access_token", "expires_in", "refresh_token", "scope", "token_type"]


def assert_oauth_error(response: httpx.Response, status: int, error: str,
                       description: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error
    assert body["error_description"] and body["error_hint"]
    if description is not None:
        assert body["error_description"] == description
    return body


async def me_status(client, token: str) -> int:
    return (await client.get("/v1/me", headers=bearer(token))).status_code


async def test_the_response_is_exactly_the_seeds(client, get_code, make_application,
                                                  make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    response = await exchange(client, application, code)  # no PKCE: as the seed's first flow
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["content-type"] == "application/json"
    token = response.json()
    assert list(token) == SEED_KEYS
    assert token["expires_in"] == 3600 and token["scope"] == "offline_access"
    assert token["token_type"] == "bearer"
    assert token["access_token"].startswith("wlo_")
    assert token["refresh_token"].startswith("wlr_")


async def test_client_secret_basic_works_as_well(client, get_code, make_application,
                                                  make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    response = await client.post(TOKEN, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
    }, auth=(application.client_id, application.secret))
    assert response.status_code == 200, response.text


async def test_two_concurrent_exchanges_of_one_code_give_one_token(
    client, get_code, make_application, make_person
):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    answers = await asyncio.gather(*(exchange(client, application, code) for _ in range(4)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400, 400, 400], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 400:
            assert answer.json()["error"] == "invalid_grant"


async def test_claiming_a_code_is_one_conditional_update(app, get_code, make_application,
                                                         make_person):
    """Two exchanges that both read the code as unused: only one claim changes the row."""
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    token = {"access_token": "wlo_a", "refresh_token": "wlr_a", "scope": "offline_access"}
    async with app.state.database.session() as session:
        store = OAuthStore(session, app.state.keyring)
        seen = await store.find_code(code)
        assert await store.issue_for_code(seen, token) is True
        assert await store.issue_for_code(seen, {**token, "access_token": "wlo_b",
                                                 "refresh_token": "wlr_b"}) is False


async def test_a_code_is_bound_to_its_client(client, get_code, make_application, make_person):
    mine = await make_application()
    theirs = await make_application()
    code, _ = await get_code(mine, await make_person())
    assert_oauth_error(await exchange(client, theirs, code), 400, "invalid_grant",
                       "Invalid 'code' in request.")
    assert (await exchange(client, mine, code)).status_code == 200


async def test_a_code_is_bound_to_its_redirect_uri(client, get_code, make_application,
                                                   make_person):
    second = "https://client.example/other-callback"
    application = await make_application(redirect_uris=[REDIRECT_URI, second])
    code, _ = await get_code(application, await make_person())
    for sent in (second, None, REDIRECT_URI + "/"):
        assert_oauth_error(await exchange(client, application, code, redirect_uri=sent), 400,
                           "invalid_grant", "Invalid 'redirect_uri' in request.")
    assert (await exchange(client, application, code)).status_code == 200


async def test_a_code_lives_at_most_ten_minutes(app, client, get_code, make_application,
                                                make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    async with app.state.database.session() as session:
        row = await session.scalar(select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.oauth_client_id == application.id))
        assert row.expires_at - row.created_at <= timedelta(minutes=10)
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert_oauth_error(await exchange(client, application, code), 400, "invalid_grant",
                       "The code has expired.")


async def test_a_reused_code_revokes_every_token_it_gave(client, get_code, make_application,
                                                         make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    first = (await exchange(client, application, code)).json()
    refreshed = (await refresh(client, application, first["refresh_token"])).json()
    assert await me_status(client, first["access_token"]) == 200
    assert await me_status(client, refreshed["access_token"]) == 200

    assert_oauth_error(await exchange(client, application, code), 400, "invalid_grant",
                       "The code was already used: the tokens issued with it are revoked.")
    for token in (first["access_token"], refreshed["access_token"]):
        assert await me_status(client, token) == 401
    assert_oauth_error(await refresh(client, application, refreshed["refresh_token"]), 400,
                       "invalid_grant", "The refresh token was revoked.")


# -- PKCE (RFC 7636, RFC 9700 §2.1.1) --------------------------------------------------


async def test_pkce_s256_is_verified(client, get_code, make_application, make_person):
    application = await make_application()
    person = await make_person()
    right = verifier()
    code, _ = await get_code(application, person, code_challenge=s256(right),
                             code_challenge_method="S256")
    for wrong in (verifier(), right[:-1] + ("A" if right[-1] != "A" else "B"), s256(right)):
        assert_oauth_error(await exchange(client, application, code, code_verifier=wrong),
                           400, "invalid_grant", "Code challenge failed.")
    assert_oauth_error(await exchange(client, application, code), 400, "invalid_request",
                       "Missing 'code_verifier'")
    assert (await exchange(client, application, code, code_verifier=right)).status_code == 200


@pytest.mark.parametrize("method", ["plain", None])  # plain when the method is omitted
async def test_pkce_plain_is_verified(client, get_code, make_application, make_person, method):
    application = await make_application()
    right = verifier()
    code, _ = await get_code(application, await make_person(), code_challenge=right,
                             code_challenge_method=method)
    assert_oauth_error(await exchange(client, application, code, code_verifier=s256(right)),
                       400, "invalid_grant", "Code challenge failed.")
    assert (await exchange(client, application, code, code_verifier=right)).status_code == 200


async def test_a_verifier_is_refused_when_no_challenge_was_sent(client, get_code,
                                                                make_application, make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    body = assert_oauth_error(
        await exchange(client, application, code, code_verifier=verifier()), 400,
        "invalid_request")
    assert "had no 'code_challenge'" in body["error_description"]


async def test_the_verifier_length_is_checked(client, get_code, make_application, make_person):
    application = await make_application()
    challenge = "a" * 43  # plain: a verifier of 42 or 129 characters can never match it ...
    code, _ = await get_code(application, await make_person(), code_challenge=challenge,
                             code_challenge_method="plain")
    for wrong_length in ("a" * 42, "a" * 129, "a" * 43 + " "):
        assert_oauth_error(
            await exchange(client, application, code, code_verifier=wrong_length), 400,
            "invalid_request", "Invalid 'code_verifier'")
    # ... and 128 is the longest allowed.
    longest = "b" * 128
    code, _ = await get_code(application, await make_person(), code_challenge=longest,
                             code_challenge_method="plain")
    assert (await exchange(client, application, code, code_verifier=longest)).status_code == 200


async def test_a_public_client_exchanges_and_refreshes_with_pkce_and_no_secret(client, tokens):
    application, _, token = await tokens(public=True)
    assert application.secret is None
    renewed = await refresh(client, application, token["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    # A secret is not a thing a public client has.
    refused = await refresh(client, application, renewed.json()["refresh_token"],
                            client_secret="wls_guess")
    assert_oauth_error(refused, 401, "invalid_client")


# -- refresh tokens (RFC 9700 §4.14) --------------------------------------------------


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(client, tokens):
    application, _, first = await tokens()
    second = await refresh(client, application, first["refresh_token"])
    assert second.status_code == 200, second.text
    second = second.json()
    assert list(second) == SEED_KEYS
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert await me_status(client, second["access_token"]) == 200
    third = (await refresh(client, application, second["refresh_token"])).json()

    # The rotated one is dead, and presenting it again ends the whole family.
    assert_oauth_error(await refresh(client, application, first["refresh_token"]), 400,
                       "invalid_grant",
                       "The refresh token was already used: every token of this "
                       "authorization is revoked.")
    for token in (first["access_token"], second["access_token"], third["access_token"]):
        assert await me_status(client, token) == 401
    assert_oauth_error(await refresh(client, application, third["refresh_token"]), 400,
                       "invalid_grant", "The refresh token was revoked.")


async def test_two_concurrent_refreshes_give_one_token_that_keeps_working(
    settings, client, tokens
):
    """The losers of a race between a client's own processes are refused without
    revoking the winner's tokens and without counting as failed sign-ins (with a limit
    of 2 failures, 4 losers would lock the client out)."""
    limited = create_app(settings.model_copy(update={
        "redis_url": None, "rate_limit_login": "2/15 minutes"}))
    application, _, token = await tokens()
    transport = httpx.ASGITransport(app=limited)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            answers = await asyncio.gather(
                *(refresh(http, application, token["refresh_token"]) for _ in range(5)))
            assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400, 400]
            for answer in answers:
                if answer.status_code == 400:
                    assert_oauth_error(answer, 400, "invalid_grant", REFRESH_RACED)
            winner = next(answer for answer in answers if answer.status_code == 200).json()
            assert await me_status(client, winner["access_token"]) == 200
            again = await refresh(http, application, winner["refresh_token"])
            assert again.status_code == 200, again.text  # not 429: no failure was counted
            assert await me_status(client, again.json()["access_token"]) == 200
    finally:
        await limited.state.database.dispose()


async def test_the_race_window_is_short_and_covers_only_the_latest_rotation(app, client,
                                                                           tokens):
    application, _, first = await tokens()
    second = (await refresh(client, application, first["refresh_token"])).json()
    # Moments later, the rotated token is refused and nothing is revoked.
    assert_oauth_error(await refresh(client, application, first["refresh_token"]), 400,
                       "invalid_grant", REFRESH_RACED)
    assert await me_status(client, second["access_token"]) == 200

    # Once the window has passed, the same presentation is a replay (RFC 9700 §4.14.2).
    async with app.state.database.session() as session:
        old = OAuthToken.refresh_digest == app.state.keyring.digest(first["refresh_token"])
        await session.execute(update(OAuthToken).where(old).values(
            refreshed_at=utcnow() - REFRESH_RACE_WINDOW - timedelta(seconds=1)))
    assert_oauth_error(await refresh(client, application, first["refresh_token"]), 400,
                       "invalid_grant", REFRESH_REPLAYED)
    assert await me_status(client, second["access_token"]) == 401
    assert_oauth_error(await refresh(client, application, second["refresh_token"]), 400,
                       "invalid_grant", "The refresh token was revoked.")


async def test_refresh_scope_cannot_grow(client, tokens):
    application, _, token = await tokens()
    assert_oauth_error(await refresh(client, application, token["refresh_token"],
                                     scope="offline_access write"), 400, "invalid_scope")


async def test_a_refresh_token_is_bound_to_its_client(client, tokens, make_application):
    application, _, token = await tokens()
    other = await make_application()
    assert_oauth_error(await refresh(client, other, token["refresh_token"]), 400,
                       "invalid_grant")
    assert (await refresh(client, application, token["refresh_token"])).status_code == 200


# -- client authentication, grant types, parameters -------------------------------------


async def test_wrong_or_missing_client_credentials(client, get_code, make_application,
                                                   make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    base = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    cases = [
        {**base, "client_id": application.client_id, "client_secret": "wls_wrong"},
        {**base, "client_id": application.client_id},  # a confidential client must authenticate
        {**base, "client_id": "app_unknown", "client_secret": application.secret},
        base,
    ]
    for form in cases:
        assert_oauth_error(await client.post(TOKEN, data=form), 401, "invalid_client")
    basic = await client.post(TOKEN, data=base, auth=(application.client_id, "wls_wrong"))
    assert_oauth_error(basic, 401, "invalid_client")
    assert basic.headers["www-authenticate"].startswith('Basic error="invalid_client"')
    assert (await exchange(client, application, code)).status_code == 200  # still unused


async def test_one_client_authentication_method_per_request(settings, get_code,
                                                             make_application, make_person):
    """RFC 6749 §2.3: HTTP Basic and form credentials together are refused before any
    secret is checked, whichever is right; none of it counts as a failed sign-in."""
    limited = create_app(settings.model_copy(update={
        "redis_url": None, "rate_limit_login": "1/15 minutes"}))
    application, other = await make_application(), await make_application()
    code, _ = await get_code(application, await make_person())
    base = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    right = (application.client_id, application.secret)
    wrong = (application.client_id, "wls_wrong")
    cases = [  # (HTTP Basic, form credentials, description)
        (right, application.credentials(), TWO_AUTHENTICATION_METHODS),
        (wrong, application.credentials(), TWO_AUTHENTICATION_METHODS),
        (right, {"client_id": application.client_id, "client_secret": "wls_wrong"},
         TWO_AUTHENTICATION_METHODS),
        (right, other.credentials(), TWO_AUTHENTICATION_METHODS),
        ((other.client_id, other.secret), application.credentials(),
         TWO_AUTHENTICATION_METHODS),
        (right, {"client_secret": application.secret}, TWO_AUTHENTICATION_METHODS),
        (right, {"client_id": other.client_id}, CONFLICTING_CLIENT_IDS),
        (wrong, {"client_id": other.client_id}, CONFLICTING_CLIENT_IDS),
    ]
    transport = httpx.ASGITransport(app=limited)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            for basic, form, description in cases:
                answer = await http.post(TOKEN, data={**base, **form}, auth=basic)
                assert_oauth_error(answer, 400, "invalid_request", description)
            # A bare client_id naming the Basic client identifies, it does not
            # authenticate (RFC 6749 §3.2.1): allowed; and the code is still unused.
            answer = await http.post(TOKEN, data={**base, "client_id": application.client_id},
                                     auth=right)
            assert answer.status_code == 200, answer.text
    finally:
        await limited.state.database.dispose()


async def test_wrong_grant_type_and_missing_parameters(client, tokens):
    application, _, _token = await tokens()
    credentials = application.credentials()
    cases = [
        ({"grant_type": "password", "username": "x", "password": "y"},
         "unsupported_grant_type", "grant_type=password is not supported"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type",
         "grant_type=client_credentials is not supported"),
        ({}, "invalid_request", "Missing 'grant_type' in request."),
        ({"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI},
         "invalid_request", "Missing 'code' in request."),
        ({"grant_type": "refresh_token"}, "invalid_request",
         "Missing 'refresh_token' in request."),
        ({"grant_type": "authorization_code", "code": "not-a-code",
          "redirect_uri": REDIRECT_URI}, "invalid_grant", "Invalid 'code' in request."),
        ({"grant_type": "refresh_token", "refresh_token": "wlr_unknown"}, "invalid_grant",
         None),
    ]
    for form, error, description in cases:
        assert_oauth_error(await client.post(TOKEN, data={**form, **credentials}), 400, error,
                           description)
    # The parameters belong in the form body, not the query string.
    in_query = await client.post(TOKEN, params={"grant_type": "refresh_token",
                                                "refresh_token": _token["refresh_token"],
                                                **credentials})
    assert_oauth_error(in_query, 400, "invalid_request", "Missing 'grant_type' in request.")
    assert (await client.get(TOKEN)).status_code == 405


async def test_failed_client_checks_are_rate_limited(settings, get_code, make_application,
                                                     make_person):
    limited = create_app(settings.model_copy(update={
        "redis_url": None, "rate_limit_login": "3/15 minutes"}))
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    transport = httpx.ASGITransport(app=limited)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            wrong = {"client_id": application.client_id, "client_secret": "wls_wrong"}
            for _ in range(3):
                response = await exchange(http, application, code, **wrong)
                assert response.status_code == 401
                assert "x-ratelimit-limit" in response.headers
            refused = await exchange(http, application, code)  # even the right secret
            assert refused.status_code == 429 and "Retry-After" in refused.headers
    finally:
        await limited.state.database.dispose()


async def test_over_plain_http_in_production(settings):
    production = create_app(settings.model_copy(
        update={"dev": False, "public_url": "https://as.example/workledger"}
    ))
    transport = httpx.ASGITransport(app=production)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://as.test") as http:
            token = await http.post(TOKEN, data={"grant_type": "refresh_token"})
            assert token.status_code == 403 and token.json()["code"] == "6"
            page = await http.get("/oauth2/auth?client_id=x")
            assert page.status_code == 308
            location = "https://as.example/workledger/oauth2/auth?client_id=x"
            assert page.headers["location"] == location  # not the Host the client sent
    finally:
        await production.state.database.dispose()


async def test_authorization_server_metadata(client, settings):
    response = await client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    document = response.json()
    assert document["code_challenge_methods_supported"] == ["plain", "S256"]
    base = settings.public_url.rstrip("/")
    assert document["issuer"] == base
    assert document["authorization_endpoint"] == f"{base}/oauth2/auth"
    assert document["token_endpoint"] == f"{base}/oauth2/token"
    assert document["scopes_supported"] == ["offline_access"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post", "client_secret_basic", "none"}
    AuthorizationServerMetadata(document).validate()  # RFC 8414, as Authlib reads it


def test_the_rate_limit_knows_the_client_from_the_form_or_basic_auth() -> None:
    from starlette.requests import Request

    from workledger.oauth2.endpoints import _presented_client_id

    encoded = base64.b64encode(b"app_x:secret").decode()
    scope = {"type": "http", "headers": [(b"authorization", f"Basic {encoded}".encode())]}
    assert _presented_client_id(Request(scope), {}) == "app_x"
    assert _presented_client_id(Request({"type": "http", "headers": []}),
                                {"client_id": "app_y"}) == "app_y"


async def test_codes_are_stored_as_digests(app, get_code, make_application, make_person):
    application = await make_application()
    code, _ = await get_code(application, await make_person())
    async with app.state.database.session() as session:
        row = await session.scalar(select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.oauth_client_id == application.id))
        assert row.code_digest == app.state.keyring.digest(code) and code not in row.code_digest
