"""Every documented way in (DESIGN §4.7): success, missing, wrong scheme, unknown,
revoked, expired, API access off, and never another company's data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.auth.conftest import PASSWORD, basic
from workledger.auth import administration
from workledger.kit.db import utcnow
from workledger.models import ApiUser, AutomationUser, Credential

INACTIVE = "Unauthorized: the provided token is not active"


async def customer_of(client, tenant) -> dict:
    response = await client.post("/v1/customers", json={"company_name": "Private"},
                                 headers=tenant.headers)
    return response.json()


async def status(client, headers, url="/v1/customers") -> int:
    return (await client.get(url, headers=headers)).status_code


# -- short-lived token -------------------------------------------------------------------

async def token_for(client, login: str, password: str):
    return await client.post("/v1/Account/token", json={"username": login, "password": password})


async def test_account_token_is_a_json_string_that_works_as_bearer(client, access, acme, other):
    person = await access.person(acme)
    response = await token_for(client, person["login"], PASSWORD)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = response.json()
    assert isinstance(token, str) and token.startswith("wlt_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert await status(client, bearer) == 200
    theirs = await customer_of(client, other)
    assert await status(client, bearer, f"/v1/customers/{theirs['id']}") == 404
    me = (await client.get("/v1/me", headers=bearer)).json()
    assert me["kind"] == "session_token" and me["company"]["id"] == acme.id
    assert me["user"]["login"] == person["login"]


async def test_account_token_with_wrong_credentials_is_400_bad_request(client, access, acme):
    person = await access.person(acme)
    for login, password in ((person["login"], "wrong-password"), ("nobody@example.com", "x")):
        response = await token_for(client, login, password)
        assert response.status_code == 400
        assert response.json()["title"] == "Bad Request"
        assert "traceId" in response.json()
    malformed = await client.post("/v1/Account/token", json={"username": 5})
    assert malformed.status_code == 400


async def test_bearer_token_expires_after_60_minutes(client, app, access, acme):
    person = await access.person(acme)
    token = (await token_for(client, person["login"], PASSWORD)).json()
    async with app.state.database.session() as session:
        await session.execute(
            update(Credential).where(Credential.user_id == person["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = await client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["detail"] == INACTIVE


async def test_bearer_token_lives_60_minutes(client, app, access, acme):
    person = await access.person(acme)
    await token_for(client, person["login"], PASSWORD)
    async with app.state.database.session() as session:
        credential = await session.scalar(
            select(Credential).where(Credential.user_id == person["id"])
        )
    lifetime = credential.expires_at - credential.created_at
    assert timedelta(minutes=59) < lifetime <= timedelta(minutes=60)


async def test_unknown_bearer_and_wrong_scheme(client, acme):
    assert await status(client, {"Authorization": "Bearer wlt_unknown"}) == 401
    response = await client.get("/v1/customers", headers={"Authorization": f"Digest {acme.key}"})
    assert response.status_code == 401 and "scheme" in response.json()["detail"]


# -- company key -------------------------------------------------------------------------

async def test_revoked_company_key_is_inactive(client, access, acme):
    token = await access.company_admin_token(acme)
    admin = {"X-API-Authorization": token}
    listed = (await client.get("/v1/company/credentials", headers=admin)).json()
    key_id = next(c["id"] for c in listed if c["kind"] == "company_key")
    assert all("secret" not in c and acme.key not in str(c) for c in listed)
    revoked = await client.delete(f"/v1/company/credentials/{key_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = await client.get("/v1/customers", headers=acme.headers)
    assert response.status_code == 401 and response.json()["detail"] == INACTIVE


# -- API key (Basic e-mail:key) ----------------------------------------------------------

async def test_api_key(client, access, acme, other, settings):
    key = await access.api_key(acme)
    assert key["login"].startswith(f"api_{acme.id}_")
    assert key["login"].endswith(f"@{settings.api_email_host}")
    assert await status(client, key["headers"]) == 200
    theirs = await customer_of(client, other)
    assert await status(client, key["headers"], f"/v1/customers/{theirs['id']}") == 404
    assert await status(client, basic(key["login"], "wla_wrong")) == 401
    again = await access.api_key(acme)  # "Generate key" again revokes the old key
    assert await status(client, key["headers"]) == 401
    assert await status(client, again["headers"]) == 200
    await access.set_api_access(acme, False)
    response = await client.get("/v1/customers", headers=again["headers"])
    assert response.status_code == 403 and response.json()["code"] == "6"


# -- API users (Basic WSI…:password) -----------------------------------------------------

async def test_api_user(client, app, access, acme, other):
    user = await access.api_user(acme)
    assert await status(client, user["headers"]) == 200
    me = (await client.get("/v1/me", headers=user["headers"])).json()
    assert me["kind"] == "api_user" and me["permissions"] == ["read", "write"]
    theirs = await customer_of(client, other)
    assert await status(client, user["headers"], f"/v1/customers/{theirs['id']}") == 404
    assert await status(client, basic(user["login"], "wrong-password")) == 401
    assert await status(client, basic("WSInobody", PASSWORD)) == 401
    async with app.state.database.session() as session:
        await session.execute(update(ApiUser).where(ApiUser.id == user["id"])
                              .values(is_active=False))
    response = await client.get("/v1/customers", headers=user["headers"])
    assert response.status_code == 401 and response.json()["detail"] == INACTIVE


async def test_api_user_needs_api_access(client, access, acme):
    user = await access.api_user(acme)
    await access.set_api_access(acme, False)
    response = await client.get("/v1/customers", headers=user["headers"])
    assert response.status_code == 403 and response.json()["code"] == "6"


async def test_api_users_require_api_access_and_the_wsi_prefix(app, make_tenant):
    from workledger.auth import administration
    from workledger.kit.problems import ValidationProblem

    closed = await make_tenant(api_access=False)
    async with app.state.database.session() as session:
        with pytest.raises(ValidationProblem):
            await administration.create_api_user(
                session, closed.id, username="WSIclosed", password=PASSWORD, email="",
                integration_system="Shopify",
            )
    opened = await make_tenant()
    async with app.state.database.session() as session:
        with pytest.raises(ValidationProblem) as raised:
            await administration.create_api_user(
                session, opened.id, username="shopsync", password=PASSWORD, email="",
                integration_system="Shopify",
            )
    assert "WSI" in raised.value.errors["username"][0]


async def test_malformed_basic_is_401(client):
    for value in ("Basic !!!", "Basic " + "bm9jb2xvbg==", "Basic "):
        response = await client.get("/v1/customers", headers={"Authorization": value})
        assert response.status_code == 401, value


# -- invoices: one permission, every invoice resource ------------------------------------

async def test_invoice_permission(client, access, acme, other):
    invoice_id = await access.invoice(acme)
    theirs = await access.invoice(other)
    without = await access.api_user(acme)
    with_permission = await access.api_user(acme, invoices=True)
    for url in ("/v1/invoices", f"/v1/invoices/{invoice_id}"):
        denied = await client.get(url, headers=without["headers"])
        assert denied.status_code == 403 and denied.json()["code"] == "6", url
        assert await status(client, with_permission["headers"], url) == 200
        assert await status(client, acme.headers, url) == 200
    listed = (await client.get("/v1/invoices", headers=with_permission["headers"])).json()
    assert [i["id"] for i in listed] == [invoice_id]
    assert listed[0]["total_incl_tax"] == 125
    assert await status(client, with_permission["headers"], f"/v1/invoices/{theirs}") == 404


# -- automation users (every company, X-Company-Id) --------------------------------------

async def test_automation_user_reaches_every_company_by_header(client, app, access, acme,
                                                               other):
    robot = await access.automation_user()
    mine, theirs = await customer_of(client, acme), await customer_of(client, other)
    for tenant, customer in ((acme, mine), (other, theirs)):
        headers = {**robot["headers"], "X-Company-Id": str(tenant.id)}
        response = await client.get(f"/v1/customers/{customer['id']}", headers=headers)
        assert response.status_code == 200 and response.json() == customer
    wrong_company = {**robot["headers"], "X-Company-Id": str(acme.id)}
    assert await status(client, wrong_company, f"/v1/customers/{theirs['id']}") == 404
    missing = await client.get("/v1/customers", headers=robot["headers"])
    assert missing.status_code == 400 and "X-Company-Id" in missing.json()["errors"]
    unknown = {**robot["headers"], "X-Company-Id": "987654321"}
    assert await status(client, unknown) == 404
    bad = {**robot["headers"], "X-Company-Id": "acme"}
    assert await status(client, bad) == 400
    companies = (await client.get("/v1/automation/companies", headers=robot["headers"])).json()
    assert {acme.id, other.id} <= {c["id"] for c in companies}
    assert await status(client, acme.headers, "/v1/automation/companies") == 403
    # A company without API access is invisible: not listed, and 404 by its id.
    async with app.state.database.session() as session:
        await administration.set_api_access(session, other.id, False)
    listed = (await client.get("/v1/automation/companies", headers=robot["headers"])).json()
    assert acme.id in {c["id"] for c in listed} and other.id not in {c["id"] for c in listed}
    closed = {**robot["headers"], "X-Company-Id": str(other.id)}
    assert await status(client, closed, f"/v1/customers/{theirs['id']}") == 404
    async with app.state.database.session() as session:
        await session.execute(update(AutomationUser).where(AutomationUser.id == robot["id"])
                              .values(is_active=False))
    assert await status(client, wrong_company) == 401


# -- company admin token (X-API-Authorization) -------------------------------------------

async def test_company_admin_token(client, access, acme, other):
    token = await access.company_admin_token(acme)
    admin = {"X-API-Authorization": token}
    settings = await client.get("/v1/company/settings", headers=admin)
    assert settings.json()["id"] == acme.id
    changed = await client.patch("/v1/company/settings", json={"erp_package": "AFAS"},
                                 headers=admin)
    assert changed.status_code == 200 and changed.json()["erp_package"] == "AFAS"
    bad = await client.patch("/v1/company/settings", json={"erp_package": "Nope"},
                             headers=admin)
    assert bad.status_code == 400
    # The company key does not open management endpoints, nor the other way round.
    assert await status(client, acme.headers, "/v1/company/settings") == 401
    assert await status(client, {"Authorization": token}) == 401
    theirs = await client.get("/v1/company/credentials", headers={
        "X-API-Authorization": await access.company_admin_token(other)})
    their_ids = [c["id"] for c in theirs.json()]
    assert (await client.delete(f"/v1/company/credentials/{their_ids[0]}",
                                headers=admin)).status_code == 404
    assert await status(client, {"X-API-Authorization": "wlx_unknown"},
                        "/v1/company/settings") == 401
    await access.set_api_access(acme, False)
    assert await status(client, admin, "/v1/company/settings") == 403
    me = await client.get("/v1/me", headers={"X-API-Authorization": token})
    assert me.status_code == 403


# -- connector token (?token=) -----------------------------------------------------------

async def test_connector_token(client, access, acme, other):
    token = await access.connector_token(acme)
    assert token.startswith("wlc_")
    assert token == await access.connector_token(acme)  # it never changes
    response = await client.get(f"/openapi/1/GetCompany/?token={token}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    body = response.json()
    assert body == {"code": 200, "messages": [],
                    "response": {"id": acme.id, "name": acme.name, "erp_package": "BouwOffice"}}
    posted = await client.post(f"/openapi/1/GetCompany/?token={token}", json={})
    assert posted.json()["response"]["id"] == acme.id
    # 1002: no token; 1004: a token that is unknown, or not a connector token.
    for url, code in (("/openapi/1/GetCompany/", 1002), ("/openapi/1/GetCompany/?token=", 1002),
                      ("/openapi/1/GetCompany/?token=wlc_wrong", 1004),
                      (f"/openapi/1/GetCompany/?token={acme.key}", 1004)):
        denied = await client.get(url)
        assert denied.status_code == 401
        assert denied.json() == {"code": code, "messages": ["unauthorized"], "response": None}
    assert (await client.get(f"/openapi/9/GetCompany/?token={token}")).status_code == 404
    assert (await client.get(f"/openapi/1/Nothing/?token={token}")).status_code == 404
    versions = await client.get("/openapi/versions")
    assert versions.json()["response"] == ["1"]
    their_token = await access.connector_token(other)
    assert their_token != token
    await access.set_api_access(acme, False)
    assert (await client.get(f"/openapi/1/GetCompany/?token={token}")).status_code == 403


# -- /v1/me ------------------------------------------------------------------------------

async def test_me_never_shows_a_secret(client, access, acme):
    key = await access.api_key(acme)
    for headers, secret in ((acme.headers, acme.key), (key["headers"], key["secret"])):
        response = await client.get("/v1/me", headers=headers)
        assert response.status_code == 200
        assert secret not in response.text
    me = (await client.get("/v1/me", headers=acme.headers)).json()
    assert me["kind"] == "company_key" and me["permissions"] == ["invoices", "read", "write"]
    assert (await client.get("/v1/me")).status_code == 401


# -- review fixes ------------------------------------------------------------------------

async def test_each_api_user_has_its_own_rate_limit_window(client, access, acme):
    first, second = await access.api_user(acme), await access.api_user(acme)
    for _ in range(2):
        await client.get("/v1/customers", headers=first["headers"])
    answer = await client.get("/v1/customers", headers=second["headers"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-ratelimit-used"] == "1"


async def test_failed_basic_challenges_basic_and_malformed_basic_says_why(client, access, acme):
    user = await access.api_user(acme)
    wrong = await client.get("/v1/customers", headers=basic(user["login"], "nope-nope"))
    assert wrong.headers["www-authenticate"].startswith("Basic ")
    malformed = await client.get("/v1/customers", headers={"Authorization": "Basic !!!"})
    assert malformed.status_code == 401 and "Malformed Basic" in malformed.json()["detail"]
    missing = await client.get("/v1/customers")
    # No Basic challenge without a Basic attempt: browsers would answer with a prompt.
    challenge = missing.headers["www-authenticate"]
    assert challenge == 'Key realm="workledger", Bearer realm="workledger"'



async def test_reading_the_settings_page_never_brings_back_a_revoked_key(app, client, access,
                                                                        acme):
    from workledger.auth.administration import company_key

    admin = {"X-API-Authorization": await access.company_admin_token(acme)}
    listed = (await client.get("/v1/company/credentials", headers=admin)).json()
    key_id = next(c["id"] for c in listed if c["kind"] == "company_key")
    await client.delete(f"/v1/company/credentials/{key_id}", headers=admin)
    async with app.state.database.session() as session:
        assert await company_key(session, app.state.keyring, acme.id) is None


async def test_company_settings_read_only_members(client, access, acme):
    admin = {"X-API-Authorization": await access.company_admin_token(acme)}
    refused = await client.patch("/v1/company/settings", json={"api_access": False},
                                 headers=admin)
    assert refused.status_code == 400 and "api_access" in refused.json()["errors"]
    same = await client.patch("/v1/company/settings", json={"api_access": True, "name": "Renamed"},
                              headers=admin)
    assert same.status_code == 200 and same.json()["name"] == "Renamed"


async def test_a_password_reset_ends_bearer_tokens(app, client, access, acme):
    from workledger.companies.service import set_user

    person = await access.person(acme)
    token = (await token_for(client, person["login"], PASSWORD)).json()
    async with app.state.database.session() as session:
        await set_user(session, person["login"], "another-password-1", company_id=acme.id)
    response = await client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


# -- the remaining cells of the matrix (scheme × revoked / switched off / unknown) --------

async def test_bearer_with_api_access_switched_off_is_403(client, access, acme):
    person = await access.person(acme)
    token = (await token_for(client, person["login"], PASSWORD)).json()
    await access.set_api_access(acme, False)
    response = await client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json()["code"] == "6"
    refused = await token_for(client, person["login"], PASSWORD)
    assert refused.status_code == 403


async def test_automation_user_with_a_wrong_password_is_401(client, access, acme):
    robot = await access.automation_user()
    wrong = basic(robot["login"], "not-the-password")
    response = await client.get("/v1/customers",
                                headers={**wrong, "X-Company-Id": str(acme.id)})
    assert response.status_code == 401 and response.json()["code"] == "1"


async def test_revoked_connector_token_is_unauthorized(client, access, acme):
    token = await access.connector_token(acme)
    admin = {"X-API-Authorization": await access.company_admin_token(acme)}
    listed = (await client.get("/v1/company/credentials", headers=admin)).json()
    connector_id = next(c["id"] for c in listed if c["kind"] == "connector_token")
    await client.delete(f"/v1/company/credentials/{connector_id}", headers=admin)
    response = await client.get(f"/openapi/1/GetCompany/?token={token}")
    assert response.status_code == 401
    assert response.json() == {"code": 1004, "messages": ["unauthorized"], "response": None}


async def test_reissued_company_admin_token_retires_the_old_one(client, access, acme):
    old = await access.company_admin_token(acme)
    new = await access.company_admin_token(acme)
    gone = await client.get("/v1/company/settings", headers={"X-API-Authorization": old})
    assert gone.status_code == 401 and gone.json()["detail"] == INACTIVE
    kept = await client.get("/v1/company/settings", headers={"X-API-Authorization": new})
    assert kept.status_code == 200
