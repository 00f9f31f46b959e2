"""The OpenAPI document and the Swagger UI page (DESIGN §4.5, §4.9).

``/openapi.json`` is what client generators and Swagger UI read, so it must tell the
truth: every /v1 operation is summarised, secured by the company key, documents the
problem responses it can answer, and every list documents its paging, sorting, total
and filters; every response names the headers the edge sends; operation ids are
readable and unique. Where it can, a test checks the document against what the API does
(tests/auth/test_documented_answers.py walks every status of the operations that
kit/resource.py does not make). The document and the user docs speak of Workledger only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter

from tests.conftest import ROOT
from workledger import __version__
from workledger.app import create_app

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/ProblemDocument"
METHODS = ("get", "post", "put", "patch", "delete")
#: Every /v1 operation can answer these (a bad query parameter or body, no credential,
#: API access switched off, the rate limit, an unexpected error).
COMMON_ERRORS = ("400", "401", "403", "429", "500")
LIST_COMMON = ("page", "per_page", "sort", "total", "language_code")
RESOURCES = ("customers", "suppliers", "items", "company-links", "contact-links", "employees",
             "warehouses",
             "purchase-orders",  # issue 8: stock and purchase orders
             "orders",  # issue 8: orders
             "equipment", "work-orders",  # issue 8: equipment and work orders
             "invoice-charges")  # issue 9
#: Collections served by the listing machinery (page, sort, filters).
LISTS = (*RESOURCES, "workflows", "invoices",
         "stock", "stock-movements")  # issue 8: stock
#: The one /v1 operation that takes no credential: it hands them out.
TOKEN_ENDPOINT = ("post", "/v1/Account/token")
SWAGGER_ASSETS = (
    "/static/swagger/swagger-ui.css",
    "/static/swagger/swagger-ui-bundle.js",
    "/static/swagger/favicon.png",
    "/static/web/swagger-authorize.js",  # opens the Authorize dialog at its top
)
#: The operations that kit/resource.py does not make, with their ids. A generated client
#: names its functions after them, so they never change.
OPERATION_IDS = {
    ("post", "/v1/Account/token"): "create_account_token",
    ("get", "/v1/me"): "get_me",
    ("get", "/v1/company/credentials"): "list_company_credentials",
    ("delete", "/v1/company/credentials/{object_id}"): "revoke_company_credential",
    ("get", "/v1/company/settings"): "get_company_settings",
    ("patch", "/v1/company/settings"): "update_company_settings",
    ("get", "/v1/automation/companies"): "list_automation_companies",
    ("get", "/v1/automation/pick-list"): "list_automation_pick_list",
    ("post", "/v1/automation/picks"): "create_automation_pick",
    ("get", "/openapi/versions"): "list_connector_versions",
    ("get", "/openapi/1/GetCompany/"): "get_company",
    ("post", "/openapi/versions"): "list_connector_versions_post",
    ("post", "/openapi/1/GetCompany/"): "get_company_post",
    ("post", "/openapi/1/PostEmployees/"): "post_employees",
    ("get", "/openapi/1/PostEmployees/"): "post_employees_get",
    ("get", "/openapi/1/GetEmployees/"): "get_employees",
    ("post", "/openapi/1/GetEmployees/"): "get_employees_post",
    ("post", "/openapi/1/PostWorkorders/"): "post_workorders",
    ("get", "/openapi/1/PostWorkorders/"): "post_workorders_get",
    ("get", "/openapi/1/GetWorkorders/"): "get_workorders",
    ("post", "/openapi/1/GetWorkorders/"): "get_workorders_post",
    ("get", "/openapi/1/GetWorkorder/"): "get_workorder",
    ("post", "/openapi/1/GetWorkorder/"): "get_workorder_post",
    ("post", "/openapi/1/UpdateWorkorder/"): "update_workorder",
    ("get", "/openapi/1/UpdateWorkorder/"): "update_workorder_get",
}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
#: Sent with every answer (kit.edge, kit.ratelimit).
EDGE_HEADERS = ("X-Trace-Id", "X-Ratelimit-Limit", "X-Ratelimit-Remaining",
                "X-Ratelimit-Used", "RateLimit-Policy", "RateLimit")
HEADER_REF = "#/components/headers/{}"
#: What an integrator cannot look up: the internal design's sections and the names of
#: the reference documents it was built from.
INTERNAL_REFERENCES = {
    "a section sign": re.compile("§"),
    "the design document": re.compile(r"\bDESIGN\b|DESIGN\.md|shared/"),
    "a seed": re.compile(r"(?i)\bseeds?\b"),
    # "Ongoing" only capitalised: the word itself is plain English.
    "a reference vendor": re.compile(r"(?i:oneup|\bonix\b|werkbon)|\bOngoing\b"),
}
USER_DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


@pytest.fixture(scope="module")
async def spec(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def v1_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if method in METHODS
    ]
    assert operations, "no /v1 operation in the OpenAPI document"
    return operations


def list_operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """GET on a listed collection."""
    return [
        (path, operation)
        for method, path, operation in v1_operations(spec)
        if method == "get" and path in {f"/v1/{name}" for name in LISTS}
    ]


def all_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of every face: /v1 and the connector."""
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operations) >= len(v1_operations(spec)) + 2, "the connector is missing"
    return operations


