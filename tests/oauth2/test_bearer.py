"""Using the access token on /v1 (seed 002 "Using the Access Token", DESIGN §3): the
consenting user's company, read-only; inactive tokens answer 401 with the seed's words
and ``WWW-Authenticate: Bearer error="invalid_token"``; people and staff stay in control."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.oauth2.conftest import (
    AUTHORIZE,
    authorize_params,
    bearer,
    browser_like,
    csrf_of,
    refresh,
)
from workledger.kit.db import utcnow
from workledger.models import Company, OAuthClient, OAuthToken, User
from workledger.oauth2 import clients

INACTIVE = "Unauthorized: the provided token is not active"
INVALID_TOKEN = 'Bearer error="invalid_token"'


def assert_inactive(response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == "1" and body["detail"] == INACTIVE
    assert response.headers["www-authenticate"] == INVALID_TOKEN


async def test_the_token_reads_the_consenting_users_company_and_nothing_else(
    client, tokens, make_tenant
):
    _, person, token = await tokens()
    other = await make_tenant()
    theirs = (await client.post("/v1/customers", json={"company_name": "Theirs"},
                                headers=other.headers)).json()
    headers = bearer(token["access_token"])

    me = (await client.get("/v1/me", headers=headers)).json()
    assert me["kind"] == "oauth_access_token"
    assert me["company"]["id"] == person.company_id
    assert me["permissions"] == ["read"]
    assert me["user"] == {"id": person.id, "login": person.email}
    listed = await client.get("/v1/customers", headers=headers)
    assert listed.status_code == 200
    assert theirs["id"] not in [c["id"] for c in listed.json()]
    assert (await client.get(f"/v1/customers/{theirs['id']}", headers=headers)).status_code == 404


async def test_writing_with_an_oauth_token_is_403_code_6(client, tokens):
    _, _, token = await tokens()
    headers = bearer(token["access_token"])
    for method, path, body in (("POST", "/v1/customers", {"company_name": "No"}),
                               ("DELETE", "/v1/customers?ids=1", None)):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "6"
        assert "'write'" in response.json()["detail"]
    invoices = await client.get("/v1/invoices", headers=headers)
    assert invoices.status_code == 403 and invoices.json()["code"] == "6"


async def test_an_expired_token_is_not_active(app, client, tokens):
    _, person, token = await tokens()
    async with app.state.database.session() as session:
        row = await session.scalar(select(OAuthToken).where(OAuthToken.user_id == person.id))
        assert row.access_expires_at - row.created_at == timedelta(seconds=3600)
        row.access_expires_at = utcnow() - timedelta(seconds=1)
    assert_inactive(await client.get("/v1/me", headers=bearer(token["access_token"])))
    assert_inactive(await client.get("/v1/customers", headers=bearer(token["access_token"])))


async def test_an_unknown_oauth_token_is_refused(client):
    response = await client.get("/v1/customers", headers=bearer("wlo_not-a-token"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN


async def test_tokens_and_secrets_are_stored_as_digests(app, tokens):
    application, person, token = await tokens()
    keyring = app.state.keyring
    async with app.state.database.session() as session:
        row = await session.scalar(select(OAuthToken).where(OAuthToken.user_id == person.id))
        stored = await session.get(OAuthClient, application.id)
    assert row.access_digest == keyring.digest(token["access_token"])
    assert row.refresh_digest == keyring.digest(token["refresh_token"])
    assert stored.secret_digest == keyring.digest(application.secret)
    assert stored.secret_hint == application.secret[:8]


async def test_a_person_revokes_an_application_on_the_settings_page(app, client, tokens):
    application, person, token = await tokens()
    headers = bearer(token["access_token"])
    async with browser_like(app, person) as http:
        settings = await http.get("/settings")
        assert 'href="/settings/authorized-applications"' in settings.text
        page = await http.get("/settings/authorized-applications")
        assert page.status_code == 200 and f'id="authorized-{application.id}"' in page.text
        assert (await client.get("/v1/me", headers=headers)).status_code == 200

        action = f"/settings/authorized-applications/{application.id}/revoke"
        refused = await http.post(action, data={"csrf_token": "forged"})
        assert refused.status_code == 403
        assert (await client.get("/v1/me", headers=headers)).status_code == 200

        done = await http.post(action, data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 303
        assert done.headers["location"] == "/settings/authorized-applications?done=revoked"
        after = await http.get(done.headers["location"])
    assert "Access is revoked" in after.text
    assert f'id="authorized-{application.id}"' not in after.text
    assert_inactive(await client.get("/v1/me", headers=headers))
    body = (await refresh(client, application, token["refresh_token"])).json()
    assert body["error"] == "invalid_grant"


async def test_revoking_does_not_touch_other_people_or_applications(app, client, tokens):
    application, person, token = await tokens()
    _, other_person, other_token = await tokens()
    async with app.state.database.session() as session:
        # Another person's application id: nothing of theirs is revoked by this person.
        assert await clients.revoke_authorization(session, person.id, application.id + 10**6) == 0
        assert await clients.revoke_authorization(session, other_person.id, application.id) == 0
    assert (await client.get("/v1/me", headers=bearer(token["access_token"]))).status_code == 200
    assert (await client.get("/v1/me",
                             headers=bearer(other_token["access_token"]))).status_code == 200


async def test_staff_disable_an_application(app, client, tokens):
    application, person, token = await tokens()
    async with app.state.database.session() as session:
        await clients.set_active(session, application.id, False)
    assert_inactive(await client.get("/v1/me", headers=bearer(token["access_token"])))
    body = (await refresh(client, application, token["refresh_token"])).json()
    assert body["error"] == "invalid_client"
    async with browser_like(app, person) as http:
        page = await http.get(AUTHORIZE, params=authorize_params(application))
    assert page.status_code == 400 and "location" not in page.headers

    # Enabled again: the application works, the old tokens stay dead.
    async with app.state.database.session() as session:
        await clients.set_active(session, application.id, True)
    assert_inactive(await client.get("/v1/me", headers=bearer(token["access_token"])))
    body = (await refresh(client, application, token["refresh_token"])).json()
    assert body["error"] == "invalid_grant"


async def test_a_disabled_user_or_company_without_api_access(app, client, tokens):
    _, person, token = await tokens()
    headers = bearer(token["access_token"])
    async with app.state.database.session() as session:
        await session.execute(update(Company).where(Company.id == person.company_id)
                              .values(api_access=False))
    off = await client.get("/v1/customers", headers=headers)
    assert off.status_code == 403 and off.json()["code"] == "6"
    async with app.state.database.session() as session:
        await session.execute(update(Company).where(Company.id == person.company_id)
                              .values(api_access=True))
        await session.execute(update(User).where(User.id == person.id).values(is_active=False))
    assert_inactive(await client.get("/v1/customers", headers=headers))
