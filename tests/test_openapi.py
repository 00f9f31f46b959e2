"""The OpenAPI document and the Swagger UI page (DESIGN §4.5, §4.9).

``/openapi.json`` is what client generators and Swagger UI read, so it must tell the
truth: every /v1 operation is summarised, secured by the company key, documents the
problem responses it can answer, and every list documents its paging, sorting, total
and filters. Where it can, a test checks the document against what the API does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from workledger import __version__

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/ProblemDocument"
METHODS = ("get", "post", "put", "patch", "delete")
#: Every /v1 operation can answer these (a bad query parameter or body, no credential,
#: API access switched off, the rate limit, an unexpected error).
COMMON_ERRORS = ("400", "401", "403", "429", "500")
LIST_COMMON = ("page", "per_page", "sort", "total", "language_code")
RESOURCES = ("customers", "suppliers", "items")
#: Collections served by the listing machinery (page, sort, filters).
LISTS = (*RESOURCES, "invoices")
#: The one /v1 operation that takes no credential: it hands them out.
TOKEN_ENDPOINT = ("post", "/v1/Account/token")
SWAGGER_ASSETS = (
    "/static/swagger/swagger-ui.css",
    "/static/swagger/swagger-ui-bundle.js",
    "/static/swagger/favicon.png",
)


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
        element = f"{collection}/{{{resource.removesuffix('s')}_id}}"
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
        assert total.headers["X-Total-Count"] == "0", path  # a fresh company has nothing


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
