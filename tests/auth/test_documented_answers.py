"""The operations outside kit/resource.py answer what the OpenAPI document lists, and
nothing else: every documented status is provoked for real (but 500, which would take a
broken server), and every answer is checked against its documented entry: the status,
the media type, the body's members and the headers.

Some statuses come from the edge rather than the endpoint, so three more apps on the
same database provoke them: one with a limit of one call (429), one in production mode
(403 over plain HTTP) and one with a tiny body limit (413).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.auth.conftest import PASSWORD
from tests.orders.helpers import ORDERS, make, receive, world
from tests.test_openapi import OPERATION_IDS
from workledger.app import create_app

PROBLEM = "application/problem+json"
PROBLEM_MEMBERS = {"type", "title", "status", "code", "traceId"}
#: An unexpected error needs a broken server; it is documented everywhere all the same.
NOT_PROVOKED = {500}
MISSING = 999_999_999


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # the template, as in the document
    url: str
    options: dict[str, Any]


def call(method: str, path: str, url: str | None = None, **options: Any) -> Call:
    return Call(method, path, url or path, options)


@pytest.fixture
async def spec(client) -> dict[str, Any]:
    return (await client.get("/openapi.json")).json()


@pytest.fixture
async def callers(client, access, make_tenant, acme) -> dict[str, Any]:
    """Credentials of every kind, for a company with API access and one without (and an
    order line of the first, allocated, for the automation API's picks)."""
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    order = await make(client, acme, ORDERS, {
        "customer_id": w["customer"], "lines": [{"item_id": w["goods"], "quantity": 10}]})
    await make(client, acme, f"{ORDERS}/{order['id']}/allocate", {})
    off = await make_tenant(api_access=False)
    spare = await make_tenant()
    automation = await access.automation_user()
    person = await access.person(acme)
    off_person = await access.person(off)
    return {
        "key": acme.headers,
        "off_key": off.headers,
        "admin": {"X-API-Authorization": await access.company_admin_token(acme)},
        "off_admin": {"X-API-Authorization": await access.company_admin_token(off)},
        "spare_admin": {"X-API-Authorization": await access.company_admin_token(spare)},
        "automation": automation["headers"],
        "token_body": {"username": person["login"], "password": PASSWORD},
        "off_token_body": {"username": off_person["login"], "password": PASSWORD},
        "connector": await access.connector_token(acme),
        "off_connector": await access.connector_token(off),
        "name": acme.name,
        "pick": {"company_id": acme.id, "order_line_id": order["lines"][0]["id"],
                 "quantity": 1},
    }


def one_call_each(c: dict[str, Any]) -> list[Call]:
    """One call of every operation with a valid credential (and a body where it takes
    one): what the edge refuses, whatever the operation."""
    return [
        call("post", "/v1/Account/token", json=c["token_body"]),
        call("get", "/v1/me", headers=c["key"]),
        call("get", "/v1/company/credentials", headers=c["admin"]),
        call("delete", "/v1/company/credentials/{object_id}",
             f"/v1/company/credentials/{MISSING}", headers=c["admin"]),
        call("get", "/v1/company/settings", headers=c["admin"]),
        call("patch", "/v1/company/settings", json={"name": c["name"]}, headers=c["admin"]),
        call("get", "/v1/automation/companies", headers=c["automation"]),
        # total=true: X-Total-Count is documented beside Link.
        call("get", "/v1/automation/pick-list", params={"total": "true"},
             headers=c["automation"]),
        call("post", "/v1/automation/picks", json=c["pick"], headers=c["automation"]),
        call("get", "/openapi/versions"),
        call("get", "/openapi/1/GetCompany/", params={"token": c["connector"]}),
        call("post", "/openapi/versions"),
        call("post", "/openapi/1/GetCompany/", params={"token": c["connector"]}),
        *(call(method, f"/openapi/1/{name}/", params={"token": c["connector"], **params},
               json=body)
          for name, (body, params) in CONNECTOR_SUCCESS.items() for method in ("get", "post")),
    ]


#: A call of each connector function that succeeds, in an order that works: ``(body,
#: parameters)``.
CONNECTOR_SUCCESS: dict[str, tuple[Any, dict[str, str]]] = {
    "PostEmployees": ([{"number": "D-1", "firstname": "Doc"}], {}),
    "GetEmployees": (None, {}),
    "PostWorkorders": ([{"WorkorderNo": "D-1"}], {}),
    "GetWorkorders": (None, {"status": "Alle"}),
    "GetWorkorder": (None, {"workorder_no": "D-1"}),
    "UpdateWorkorder": (None, {"workorder_no": "D-1", "work_status": "checked"}),
}
#: Refusals particular to a function: ``(body, parameters)`` for each documented status.
CONNECTOR_REFUSALS: dict[str, list[tuple[Any, dict[str, str]]]] = {
    "PostEmployees": [([{"firstname": "No number"}], {})],
    "PostWorkorders": [([{"WorkorderNo": "D-2", "Status": "Afgehandeld"}], {}),
                       ([{"Description": "no number"}], {})],
    "GetWorkorders": [(None, {"status": "Later"})],
    "GetWorkorder": [(None, {"row_id": str(MISSING)}), (None, {})],
    "UpdateWorkorder": [(None, {"row_id": str(MISSING), "work_status": "x"}),
                        (None, {"workorder_no": "D-1"}),
                        (None, {"workorder_no": "D-1", "status": "Afgehandeld"})],
}


def connector_calls(c: dict[str, Any]) -> list[Call]:
    """Every connector function of version 1, by GET and by POST: its success, its own
    refusals, and those of every function (no token, a wrong one, a company without API
    access, the token sent twice)."""
    calls = []
    for name, (body, params) in CONNECTOR_SUCCESS.items():
        path = f"/openapi/1/{name}/"
        for method in ("get", "post"):
            calls.append(call(method, path, params={"token": c["connector"], **params},
                              json=body))
            for refused_body, refused_params in CONNECTOR_REFUSALS.get(name, []):
                calls.append(call(method, path, json=refused_body,
                                  params={"token": c["connector"], **refused_params}))
            calls += [call(method, path), call(method, path, params={"token": "wlc_wrong"}),
                      call(method, path, params={"token": c["off_connector"]}),
                      call(method, path, params=[("token", c["connector"]),
                                                 ("token", c["connector"])])]
    return calls


async def endpoint_answers(client, c: dict[str, Any]) -> list[tuple[Call, httpx.Response]]:
    """What each operation itself answers, success and refusals."""
    automation_elsewhere = {**c["automation"], "X-Company-Id": str(MISSING)}
    company_key_id = next(
        row["id"]
        for row in (await client.get("/v1/company/credentials",
                                     headers=c["spare_admin"])).json()
        if row["kind"] == "company_key"
    )
    settings = (await client.get("/v1/company/settings", headers=c["admin"])).json()
    calls = [
        call("post", "/v1/Account/token", json=c["token_body"]),
        call("post", "/v1/Account/token", json={**c["token_body"], "password": "wrong"}),
        call("post", "/v1/Account/token", json={"username": ""}),
        call("post", "/v1/Account/token", json=c["off_token_body"]),
        call("get", "/v1/me", headers=c["key"]),
        call("get", "/v1/me", params={"nope": "1"}, headers=c["key"]),
        call("get", "/v1/me"),
        call("get", "/v1/me", headers=c["off_key"]),
        call("get", "/v1/me", headers=automation_elsewhere),
        call("get", "/v1/company/credentials", headers=c["admin"]),
        call("get", "/v1/company/credentials", params={"language_code": "2"},
             headers=c["admin"]),
        call("get", "/v1/company/credentials"),
        call("get", "/v1/company/credentials", headers=c["off_admin"]),
        call("delete", "/v1/company/credentials/{object_id}",
             f"/v1/company/credentials/{company_key_id}", headers=c["spare_admin"]),
        call("delete", "/v1/company/credentials/{object_id}", "/v1/company/credentials/x",
             headers=c["admin"]),
        call("delete", "/v1/company/credentials/{object_id}", "/v1/company/credentials/1"),
        call("delete", "/v1/company/credentials/{object_id}", "/v1/company/credentials/1",
             headers=c["off_admin"]),
        call("delete", "/v1/company/credentials/{object_id}",
             f"/v1/company/credentials/{MISSING}", headers=c["admin"]),
        call("get", "/v1/company/settings", headers=c["admin"]),
        call("get", "/v1/company/settings", params={"nope": "1"}, headers=c["admin"]),
        call("get", "/v1/company/settings"),
        call("get", "/v1/company/settings", headers=c["off_admin"]),
        call("patch", "/v1/company/settings", json={"name": c["name"]}, headers=c["admin"]),
        call("patch", "/v1/company/settings",
             json={"api_access": not settings["api_access"]}, headers=c["admin"]),
        call("patch", "/v1/company/settings", json={}),
        call("patch", "/v1/company/settings", json={}, headers=c["off_admin"]),
        call("get", "/v1/automation/companies", headers=c["automation"]),
        call("get", "/v1/automation/companies",
             headers={**c["automation"], "X-Company-Id": "not-a-number"}),
        call("get", "/v1/automation/companies"),
        call("get", "/v1/automation/companies", headers=c["key"]),
        call("get", "/v1/automation/companies", headers=automation_elsewhere),
        # total=true: X-Total-Count is documented beside Link.
        call("get", "/v1/automation/pick-list", params={"total": "true"},
             headers=c["automation"]),
        call("get", "/v1/automation/pick-list", params={"company_id": "acme"},
             headers=c["automation"]),
        call("get", "/v1/automation/pick-list"),
        call("get", "/v1/automation/pick-list", headers=c["key"]),
        call("get", "/v1/automation/pick-list", headers=automation_elsewhere),
        call("post", "/v1/automation/picks", json=c["pick"],
             headers={**c["automation"], "Idempotency-Key": "documented-answers"}),
        call("post", "/v1/automation/picks", json={**c["pick"], "quantity": 2},
             headers={**c["automation"], "Idempotency-Key": "documented-answers"}),
        call("post", "/v1/automation/picks", json={"quantity": 1}, headers=c["automation"]),
        call("post", "/v1/automation/picks", json=c["pick"]),
        call("post", "/v1/automation/picks", json=c["pick"], headers=c["key"]),
        call("post", "/v1/automation/picks", json={**c["pick"], "company_id": MISSING},
             headers=c["automation"]),
        call("post", "/v1/automation/picks", json={**c["pick"], "quantity": 1000},
             headers=c["automation"]),
        call("get", "/openapi/versions"),
        call("get", "/openapi/1/GetCompany/", params={"token": c["connector"]}),
        call("get", "/openapi/1/GetCompany/"),
        call("get", "/openapi/1/GetCompany/", params={"token": "wlc_wrong"}),
        call("get", "/openapi/1/GetCompany/", params={"token": c["off_connector"]}),
        call("get", "/openapi/1/GetCompany/",
             params=[("token", c["connector"]), ("token", c["connector"])]),
        call("post", "/openapi/versions"),
        call("post", "/openapi/1/GetCompany/", params={"token": c["connector"]}),
        call("post", "/openapi/1/GetCompany/"),
        call("post", "/openapi/1/GetCompany/",
             params=[("token", c["connector"]), ("token", c["connector"])]),
        *connector_calls(c),
    ]
    return [(each, await send(client, each)) for each in calls]


async def send(client: httpx.AsyncClient, each: Call) -> httpx.Response:
    return await client.request(each.method.upper(), each.url, **each.options)


async def edge_answers(settings, c: dict[str, Any]) -> list[tuple[Call, httpx.Response]]:
    answers = []
    for overrides, repeat in (
        ({"rate_limit": "1/15 minutes", "redis_url": None}, 2),  # the second call: 429
        ({"dev": False}, 1),  # plain HTTP in production: 403
        ({"max_body_bytes": 8}, 1),  # every body here is longer: 413
    ):
        app = create_app(settings.model_copy(update=overrides))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for each in one_call_each(c):
                    for _ in range(repeat):
                        answers.append((each, await send(client, each)))
        finally:
            await app.state.database.dispose()
    return answers


def schema(spec: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    ref = entry["schema"].get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else entry["schema"]


def mismatches(spec: dict[str, Any], each: Call, response: httpx.Response) -> list[str]:
    where = f"{each.method.upper()} {each.url} → {response.status_code}"
    documented = spec["paths"][each.path][each.method]["responses"].get(
        str(response.status_code))
    if documented is None:
        return [f"{where}: not documented ({response.text[:120]})"]
    media_type = response.headers.get("content-type", "").split(";")[0]
    if media_type not in documented.get("content", {}):
        return [f"{where}: {media_type} is not documented"]
    issues = []
    body = response.json()
    expected = schema(spec, documented["content"][media_type])
    if media_type == PROBLEM:
        if not set(body) >= PROBLEM_MEMBERS or body["status"] != response.status_code:
            issues.append(f"{where}: not a problem document: {body}")
    elif expected.get("type") == "object":
        if not set(expected.get("required", [])) <= set(body):
            issues.append(f"{where}: members {sorted(body)}, documented {expected['required']}")
    elif expected.get("type") == "array" and not isinstance(body, list):
        issues.append(f"{where}: not an array")
    # Every documented header but those marked optional (`Idempotent-Replayed`: replays).
    missing = {name.lower() for name, header in documented.get("headers", {}).items()
               if header.get("required", True) is not False} - set(response.headers)
    if missing:
        issues.append(f"{where}: documented headers not sent: {sorted(missing)}")
    return issues


async def test_every_documented_status_is_answered_as_documented(
    client, spec, callers, settings
):
    answers = [*await endpoint_answers(client, callers), *await edge_answers(settings, callers)]
    issues = [issue for each, response in answers for issue in mismatches(spec, each, response)]
    assert issues == []

    observed: dict[tuple[str, str], set[int]] = defaultdict(set)
    for each, response in answers:
        observed[each.method, each.path].add(response.status_code)
    assert set(observed) == set(OPERATION_IDS)  # every operation outside kit/resource.py
    unprovoked = {
        key: documented
        for key in OPERATION_IDS
        if (documented := {int(s) for s in spec["paths"][key[1]][key[0]]["responses"]}
            - observed[key] - NOT_PROVOKED)
    }
    assert unprovoked == {}, "documented, but never answered here"

