"""Walks over every route the app really serves. A walk that finds fewer routes than its
floor fails: an earlier version walked ``app.routes`` for ``APIRoute``, found none once
FastAPI wrapped included routers, and passed while checking nothing.

- Every route is in the OpenAPI document or deliberately exempt (named below, with why).
- Every ``/v1`` operation answers 401 without a credential (the token endpoint, which
  hands credentials out, is the one named exception).
- Every ``/v1`` operation with ids in its path answers 404 to another company's ids,
  and leaves that company's data as it was. (Per-resource tenancy — body references and
  filters included — runs from the contract kit, tests/test_contract.py.)
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from tests.test_contract import CASES
from workledger.auth import administration, credentials
from workledger.models import CredentialKind

METHODS = ("get", "post", "put", "patch", "delete")
#: At least this many routes and /v1 operations exist today; fewer means the walk broke.
ROUTE_FLOOR = 70
V1_FLOOR = 30
TOKEN_ENDPOINT = ("post", "/v1/Account/token")
#: Routes deliberately not in the OpenAPI document, by path prefix, and why.
EXEMPT = {
    "/openapi.json": "the document itself",
    "/docs": "Swagger UI, a page",
    "/health": "load-balancer probe, not part of the API",
    "/static/": "assets of Swagger UI and the pages",
    "/oauth2/": "the OAuth 2.0 protocol endpoints, described by RFC 8414 metadata",
    "/.well-known/": "OAuth 2.0 server metadata (RFC 8414)",
    "/login": "page", "/logout": "page", "/settings": "page", "/admin": "page",
    "/sandbox": "the sandbox: the same API again, on its own database, described by its "
                "own document at /sandbox/openapi.json (tests/sandbox)",
}
#: Connector routes served beside the documented ones: every function also answers POST
#: (packages send POST with the token in the URL), and the dispatcher answers the
#: functions of every version; the document describes each function once, as GET.
EXEMPT_ROUTES = {
    ("POST", "/openapi/versions"), ("GET", "/openapi/{version}/{function}/"),
    ("POST", "/openapi/{version}/{function}/"),
    # The goods-owner SOAP face: XML, described by its WSDL (GET ?wsdl) and docs/soap.md;
    # the API description points there (tests/soap).
    ("GET", "/soap/goodsowner"), ("POST", "/soap/goodsowner"),
}


def served_routes(routes, found=None) -> list[tuple[str, str]]:
    """``(METHOD, path)`` for every route the app serves, through included routers."""
    found = [] if found is None else found
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's included-router wrapper
            served_routes(route.original_router.routes, found)
        elif isinstance(route, Mount):
            found.append(("MOUNT", route.path))
        else:
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                found.append((method, route.path))
    return found


def api_routes(routes):
    """Every ``APIRoute`` the app serves, through included routers."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


@pytest.fixture(scope="module")
def spec(app) -> dict:
    return app.openapi()


def v1_operations(spec) -> list[tuple[str, str]]:
    return sorted((method, path) for path, item in spec["paths"].items()
                  if path.startswith("/v1/") for method in item if method in METHODS)


def test_every_route_is_documented_or_exempt(app, spec):
    routes = served_routes(app.routes)
    assert len(routes) >= ROUTE_FLOOR, f"the walk found only {len(routes)} routes"
    undocumented = [
        (method, path) for method, path in routes
        if method.lower() not in spec["paths"].get(path, {}) and method != "HEAD"
        and not any(path.startswith(prefix) for prefix in EXEMPT)
        and (method, path) not in EXEMPT_ROUTES
    ]
    assert undocumented == []
    # Each route exempted by name is served: the list cannot keep a route that is gone.
    assert set(routes) >= EXEMPT_ROUTES
    apis = [r for r in app.routes if isinstance(r, APIRoute)]
    assert apis, "the app serves no APIRoute at top level: the walk's assumptions changed"


async def test_every_v1_operation_without_a_credential_is_401(client, spec):
    operations = v1_operations(spec)
    assert len(operations) >= V1_FLOOR, f"only {len(operations)} /v1 operations"
    for method, path in operations:
        if (method, path) == TOKEN_ENDPOINT:
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        response = await client.request(method.upper(), url, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "1", (method, path)


async def test_every_v1_operation_with_another_companys_ids_is_404(
    client, example_client, app, spec, make_tenant
):
    """Their ids in my call: every path id of every /v1 operation, each made for real in
    another company (resources from their contract case, credentials directly)."""
    from tests.contract import Api

    mine, theirs = await make_tenant(), await make_tenant()
    database = app.state.database
    async with database.session() as session:
        my_admin = await administration.issue_company_admin_token(
            session, app.state.keyring, mine.id
        )
        their_credential, _ = await credentials.issue(
            session, app.state.keyring, CredentialKind.company_key, company_id=theirs.id
        )
    their_ids: dict[str, int] = {"object_id": their_credential.id}
    their_reads: dict[str, tuple[str, dict]] = {}
    for case in CASES:
        if case.app != "app":
            continue
        their_api = Api(client, theirs, database)
        collection = await case.collection(their_api)
        made = await case.make(their_api, 1, collection)
        their_ids[case.resource.names.param] = made["id"]
        their_reads[case.resource.names.param] = (f"{collection}/{made['id']}", made)

    checked = 0
    for method, path in v1_operations(spec):
        params = re.findall(r"\{([a-z_]+)\}", path)
        if not params:
            continue
        missing = [p for p in params if p not in their_ids]
        assert not missing, f"{method.upper()} {path}: no way to make another company's {missing}"
        url = re.sub(r"\{([a-z_]+)\}", lambda m: str(their_ids[m.group(1)]), path)
        headers = ({"X-API-Authorization": my_admin} if path.startswith("/v1/company/")
                   else mine.headers)
        response = await client.request(method.upper(), url, json={"name": "mine now"},
                                        headers=headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "2"
        checked += 1
    assert checked >= 14
    for param, (url, before) in their_reads.items():
        after = await client.get(url, headers=theirs.headers)
        assert after.json() == before, param
