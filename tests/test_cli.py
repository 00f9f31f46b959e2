"""The CLI a new user runs: migrate (conftest), demo --json, and the demo credentials."""

from __future__ import annotations

import json

from tests.conftest import run_cli


async def test_demo_json_shape_credentials_and_rotation(cli_env, client):
    first = run_cli(cli_env, "demo", "--json")
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, "exactly one JSON object on stdout"
    data = json.loads(lines[0])
    assert set(data) >= {"company", "other_company", "staff", "oauth_client"}
    for key in ("company", "other_company"):
        company = data[key]
        assert set(company) >= {"id", "name", "company_key", "admin", "api_email", "api_key",
                                "api_user", "invoice_api_user", "connector_token",
                                "company_admin_token"}
        assert set(company["admin"]) == {"email", "password"}
        assert company["company_key"].startswith("wlk_")
        for user in ("api_user", "invoice_api_user"):
            assert set(company[user]) == {"username", "password"}
            assert company[user]["username"].startswith("WSI")
    assert set(data["staff"]) == {"email", "password"}
    assert set(data["automation_user"]) == {"username", "password"}
    assert data["company"]["id"] != data["other_company"]["id"]
    oauth = data["oauth_client"]
    assert set(oauth) == {"client_id", "client_secret", "redirect_uri"}
    assert oauth["client_secret"].startswith("wls_")
    assert oauth["redirect_uri"] == "http://127.0.0.1:8765/callback"

    mine = {"Authorization": f"Key {data['company']['company_key']}"}
    theirs = {"Authorization": f"Key {data['other_company']['company_key']}"}
    my_customers = (await client.get("/v1/customers", headers=mine)).json()
    assert my_customers, "the demo company has sample customers"
    other_view = await client.get(f"/v1/customers/{my_customers[0]['id']}", headers=theirs)
    assert other_view.status_code == 404

    # Every credential in the demo works the documented way.
    company = data["company"]
    via_api_key = await client.get("/v1/customers", auth=(company["api_email"],
                                                          company["api_key"]))
    assert via_api_key.json() == my_customers
    plain = company["api_user"]
    invoicing = company["invoice_api_user"]
    assert (await client.get("/v1/invoices", auth=(plain["username"], plain["password"]))
            ).status_code == 403
    invoices = await client.get("/v1/invoices", auth=(invoicing["username"],
                                                      invoicing["password"]))
    assert invoices.status_code == 200 and invoices.json()
    robot = data["automation_user"]
    both = [
        (await client.get("/v1/customers", auth=(robot["username"], robot["password"]),
                          headers={"X-Company-Id": str(data[k]["id"])})).status_code
        for k in ("company", "other_company")
    ]
    assert both == [200, 200]
    connector = await client.get(f"/openapi/1/GetCompany/?token={company['connector_token']}")
    assert connector.json()["response"]["id"] == company["id"]
    settings = await client.get("/v1/company/settings",
                                headers={"X-API-Authorization": company["company_admin_token"]})
    assert settings.json()["id"] == company["id"]

    # Running it again keeps the data but rotates the secrets.
    second = json.loads(run_cli(cli_env, "demo", "--json").stdout)
    assert second["company"]["id"] == data["company"]["id"]
    assert second["company"]["company_key"] != data["company"]["company_key"]
    assert (await client.get("/v1/customers", headers=mine)).status_code == 401
    rotated = {"Authorization": f"Key {second['company']['company_key']}"}
    assert (await client.get("/v1/customers", headers=rotated)).json() == my_customers
    old_user = (plain["username"], plain["password"])
    assert (await client.get("/v1/customers", auth=old_user)).status_code == 401
    assert second["company"]["connector_token"] == company["connector_token"]  # never changes
    # The demo application keeps its client_id; its secret rotates.
    assert second["oauth_client"]["client_id"] == oauth["client_id"]
    assert second["oauth_client"]["client_secret"] != oauth["client_secret"]
    for secret, works in ((oauth["client_secret"], False),
                          (second["oauth_client"]["client_secret"], True)):
        answer = await client.post("/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": "wlr_none",
            "client_id": oauth["client_id"], "client_secret": secret,
        })
        # invalid_grant: the client authenticated and the refresh token was refused
        assert (answer.json()["error"] == "invalid_grant") is works


def test_create_admin(cli_env):
    result = run_cli(cli_env, "create-admin", "root@example.com", "--password", "s3cret-pass")
    assert result.returncode == 0, result.stderr
    assert "root@example.com" in result.stdout


def test_first_time_demo_keeps_working_credentials_and_replaces_stale_ones(cli_env, tmp_path):
    """``make run`` shows the saved demo credentials only while they open the database."""
    env = {**cli_env, "WORKLEDGER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/run.db"}
    assert run_cli(env, "migrate").returncode == 0
    first = json.loads(run_cli(env, "demo", "--first-time", "--json").stdout)
    saved = tmp_path / "demo.json"
    assert json.loads(saved.read_text()) == first
    again = json.loads(run_cli(env, "demo", "--first-time", "--json").stdout)
    assert again == first  # nothing rotated: the printed key still works
    rotated = json.loads(run_cli(env, "demo", "--json").stdout)
    assert rotated["company"]["company_key"] != first["company"]["company_key"]
    saved.write_text(json.dumps(first))  # a stale file, as after a database reset
    fresh = json.loads(run_cli(env, "demo", "--first-time", "--json").stdout)
    assert fresh["company"]["company_key"] not in (first["company"]["company_key"],)
    assert json.loads(saved.read_text()) == fresh