def query_parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def label(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


# -- the document ---------------------------------------------------------------------


async def test_openapi_describes_the_api(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Workledger API"
    assert spec["info"]["version"] == __version__
    assert "Key wlk_" in spec["info"]["description"]  # how to authorize, with the scheme


async def test_every_resource_has_its_rest_operations(spec):
    found = {(method, path) for method, path, _ in v1_operations(spec)}
    for resource in RESOURCES:
        collection = f"/v1/{resource}"
        element = f"{collection}/{{{resource.removesuffix('s').replace('-', '_')}_id}}"
        expected = {
            ("get", collection), ("post", collection), ("delete", collection),
            ("get", element), ("put", element), ("patch", element), ("delete", element),
        }
        assert expected <= found, f"{resource}: missing {expected - found}"
    ids = [operation["operationId"] for _, _, operation in v1_operations(spec)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


async def test_every_operation_has_a_summary_a_tag_and_language_code(spec):
    problems = []
    for method, path, operation in v1_operations(spec):
        where = label(method, path)
        if not operation.get("summary", "").strip():
            problems.append(f"{where}: no summary")
        if not operation.get("tags"):
            problems.append(f"{where}: no tag")
        language = query_parameters(operation).get("language_code")
        if language is None or not language.get("description"):
            problems.append(f"{where}: language_code is not documented")
    assert problems == []


async def test_the_document_is_valid_openapi(spec):
    try:  # a test tool that only this test needs
        from openapi_spec_validator import validate
    except ImportError:
        pytest.fail("openapi-spec-validator is not installed in this environment: install "
                    "the project's test dependencies", pytrace=False)
    validate(spec)


# -- operation ids ------------------------------------------------------------------------


async def test_operation_ids_are_readable_unique_and_stable(spec):
    operations = all_operations(spec)
    ids = [operation.get("operationId", "") for _, _, operation in operations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    unreadable = [i for i in ids if not SNAKE_CASE.match(i) or "v1" in i.split("_")]
    assert unreadable == []
    found = {(method, path): operation["operationId"] for method, path, operation in operations}
    assert {key: found.get(key) for key in OPERATION_IDS} == OPERATION_IDS
    # A new endpoint outside kit/resource.py joins the table, and so the walk of its
    # statuses in tests/auth/test_documented_answers.py.
    resource_paths = tuple(f"/v1/{name}" for name in LISTS)
    others = {key for key in found if not key[1].startswith(resource_paths)}
    assert others == set(OPERATION_IDS)


async def test_a_new_route_gets_a_readable_id_and_a_duplicate_is_refused(settings):
    app = create_app(settings)
    try:
        extra = APIRouter(prefix="/v1/extra", tags=["Extra"])

        @extra.get("/things/{thing_id}")
        async def list_extra_things(thing_id: int) -> dict:
            return {}

        app.include_router(extra)
        operation = app.openapi()["paths"]["/v1/extra/things/{thing_id}"]["get"]
        assert operation["operationId"] == "list_extra_things"

        app.openapi_schema = None

        @app.post("/v1/extra/other")
        async def list_customers() -> dict:  # the name of a resource operation's id
            return {}

        with (pytest.warns(UserWarning, match="Duplicate Operation ID"),
              pytest.raises(RuntimeError, match="duplicate OpenAPI operation ids: list_customers")):
            app.openapi()
    finally:
        await app.state.database.dispose()


# -- response headers ------------------------------------------------------------------------


def header_names(response: dict[str, Any]) -> set[str]:
    return set(response.get("headers", {}))


async def test_the_edge_headers_are_described_once(spec):
    headers = spec["components"]["headers"]
    assert set(EDGE_HEADERS) | {"Retry-After", "WWW-Authenticate"} <= set(headers)
    for name in (*EDGE_HEADERS, "Retry-After", "WWW-Authenticate"):
        assert headers[name]["description"].strip(), name
        assert "type" in headers[name]["schema"], name
    assert headers["X-Trace-Id"]["required"] is True
    assert headers["X-Ratelimit-Limit"]["schema"]["type"] == "integer"


async def test_every_response_of_every_operation_references_the_edge_headers(spec):
    problems, responses = [], 0
    for method, path, operation in all_operations(spec):
        for status, response in operation["responses"].items():
            responses += 1
            expected = list(EDGE_HEADERS)
            if status == "429":
                expected.append("Retry-After")
            if status == "401" and PROBLEM in response.get("content", {}):
                expected.append("WWW-Authenticate")
            for name in expected:
                if response.get("headers", {}).get(name) != {"$ref": HEADER_REF.format(name)}:
                    problems.append(f"{label(method, path)} {status}: {name}")
    assert responses >= 200, responses  # 33 operations with 5-10 responses each
    assert problems == []


async def test_every_v1_401_and_429_names_its_challenge_or_retry(spec):
    checked = 0
    for method, path, operation in v1_operations(spec):
        responses = operation["responses"]
        if "401" in responses:
            assert "WWW-Authenticate" in header_names(responses["401"]), label(method, path)
            checked += 1
        assert "Retry-After" in header_names(responses["429"]), label(method, path)
    assert checked >= 25


def sent_headers(spec, method: str, path: str, status: int) -> set[str]:
    """The headers the document promises for one response (the $refs resolved)."""
    response = spec["paths"][path][method]["responses"][str(status)]
    assert response["headers"], (method, path, status)
    return {name.lower() for name in response["headers"]}


async def test_the_documented_headers_are_sent(client, spec, acme, settings):
    calls = [
        # total=true: X-Total-Count is documented, and sent when asked for.
        ("get", "/v1/customers", "/v1/customers",
         {"headers": acme.headers, "params": {"total": "true"}}, 200),
        ("get", "/v1/customers", "/v1/customers", {}, 401),
        ("get", "/v1/customers", "/v1/customers",
         {"headers": {"Authorization": "Bearer wlt_unknown"}}, 401),
        ("get", "/v1/customers", "/v1/customers",
         {"headers": acme.headers, "params": {"no_such": "1"}}, 400),
        ("get", "/v1/customers/{customer_id}", "/v1/customers/999999999",
         {"headers": acme.headers}, 404),
        ("post", "/v1/Account/token", "/v1/Account/token",
         {"json": {"username": "nobody@example.com", "password": "wrong"}}, 400),
        ("get", "/openapi/versions", "/openapi/versions", {}, 200),
        ("get", "/openapi/1/GetCompany/", "/openapi/1/GetCompany/", {}, 401),
    ]
    for method, path, url, options, status in calls:
        response = await client.request(method.upper(), url, **options)
        assert response.status_code == status, (url, response.text)
        missing = sent_headers(spec, method, path, status) - set(response.headers)
        assert missing == set(), f"{label(method, path)} {status} lacks {missing}"

    app = create_app(settings.model_copy(update={"rate_limit": "1/15 minutes",
                                                 "redis_url": None}))
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as limited:
            responses = [await limited.get("/v1/customers", headers=acme.headers)
                         for _ in range(2)]
    finally:
        await app.state.database.dispose()
    assert [r.status_code for r in responses] == [200, 429]
    missing = sent_headers(spec, "get", "/v1/customers", 429) - set(responses[1].headers)
    assert missing == set()


# -- the connector face --------------------------------------------------------------------


async def test_the_connector_documents_its_token_and_envelope(spec):
    operation = spec["paths"]["/openapi/1/GetCompany/"]["get"]
    token = query_parameters(operation)["token"]
    assert token["required"] is True and "connector token" in token["description"]
    schemas = spec["components"]["schemas"]

    def schema_of(response: dict[str, Any], media_type: str = "application/json") -> dict:
        return schemas[response["content"][media_type]["schema"]["$ref"].rsplit("/", 1)[1]]

    responses = operation["responses"]
    answer = schema_of(responses["200"])
    assert set(answer["required"]) == {"code", "messages", "response"}
    company = schemas[answer["properties"]["response"]["$ref"].rsplit("/", 1)[1]]
    assert {"id", "name", "erp_package"} <= set(company["properties"])
    for status in ("401", "403", "429"):
        error = schema_of(responses[status])
        assert set(error["required"]) == {"code", "messages", "response"}, status
        assert error["properties"]["response"]["type"] == "null", status
    # Refused before the token is read: problem documents, listed after the envelope
    # that a generated client parses by default.
    for status in ("403", "429"):
        assert list(responses[status]["content"]) == ["application/json", PROBLEM], status
    assert list(responses["500"]["content"]) == [PROBLEM]
    versions = spec["paths"]["/openapi/versions"]["get"]
    assert "token" not in query_parameters(versions)
    assert schema_of(versions["responses"]["200"])["properties"]["response"]["type"] == "array"
    tag = next(t for t in spec["tags"] if t["name"] == "Connector")
    assert '{"code", "messages", "response"}' in tag["description"]


async def test_the_documented_envelope_is_what_the_connector_sends(client, spec):
    schemas = spec["components"]["schemas"]
    for url, status, schema in (("/openapi/versions", 200, "ConnectorVersions"),
                                ("/openapi/1/GetCompany/?token=wlc_wrong", 401,
                                 "ConnectorError")):
        response = await client.get(url)
        assert response.status_code == status
        assert set(response.json()) == set(schemas[schema]["required"]), url


# -- errors ---------------------------------------------------------------------------


def problem_response_issues(where: str, status: str, response: dict[str, Any] | None) -> list:
    if response is None:
        return [f"{where}: {status} is not documented"]
    issues = []
    if not response.get("description", "").strip():
        issues.append(f"{where}: {status} has no description")
    content = response.get("content", {})
    if set(content) != {PROBLEM}:
        issues.append(f"{where}: {status} is documented as {sorted(content)}, not only {PROBLEM}")
    schema = content.get(PROBLEM, {}).get("schema", {})
    if schema.get("$ref") != PROBLEM_REF:
        issues.append(f"{where}: {status} {PROBLEM} has schema {schema}, not {PROBLEM_REF}")
    return issues


async def test_every_operation_documents_its_problem_responses(spec):
    problems = []
    for method, path, operation in v1_operations(spec):
        where = label(method, path)
        responses = operation["responses"]
        expected = [*COMMON_ERRORS, *(["404"] if "{" in path else [])]
        if (method, path) == TOKEN_ENDPOINT:  # it takes no credential, so no 401
            expected.remove("401")
        for status in expected:
            problems.extend(problem_response_issues(where, status, responses.get(status)))
        # Whatever else is documented as an error is a problem document too.
        for status, response in responses.items():
            if status not in expected and int(status) >= 400:
                problems.extend(problem_response_issues(where, status, response))
    assert problems == []


async def test_fastapi_validation_error_schema_is_not_documented(spec):
    """Validation errors are 400 problems (§4.5), never FastAPI's 422 ``{"detail": [...]}``."""
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    wrong = [
        f"{label(method, path)} {status}"
        for method, path, operation in v1_operations(spec)
        for status, response in operation["responses"].items()
        if response.get("description") == "Validation Error"
    ]
    assert wrong == []


async def test_a_validation_error_is_a_400_problem_as_documented(client, acme):
    response = await client.get("/v1/customers/not-a-number", headers=acme.headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "3"


async def test_the_problem_schema(spec):
    schema = spec["components"]["schemas"]["ProblemDocument"]
    properties = schema["properties"]
    assert {"type", "title", "status", "code", "detail", "traceId", "errors", "violations",
            "reason"} <= set(properties)
    assert {"type", "title", "status", "code", "traceId"} <= set(schema["required"])
    assert properties["status"]["type"] == "integer"
    assert properties["code"]["type"] == "string"  # "3", as the OneUp codes are sent


async def test_the_documented_problem_media_type_is_what_the_api_sends(client, acme):
    unauthorized = await client.get("/v1/customers")
    assert unauthorized.status_code == 401
    assert unauthorized.headers["content-type"] == PROBLEM
    missing = await client.get("/v1/customers/999999999", headers=acme.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


# -- lists ------------------------------------------------------------------------------


async def test_every_list_documents_paging_sorting_total_and_filters(spec):
    lists = list_operations(spec)
    assert {path for path, _ in lists} >= {f"/v1/{r}" for r in RESOURCES}
    for path, operation in lists:
        params = query_parameters(operation)
        assert set(LIST_COMMON) <= set(params), f"{path}: {sorted(params)}"
        page, per_page = params["page"]["schema"], params["per_page"]["schema"]
        assert (page["type"], page["minimum"], page["default"]) == ("integer", 1, 1), path
        assert (per_page["type"], per_page["minimum"], per_page["maximum"],
                per_page["default"]) == ("integer", 1, 500, 50), path
        assert params["total"]["schema"]["type"] == "boolean", path
        assert "Sortable:" in params["sort"]["description"], path
        filters = set(params) - set(LIST_COMMON)
        assert "id" in filters and "created_at" in filters, f"{path}: filters {filters}"
        for name in filters:
            parameter = params[name]
            assert parameter["required"] is False, f"{path} {name}"
            assert "op:value" in parameter["description"], f"{path} {name}"
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert response["type"] == "array", path


def allowed_in(message: str) -> set[str]:
    """``"... Allowed: a, b, c"`` → ``{"a", "b", "c"}``."""
    match = re.search(r"Allowed: (.*)$", message)
    assert match, message
    return {name.strip() for name in match.group(1).split(",")}


def sortable_in(description: str) -> set[str]:
    match = re.search(r"Sortable: ([^.]*)\.", description)
    assert match, description
    return {name.strip() for name in match.group(1).split(",")}


async def test_list_parameters_documented_are_those_the_api_accepts(client, spec, acme):
    """The documented query parameters and sort fields are exactly what the API takes."""
    for path, operation in list_operations(spec):
        params = query_parameters(operation)
        unknown = await client.get(path, params={"no_such_parameter": "1"}, headers=acme.headers)
        assert unknown.status_code == 400, path
        accepted = allowed_in(unknown.json()["errors"]["no_such_parameter"][0])
        assert accepted == set(params), f"{path}: API takes {accepted}, docs say {set(params)}"

        sortable = sortable_in(params["sort"]["description"])
        bad_sort = await client.get(path, params={"sort": "no_such_field"}, headers=acme.headers)
        assert bad_sort.status_code == 400, path
        assert allowed_in(bad_sort.json()["errors"]["sort"][0]) == sortable, path
        for name in sortable:
            sorted_page = await client.get(path, params={"sort": f"-{name}"}, headers=acme.headers)
            assert sorted_page.status_code == 200, (path, name, sorted_page.text)

        total = await client.get(path, params={"total": "true"}, headers=acme.headers)
        assert total.status_code == 200, path
        # A fresh company has only what it starts with (its workflows, its warehouse).
        assert total.headers["X-Total-Count"] == str(len(total.json())), path


async def test_bulk_delete_documents_ids_as_required(spec):
    """``DELETE /v1/<collection>`` without ``ids`` is a 400, so ``ids`` is required."""
    for resource in RESOURCES:
        ids = query_parameters(spec["paths"][f"/v1/{resource}"]["delete"]).get("ids")
        assert ids is not None, resource
        assert ids.get("required") is True, f"DELETE /v1/{resource}: ids is not required"


# -- security ---------------------------------------------------------------------------


async def test_the_company_key_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["CompanyKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Key wlk_" in scheme["description"]  # the dialog takes the key *with* its scheme


async def test_the_security_schemes_come_in_the_declared_order(spec):
    """Swagger UI's Authorize dialog lists them in this order; the quickstart says to
    use the first one."""
    assert list(spec["components"]["securitySchemes"]) == [
        "CompanyKey", "Basic", "CompanyAdminToken"
    ]


async def test_every_v1_operation_declares_its_credentials(spec):
    """Swagger's Authorize dialog offers what each operation takes; only the token
    endpoint is open (it hands out tokens)."""
    schemes = set(spec["components"]["securitySchemes"])
    unsecured = []
    for method, path, operation in v1_operations(spec):
        declared = {name for entry in operation.get("security", []) for name in entry}
        if (method, path) == TOKEN_ENDPOINT:
            assert declared == set(), "the token endpoint takes no credential"
        elif not declared or not declared <= schemes:
            unsecured.append(label(method, path))
        elif path.startswith("/v1/company/"):
            assert declared == {"CompanyAdminToken"}, label(method, path)
        elif path != "/v1/me":
            assert {"CompanyKey", "Basic"} <= declared, label(method, path)
    assert unsecured == []


async def test_every_v1_operation_answers_401_without_a_credential(client, spec):
    for method, path, _ in v1_operations(spec):
        if (method, path) == TOKEN_ENDPOINT:
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        body = {"json": {}} if method in ("post", "put", "patch") else {}
        response = await client.request(method.upper(), url, **body)
        assert response.status_code == 401, (label(method, path), response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "1"


# -- Swagger UI -------------------------------------------------------------------------


async def test_docs_page_uses_only_local_assets(client):
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"(?i)\b(https?:)?//[a-z0-9.-]+", html), (
        "the docs page names another host"
    )
    references = set(re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html))
    assert references == set(SWAGGER_ASSETS), references
    assert re.search(r"""url:\s*['"]/openapi\.json['"]""", html)


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/static/swagger/swagger-ui.css", "text/css", b".swagger-ui"),
        ("/static/swagger/swagger-ui-bundle.js", "javascript", b"SwaggerUIBundle"),
        ("/static/swagger/favicon.png", "image/png", b"\x89PNG"),
    ],
)
async def test_swagger_assets_are_served(client, path, content_type, marker):
    response = await client.get(path)
    assert response.status_code == 200, path
    assert content_type in response.headers["content-type"]
    assert marker in response.content[:200_000]
    assert path in SWAGGER_ASSETS


async def test_openapi_and_docs_need_no_credential_but_unknown_assets_are_404(client):
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/static/swagger/no-such-file.js")).status_code == 404


# -- Workledger alone ----------------------------------------------------------------------


def texts(value: Any) -> list[str]:
    """Every string in a JSON document, keys included, as the reader sees it (decoded:
    ``§`` is ``\\u00a7`` in the raw JSON)."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *texts(item))]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return [value] if isinstance(value, str) else []


def internal_references(text: str) -> list[str]:
    found = []
    for what, pattern in INTERNAL_REFERENCES.items():
        found.extend(f"{what}: ...{text[max(0, m.start() - 40):m.end() + 20]!r}..."
                     for m in pattern.finditer(text))
    return found


async def test_the_openapi_text_speaks_of_workledger_alone(client):
    response = await client.get("/openapi.json")
    strings = texts(response.json())
    assert len(strings) > 1000, len(strings)
    assert "RFC 9457 problem details" in " ".join(strings)  # the walk reaches descriptions
    found = [reference for text in strings for reference in internal_references(text)]
    assert found == []


@pytest.mark.parametrize("path", USER_DOCS, ids=lambda path: path.name)
def test_the_user_docs_speak_of_workledger_alone(path: Path):
    assert len(USER_DOCS) >= 6  # README and at least the five docs of today
    found = internal_references(path.read_text(encoding="utf-8"))
    assert found == []


def test_the_reference_patterns_catch_what_they_are_for():
    for sample in ("DESIGN §4.5", "see DESIGN.md", "as seed 002 documents", "the seeds",
                   "OneUp code", "oneup.example", "Onix Work", "Werkbon style",
                   "Ongoing WMS", "../shared/DESIGN.md"):
        assert internal_references(sample), sample
    for sample in ("ongoing work", "the design of a request body", "Workledger",
                   "RFC 6749, section 5.2"):
        assert internal_references(sample) == [], sample


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", USER_DOCS, ids=lambda path: path.name)
def test_the_user_docs_link_only_to_files_in_the_repository(path: Path):
    """A clone has the repository and nothing beside it."""
    broken = []
    for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address, mail, or a heading of this page
        file = (path.parent / target.split("#", 1)[0]).resolve()
        if not file.is_relative_to(ROOT) or not file.exists():
            broken.append(target)
    assert broken == []
