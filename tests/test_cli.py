"""The CLI a new user runs: migrate (conftest), demo --json, and the demo credentials."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import PIPE, Popen

import httpx
import pytest
from lxml import etree

from tests.conftest import run_cli
from tests.live import free_port
from workledger.app import create_app
from workledger.config import SecretKeyMissing
from workledger.soap.envelope import NS, SOAP_ENV


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

    async def listed(path: str) -> list[dict]:
        response = await client.get(path, headers=mine)
        assert response.status_code == 200, response.text
        return response.json()

    # The reference data of the domain: workflows and MAIN as every company has them,
    # and the demo's own employees, second warehouse and links.
    assert [w["type"] for w in await listed("/v1/workflows")] == ["order", "order_line"]
    assert [w["code"] for w in await listed("/v1/warehouses")] == ["MAIN", "VAN-1"]
    assert [e["number"] for e in await listed("/v1/employees")] == ["100", "101"]
    links = await listed("/v1/company-links")
    assert [(link["link_type"], link["external_id"]) for link in links] == [
        ("customer", "CRM-C-1001"), ("supplier", "ERP-S-2001")]
    assert links[0]["customer_id"] in {c["id"] for c in my_customers}
    [contact_link] = await listed("/v1/contact-links")
    contacts = {contact["id"] for c in my_customers for contact in c["contacts"]}
    assert contact_link["contact_id"] in contacts

    # The operations flow (issue 8): stock received, an open, an allocated and a
    # delivered order, and what the delivery made.
    flow = data["company"]
    assert set(flow["order_ids"]) == {"open", "allocated", "delivered"}
    statuses = {state: (await client.get(f"/v1/orders/{order_id}", headers=mine)
                        ).json()["status"] for state, order_id in flow["order_ids"].items()}
    assert statuses == {"open": "open", "allocated": "allocated", "delivered": "delivered"}
    [delivery] = await listed(f"/v1/orders/{flow['order_ids']['delivered']}/deliveries")
    assert sorted(delivery["work_order_ids"]) == flow["work_order_ids"]
    jobs = [(await client.get(f"/v1/work-orders/{i}", headers=mine)).json()
            for i in flow["work_order_ids"]]
    assert sorted((j["kind"], j["status"]) for j in jobs) == [("file_job", "ready"),
                                                            ("job", "complete")]
    made = [(await client.get(f"/v1/equipment/{i}", headers=mine)).json()
            for i in delivery["equipment_ids"]]
    mains = [e for e in made if e["sub_equipment_ids"]]
    assert len(mains) == 1 and mains[0]["serial_number"] == "HP100-0001"
    assert all(e["status"] == "at_customer" for e in made)
    levels = await listed("/v1/stock")
    assert any(level["allocated"] > 0 for level in levels)
    assert {m["type"] for m in await listed("/v1/stock-movements")} == {
        "receipt", "adjustment", "delivery", "consumption"}
    assert data["other_company"]["order_ids"]["open"] != flow["order_ids"]["open"]

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
    # The demo's handling prices: its delivery of 4 lines charged one order and 4 lines.
    charges = await client.get(
        f"/v1/orders/{flow['order_ids']['delivered']}/invoice-charges",
        auth=(invoicing["username"], invoicing["password"]))
    assert charges.status_code == 200, charges.text
    assert sorted((c["quantity"], c["price"]) for c in charges.json()) == [
        (1, 12.5), (4, 1.75)], charges.json()
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

    # The two faces' starting points (issue 9): a Compleet work order through the
    # connector, and the SOAP endpoint with the goods-owner code and a WSI user.
    base = "http://127.0.0.1:8000"  # WORKLEDGER_PUBLIC_URL's default
    connector = data["connector"]
    assert connector["token"] == company["connector_token"]
    complete = [j for j in jobs if j["status"] == "complete"]
    assert connector["workorder_no"] == complete[0]["number"]
    assert connector["get_workorder_url"].startswith(f"{base}/openapi/1/GetWorkorder/")
    fetched = await client.get(connector["get_workorder_url"].removeprefix(base)
                               + "&update_status=false")
    assert fetched.json()["response"]["Status"] == "Compleet", fetched.text
    soap = data["soap"]
    assert soap["wsdl_url"] == f"{base}/soap/goodsowner?wsdl"
    assert soap["goods_owner_code"] == str(company["id"])
    assert (soap["username"], soap["password"]) == (plain["username"], plain["password"])
    wsdl = await client.get(soap["wsdl_url"].removeprefix(base))
    assert wsdl.status_code == 200 and b"wsdl:definitions" in wsdl.content
    request = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><GetOrdersByQuery xmlns="{NS}">'
        f"<GoodsOwnerCode>{soap['goods_owner_code']}</GoodsOwnerCode>"
        f"<UserName>{soap['username']}</UserName><Password>{soap['password']}</Password>"
        "</GetOrdersByQuery></soap:Body></soap:Envelope>")
    orders = await client.post(soap["endpoint"].removeprefix(base), content=request,
                               headers={"Content-Type": "text/xml; charset=utf-8"})
    assert orders.status_code == 200, orders.text
    numbers = etree.fromstring(orders.content).findall(f".//{{{NS}}}OrderNumber")
    assert len(numbers) == len(flow["order_ids"])

    # Running it again keeps the data but rotates the secrets.
    second = json.loads(run_cli(cli_env, "demo", "--json").stdout)
    assert second["company"]["id"] == data["company"]["id"]
    assert second["company"]["order_ids"] == flow["order_ids"]
    assert second["company"]["work_order_ids"] == flow["work_order_ids"]
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
    # `make run PORT=8123`: the same credentials, the faces' addresses on that port.
    moved = json.loads(run_cli({**env, "WORKLEDGER_PUBLIC_URL": "http://127.0.0.1:8123"},
                               "demo", "--first-time", "--json").stdout)
    assert moved["company"] == first["company"]
    assert moved["soap"]["wsdl_url"] == "http://127.0.0.1:8123/soap/goodsowner?wsdl"
    assert moved["connector"]["get_workorder_url"].startswith(
        "http://127.0.0.1:8123/openapi/1/GetWorkorder/?token=")
    assert json.loads(saved.read_text()) == moved
    again = json.loads(run_cli(env, "demo", "--first-time", "--json").stdout)
    assert again["soap"]["wsdl_url"] == first["soap"]["wsdl_url"]
    assert again["company"] == first["company"]
    rotated = json.loads(run_cli(env, "demo", "--json").stdout)
    assert rotated["company"]["company_key"] != first["company"]["company_key"]
    saved.write_text(json.dumps(first))  # a stale file, as after a database reset
    fresh = json.loads(run_cli(env, "demo", "--first-time", "--json").stdout)
    assert fresh["company"]["company_key"] not in (first["company"]["company_key"],)
    assert json.loads(saved.read_text()) == fresh


# --- serve: the secret key in production, the public address in development ----------


@contextmanager
def serving(env: dict[str, str], *args: str, cwd: Path) -> Iterator[tuple[Popen, str]]:
    """``workledger serve ARGS`` as a process; yields it and its address once /health
    answers, or as soon as it has exited (the caller checks why)."""
    port = free_port()
    process = Popen(
        [sys.executable, "-m", "workledger.cli", "serve", "--port", str(port), *args],
        env=env, cwd=cwd, stdout=PIPE, stderr=PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded CI machine starts Python slowly
        while process.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server neither started nor exited"
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


def test_production_refuses_to_start_without_a_secret_key(cli_env, tmp_path):
    env = without(cli_env, "WORKLEDGER_SECRET_KEY", "WORKLEDGER_DEV")
    with serving(env, cwd=tmp_path) as (process, _url):
        assert process.wait(timeout=20) == 1
        message = process.stderr.read()
    assert "WORKLEDGER_SECRET_KEY is not set" in message
    assert "Traceback" not in message
    assert not (tmp_path / "var").exists()  # no key was invented on this machine

    # The message says how to make a key, and a server with that key starts.
    command = re.search(r"^\s+(python3 -c .+)$", message, re.MULTILINE).group(1)
    made = subprocess.run(command, shell=True, capture_output=True, text=True, check=True)
    key = made.stdout.strip()
    assert len(key) >= 64
    with serving({**env, "WORKLEDGER_SECRET_KEY": key}, cwd=tmp_path) as (process, url):
        assert process.poll() is None, process.stderr.read()
        assert httpx.get(f"{url}/health").status_code == 200
        # Production: the API answers only over HTTPS.
        assert httpx.get(f"{url}/v1/customers").json()["code"] == "6"


def test_create_app_in_production_refuses_without_a_secret_key(settings):
    with pytest.raises(SecretKeyMissing, match=r"secrets\.token_urlsafe\(48\)"):
        create_app(settings.model_copy(update={"secret_key": "", "dev": False}))


def test_serve_dev_keeps_a_local_key_and_names_its_own_port(cli_env, tmp_path):
    env = without(cli_env, "WORKLEDGER_SECRET_KEY", "WORKLEDGER_DEV", "WORKLEDGER_PUBLIC_URL")
    with serving(env, "--dev", cwd=tmp_path) as (process, url):
        assert process.poll() is None, process.stderr.read()
        metadata = httpx.get(f"{url}/.well-known/oauth-authorization-server",
                             headers={"Host": "evil.example"}).json()
    assert metadata["issuer"] == url  # the port it serves on, not 8000, not the Host
    assert metadata["token_endpoint"] == f"{url}/oauth2/token"
    assert (tmp_path / "var" / "secret.key").exists()

    # An address the caller configured is kept.
    configured = {**env, "WORKLEDGER_PUBLIC_URL": "https://workledger.example/wl"}
    with serving(configured, "--dev", cwd=tmp_path) as (process, url):
        assert process.poll() is None, process.stderr.read()
        metadata = httpx.get(f"{url}/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "https://workledger.example/wl"
    assert "Public address (WORKLEDGER_PUBLIC_URL): https://workledger.example/wl" in (
        process.stdout.read()
    )


def test_demo_needs_a_secret_key_or_development_mode(cli_env, tmp_path):
    env = {**without(cli_env, "WORKLEDGER_SECRET_KEY", "WORKLEDGER_DEV"),
           "WORKLEDGER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/demo.db"}
    assert run_cli(env, "migrate", cwd=tmp_path).returncode == 0
    refused = run_cli(env, "demo", "--json", cwd=tmp_path)
    assert refused.returncode == 1
    assert "WORKLEDGER_SECRET_KEY is not set" in refused.stderr
    assert not (tmp_path / "var").exists()
    # As `make run` runs it: development mode, a key kept in var/secret.key.
    made = run_cli({**env, "WORKLEDGER_DEV": "true"}, "demo", "--json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["company"]["company_key"].startswith("wlk_")
    assert (tmp_path / "var" / "secret.key").exists()


def test_demo_json_redirected_onto_its_own_file_stays_whole(cli_env, tmp_path):
    """`demo --json > var/demo.json` where the CLI keeps its own copy: one JSON object,
    not two writers' output interleaved."""
    import subprocess
    import sys

    env = {**cli_env, "WORKLEDGER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/run.db"}
    assert run_cli(env, "migrate", cwd=tmp_path).returncode == 0
    target = tmp_path / "demo.json"  # the CLI's own file, beside the database
    for _ in range(2):  # the second run reads the file the first redirect wrote
        with target.open("w") as out:
            result = subprocess.run([sys.executable, "-m", "workledger.cli", "demo", "--json",
                                     "--first-time"], env=env, cwd=tmp_path, stdout=out,
                                    stderr=subprocess.PIPE, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        data = json.loads(target.read_text())
        assert data["company"]["company_key"].startswith("wlk_")
    assert not list(tmp_path.glob(".demo.json.*.tmp"))
