"""Hostile inputs: every kind the fuzzer found answers a clean 4xx, on both databases,
at every place the kind can enter (bodies, query strings, path ids, headers, forms).

Each kind has one gate in ``workledger.kit.gates`` (or, for bodies, ``kit.body``); the
tests below walk the entry points from what the app declares — the OpenAPI document,
the resource registry — so an endpoint added later is walked too. Each walk fails when
it finds fewer places than it found when it was written.
"""

from __future__ import annotations

import base64
import json
import re
import socket
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.auth.conftest import access  # noqa: F401 - fixture
from tests.contract import Api
from tests.kit.test_problems import assert_problem
from tests.live import serve_in_thread
from tests.oauth2.conftest import make_application  # noqa: F401 - fixture
from tests.test_contract import CASES
from workledger.kit.gates import MAX_CONDITIONS, NUL_MESSAGE, Bounds
from workledger.kit.listing import MAX_PAGE, MAX_PER_PAGE
from workledger.kit.resource import REGISTRY
from workledger.kit.types import TIME_PATTERN

METHODS = ("get", "post", "put", "patch", "delete")
TRACE = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-00$")


# -- what the app declares ----------------------------------------------------------------


@pytest.fixture(scope="module")
async def spec(example_client) -> dict:
    """The OpenAPI document of Workledger's app plus the kit's example resources."""
    return (await example_client.get("/openapi.json")).json()


def operations(spec: dict, prefix: str = "/v1/") -> list[tuple[str, str, dict]]:
    return sorted(
        (method, path, operation) for path, item in spec["paths"].items()
        if path.startswith(prefix) for method, operation in item.items() if method in METHODS
    )


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def without_null(schema: dict) -> dict:
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return options[0] if len(options) == 1 else schema


#: Patterns of members that are not free text: no letter, let alone a NUL, can fit them
#: (a time of day is digits and colons; tests/work_orders/test_times.py refuses others).
FIXED_SHAPES = {TIME_PATTERN}


def text_members(spec: dict, schema: dict) -> list[tuple[tuple[Any, ...], dict]]:
    """Paths to every free-text member of a body schema, list items included, with the
    member's schema: ``("company_name",)``, ``("contacts", 0, "first_name")``. Members
    with a fixed set of values or a date format are not free text."""
    found: list[tuple[tuple[Any, ...], dict]] = []
    for name, member in resolve(spec, schema).get("properties", {}).items():
        member = resolve(spec, without_null(member))
        if (member.get("type") == "string" and "enum" not in member and "format" not in member
                and member.get("pattern") not in FIXED_SHAPES):
            found.append(((name,), member))
        elif member.get("type") == "array":
            items = resolve(spec, member.get("items", {}))
            found.extend(((name, 0, *sub), m) for sub, m in text_members(spec, items))
    return found


def with_nul(member: dict) -> str:
    """A value the member's own format accepts, but for the NUL inside it."""
    for value in ("x\u0000y", "x\u0000y@example.com"):
        if re.fullmatch(member.get("pattern", ".*"), value, re.DOTALL):
            return value
    raise AssertionError(f"no NUL sample fits {member}")


def nested(path: tuple[Any, ...], value: Any) -> Any:
    """``("contacts", 0, "first_name"), v`` → ``{"contacts": [{"first_name": v}]}``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    return [nested(rest, value)] if isinstance(head, int) else {head: nested(rest, value)}


def member_name(path: tuple[Any, ...]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def json_body_schema(operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def url_of(path: str, value: str = "1") -> str:
    return re.sub(r"\{[a-z_]+\}", value, path)


@pytest.fixture
async def callers(app, make_tenant):
    """Headers that pass authentication on every /v1 path, by path."""
    from tests.auth.conftest import PASSWORD, basic
    from workledger.auth import administration

    tenant = await make_tenant()
    robot = f"robot-hostile-{tenant.id}"
    async with app.state.database.session() as session:
        admin = await administration.issue_company_admin_token(
            session, app.state.keyring, tenant.id
        )
        await administration.create_automation_user(session, username=robot,
                                                    password=PASSWORD)

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith("/v1/company/"):
            return {"X-API-Authorization": admin}
        if path.startswith("/v1/automation/"):
            return basic(robot, PASSWORD)
        if path == "/v1/Account/token":
            return {}
        return tenant.headers

    headers_for.tenant = tenant  # type: ignore[attr-defined]
    return headers_for


# == 4. U+0000 in a string ==================================================================


async def test_nul_in_the_reported_places_is_400_on_both_databases(client, acme):
    created = await client.post("/v1/customers", json={"company_name": "a\u0000b"},
                                headers=acme.headers)
    body = assert_problem(created, 400, "3")
    assert body["errors"]["company_name"] == [NUL_MESSAGE]

    listed = await client.get("/v1/customers?email=a%00", headers=acme.headers)
    assert NUL_MESSAGE.rstrip(".") in assert_problem(listed, 400, "3")["errors"]["email"][0]

    token = await client.post("/v1/Account/token",
                              json={"username": "x\u0000", "password": "secret"})
    assert assert_problem(token, 400, "3")["errors"]["username"] == [NUL_MESSAGE]


async def test_nul_in_every_text_member_of_every_body_is_400(example_client, spec, callers):
    """Every free-text member of every JSON body the API takes (creates, updates,
    actions, the token and settings endpoints), list items included."""
    checked, bodies = 0, set()
    for method, path, operation in operations(spec):
        schema = json_body_schema(operation)
        if schema is None:
            continue
        for member, member_schema in text_members(spec, schema):
            response = await example_client.request(
                method.upper(), url_of(path), json=nested(member, with_nul(member_schema)),
                headers=callers(path),
            )
            body = assert_problem(response, 400, "3")
            assert body["errors"].get(member_name(member)) == [NUL_MESSAGE], (
                method, path, member, body)
            checked += 1
            bodies.add((method, path))
    assert len(bodies) >= 14, f"only {len(bodies)} operations with a JSON body"
    assert checked >= 60, f"only {checked} text members walked"


async def test_a_lone_surrogate_is_refused_like_a_nul(client, acme):
    response = await client.post(
        "/v1/customers", content=b'{"company_name": "a\\ud800b"}',
        headers={**acme.headers, "Content-Type": "application/json"},
    )
    assert "company_name" in assert_problem(response, 400, "3")["errors"]


async def test_nul_in_every_text_filter_is_400(example_client, app, make_tenant):
    tenant = await make_tenant()
    checked = 0
    for case in CASES:
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        for name, kind in case.resource.spec.filters.items():
            if kind is not str:
                continue
            response = await example_client.get(f"{collection}?{name}=a%00b",
                                                headers=tenant.headers)
            errors = assert_problem(response, 400, "3")["errors"]
            assert NUL_MESSAGE.rstrip(".") in errors[name][0], (collection, name)
            checked += 1
    assert checked >= 15, f"only {checked} text filters walked"


async def test_nul_in_a_form_field_is_400(app):
    """Form fields reach the database from the pages (the login form here, every form
    through the route class) and from /oauth2/token (see finding 9)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        page = await browser.get("/login")
        csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[-1]
        response = await browser.post("/login", data={
            "csrf_token": csrf, "email": "someone\x00@example.com", "password": "x",
        })
    assert response.status_code == 400, response.text
    assert "NUL" in response.text


# == 5. integers from the query string =====================================================


NOT_PLAIN_INTEGERS = ("%C2%B2", "%D9%A1", "%201", "1%20", "1.0", "1_0", "+1", "0x1", "1e0")


async def test_paging_integers_are_ascii_digits_within_range(example_client, app, make_tenant):
    tenant = await make_tenant()
    checked = 0
    for case in CASES:
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        for name, maximum in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
            for raw in (*NOT_PLAIN_INTEGERS, "200000000000000000", str(maximum + 1),
                        "9" * 5000):
                response = await example_client.get(f"{collection}?{name}={raw}",
                                                    headers=tenant.headers)
                assert name in assert_problem(response, 400, "3")["errors"], (collection, raw)
                checked += 1
            last = await example_client.get(f"{collection}?{name}={maximum}",
                                            headers=tenant.headers)
            assert last.status_code == 200, (collection, name, last.text)
    assert checked >= 6 * 2 * 12


async def test_integer_filters_are_ascii_digits(example_client, app, make_tenant):
    tenant = await make_tenant()
    checked = 0
    for case in CASES:
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        for name, kind in case.resource.spec.filters.items():
            if kind is not int:
                continue
            for raw in NOT_PLAIN_INTEGERS:
                response = await example_client.get(f"{collection}?{name}=gte:{raw}",
                                                    headers=tenant.headers)
                assert name in assert_problem(response, 400, "3")["errors"], (collection, raw)
                checked += 1
            negative = await example_client.get(f"{collection}?{name}=gt:-1",
                                                headers=tenant.headers)
            assert negative.status_code == 200, negative.text
    assert checked >= 10 * len(NOT_PLAIN_INTEGERS)


async def test_other_integers_in_the_query_and_headers(client, acme, access):  # noqa: F811
    for query in ("language_code=%D9%A1", "language_code=%201"):
        response = await client.get(f"/v1/customers?{query}", headers=acme.headers)
        assert "language_code" in assert_problem(response, 400, "3")["errors"]
    for ids in ("99999999999999999999", "9" * 5000, "1%0A", "%C2%B2"):
        response = await client.delete(f"/v1/suppliers?ids={ids}", headers=acme.headers)
        assert "ids" in assert_problem(response, 400, "3")["errors"], ids
    robot = await access.automation_user()
    for company in ("²", "١", "99999999999999999999", "1.0"):
        response = await client.get("/v1/customers", headers={
            **robot["headers"], "X-Company-Id": company.encode()})
        assert "X-Company-Id" in assert_problem(response, 400, "3")["errors"], company


# == 6. values beyond a column's range in filters ===========================================


def bounded_filters() -> list[tuple[Any, str, Bounds]]:
    return [(case, name, case.resource.spec.bounds[name]) for case in CASES
            for name in case.resource.spec.filters]


async def test_decimal_filters_fit_their_column(example_client, app, make_tenant):
    """NUMERIC(p, s): at most p - s digits before the point and s after it. PostgreSQL
    casts the value to the column's type: above the range it fails, and a decimal more
    would be rounded away (lt:0.00001 would mean lt:0)."""
    tenant = await make_tenant()
    checked = 0
    for case, name, bounds in bounded_filters():
        if bounds.numeric is None:
            continue
        precision, scale = bounds.numeric
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        whole = "9" * (precision - scale)
        for raw in ("1" + "0" * (precision - scale), "0." + "0" * scale + "1",
                    f"-1{'0' * (precision - scale)}", "NaN", "Infinity", "1e3", "1_0"):
            response = await example_client.get(f"{collection}?{name}=lt:{raw}",
                                                headers=tenant.headers)
            assert name in assert_problem(response, 400, "3")["errors"], (collection, raw)
        for raw in (f"{whole}.{'9' * scale}", f"-{whole}", f"0.{'0' * (scale - 1)}1", "10.50"):
            response = await example_client.get(f"{collection}?{name}=lt:{raw}",
                                                headers=tenant.headers)
            assert response.status_code == 200, (collection, raw, response.text)
        checked += 1
    assert checked >= 3, f"only {checked} decimal filters"


async def test_integer_filters_fit_their_column(example_client, app, make_tenant):
    tenant = await make_tenant()
    checked = 0
    for case, name, bounds in bounded_filters():
        if bounds.integers is None:
            continue
        low, high = bounds.integers
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        for raw in (str(high + 1), str(low - 1)):
            response = await example_client.get(f"{collection}?{name}=lt:{raw}",
                                                headers=tenant.headers)
            assert name in assert_problem(response, 400, "3")["errors"], (collection, raw)
        for raw in (str(high), str(low)):
            response = await example_client.get(f"{collection}?{name}=lt:{raw}",
                                                headers=tenant.headers)
            assert response.status_code == 200, (collection, raw, response.text)
        checked += 1
    assert checked >= 10, f"only {checked} integer filters"
    # The example lines' quantity is a 32-bit INTEGER: its bound is not the id's.
    assert any(b.integers == (-(2**31), 2**31 - 1) for _, _, b in bounded_filters())


async def test_date_time_filters_stay_in_range_after_their_offset(
    example_client, app, make_tenant
):
    tenant = await make_tenant()
    checked = 0
    for case, name, _bounds in bounded_filters():
        if case.resource.spec.filters[name] is not datetime:
            continue
        api = Api(example_client, tenant, app.state.database)
        collection = await case.collection(api)
        for raw in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00%2B01:00"):
            response = await example_client.get(f"{collection}?{name}=gt:{raw}",
                                                headers=tenant.headers)
            assert name in assert_problem(response, 400, "3")["errors"], (collection, raw)
        for raw in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                    "9999-12-31T22:59:59-01:00"):
            response = await example_client.get(f"{collection}?{name}=lt:{raw}",
                                                headers=tenant.headers)
            assert response.status_code == 200, (collection, raw, response.text)
        checked += 1
    assert checked >= 10, f"only {checked} date-time filters"


async def test_body_values_beyond_the_databases_range_are_400(client, acme):
    """The body gate (InputModel) refuses them for every member, before any rule of the
    resource sees them: no member of a later resource can carry one to the database."""
    customer = (await client.post("/v1/customers", json={"company_name": "Range"},
                                  headers=acme.headers)).json()
    late = await client.patch(f"/v1/customers/{customer['id']}",
                              json={"updated_at": "9999-12-31T23:59:59-01:00"},
                              headers=acme.headers)
    assert "offset" in assert_problem(late, 400, "3")["errors"]["updated_at"][0]
    huge = await client.patch(f"/v1/customers/{customer['id']}",
                              json={"contacts": [{"id": 10**30}]}, headers=acme.headers)
    errors = assert_problem(huge, 400, "3")["errors"]
    assert errors["contacts[0].id"] == ["The number is out of range."]


def test_every_body_member_fits_its_column():
    """Declarations, not HTTP: each writable member stored in a column of the same name
    is bounded by that column (length, digits and scale, integer range), so a value the
    API accepts is one both databases store alike (SQLite would keep a 300-character
    name in VARCHAR(200); PostgreSQL refuses it). Read-only members are never stored."""
    from sqlalchemy import Integer, Numeric, String

    from workledger.kit.gates import column_bounds

    checked = 0
    for resource in REGISTRY:
        read_only = set(resource.service.read_only)
        for schema in {resource.create, resource.update} - {None}:
            columns = resource.model.__table__.columns
            for name, field in schema.model_fields.items():
                if name not in columns or name in read_only:
                    continue
                column_type = columns[name].type
                limits = _limits(field)
                where = (resource.names.plural, name)
                if "Literal" in str(field.annotation):
                    continue  # a fixed set of values, each checked against the column
                if isinstance(column_type, String) and column_type.length:
                    assert limits.get("max_length", 10**9) <= column_type.length, where
                elif isinstance(column_type, Numeric) and column_type.precision:
                    assert limits.get("max_digits", 10**9) <= column_type.precision, where
                    assert limits.get("decimal_places", 10**9) <= column_type.scale, where
                elif isinstance(column_type, Integer):
                    assert limits.get("le", 2**64) <= column_bounds(column_type).integers[1], where
                checked += 1
    assert checked >= 25, f"only {checked} members"


def _limits(field: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    stack = [*field.metadata]
    annotation = field.annotation
    stack.extend(getattr(annotation, "__metadata__", ()))
    for arg in getattr(annotation, "__args__", ()):
        stack.extend(getattr(arg, "__metadata__", ()))
    for item in stack:
        for key in ("max_length", "max_digits", "decimal_places", "le"):
            if getattr(item, key, None) is not None:
                found[key] = getattr(item, key)
        for sub in getattr(item, "metadata", ()):
            for key in ("max_length", "max_digits", "decimal_places", "le"):
                if getattr(sub, key, None) is not None:
                    found[key] = getattr(sub, key)
    return found


# == 7. too many filter conditions ==========================================================


async def test_filter_conditions_are_capped(client, acme):
    def conditions(n: int) -> str:
        return "%20AND%20".join(["gte:1"] * n)

    for count in (MAX_CONDITIONS + 1, 1100):
        response = await client.get(f"/v1/customers?id={conditions(count)}",
                                    headers=acme.headers)
        errors = assert_problem(response, 400, "3")["errors"]
        assert f"At most {MAX_CONDITIONS}" in errors["id"][0]
    # Repeated parameters and other fields count together.
    split = "&".join(f"id={conditions(10)}" for _ in range(5)) + "&type=1"
    assert (await client.get(f"/v1/customers?{split}", headers=acme.headers)).status_code == 400
    at_cap = await client.get(f"/v1/customers?id={conditions(MAX_CONDITIONS)}",
                              headers=acme.headers)
    assert at_cap.status_code == 200, at_cap.text


async def test_a_sort_field_named_twice_is_400(client, acme):
    for sort in ("id,-id", ",".join(["id"] * 2100), "company_name,+company_name"):
        response = await client.get(f"/v1/customers?sort={sort}", headers=acme.headers)
        assert "named twice" in assert_problem(response, 400, "3")["errors"]["sort"][0]


# == 8. malformed credentials ==============================================================


MALFORMED = (
    b"Basic \xe9",
    b"Key \xe9",
    b"\xe9",
    b"Basic " + base64.b64encode(b"us\x00er:password"),
    b"Basic " + base64.b64encode(b"\xff\xfe:\xff"),
    b"Basic " + base64.b64encode(b"WSIuser\x00:password"),
    b"Basic " + base64.b64encode(b"api_1\x00@x.example:key"),
)


async def test_malformed_credentials_are_401_on_every_operation(client, spec):
    checked = 0
    for method, path, _ in operations(spec):
        if path == "/v1/Account/token" or path.startswith("/v1/example"):
            continue
        for value in MALFORMED:
            for header in ("Authorization", "X-API-Authorization"):
                response = await client.request(method.upper(), url_of(path), json={},
                                                headers={header: value})
                assert_problem(response, 401, "1")
                checked += 1
    assert checked >= 25 * len(MALFORMED) * 2


async def test_a_credential_header_sent_twice_is_401(client, acme, app):
    from workledger.auth import administration

    async with app.state.database.session() as session:
        admin = await administration.issue_company_admin_token(
            session, app.state.keyring, acme.id)
    twice = [("Authorization", f"Key {acme.key}"), ("Authorization", "Key wlk_other")]
    body = assert_problem(await client.get("/v1/me", headers=twice), 401, "1")
    assert "once" in body["detail"]
    twice_admin = [("X-API-Authorization", admin), ("X-API-Authorization", admin)]
    assert_problem(await client.get("/v1/company/settings", headers=twice_admin), 401, "1")
    once = await client.get("/v1/company/settings", headers={"X-API-Authorization": admin})
    assert once.status_code == 200


# == 9. /oauth2/auth and /oauth2/token parameters ==========================================


async def test_oauth_parameters_outside_printable_ascii_never_fail(
    client, make_application  # noqa: F811
):
    application = await make_application()
    good = {"response_type": "code", "client_id": application.client_id,
            "redirect_uri": application.redirect_uri, "state": "s", "scope": "offline_access"}
    checked = 0
    for name in good:
        for bad in ("%00", "%C3%A9", "a%0Ab", "%22", "%5C"):
            query = "&".join(f"{k}={bad if k == name else v}" for k, v in good.items())
            for method in ("GET", "POST"):
                response = await client.request(method, f"/oauth2/auth?{query}")
                # An error page (a redirect URI that fails cannot be trusted); a value RFC
                # 6749 allows (a quote in state) goes on to the login page (303); POST
                # first needs a login and its form (403).
                assert response.status_code in (400, 303, 403), (name, bad, response.text)
                printable = bad in ("%22", "%5C")
                if method == "GET" and (not printable or name in ("response_type",
                                                                  "redirect_uri", "scope")):
                    assert response.status_code == 400, (name, bad)
                checked += 1
    assert checked == len(good) * 5 * 2


async def test_oauth_token_form_and_basic_credentials(client, make_application):  # noqa: F811
    application = await make_application()
    form = {"grant_type": "authorization_code", "code": "abc",
            "redirect_uri": application.redirect_uri, **application.credentials()}
    for name in form:
        for bad in ("x\x00", "é", "a\nb"):
            response = await client.post("/oauth2/token", data={**form, name: bad})
            assert response.status_code == 400, (name, bad, response.text)
            assert response.json()["error"] == "invalid_request"
    basic_values = (b"Basic \xe9", b"Basic " + base64.b64encode(b"\xff:\xff"),
                    b"Basic " + base64.b64encode(b"app%00x:secret"), b"Basic !!!")
    for value in basic_values:
        response = await client.post("/oauth2/token", headers={"Authorization": value},
                                     data={"grant_type": "authorization_code", "code": "a"})
        assert response.status_code == 401, (value, response.text)
        assert response.json()["error"] == "invalid_client"


# == 10. bodies that are not JSON ==========================================================


NOT_JSON = (
    (b'{"company_name": "\xe9"}', "application/json", "UTF-8"),
    ('{"company_name": "x"}'.encode("utf-16"), "application/json", "UTF-8"),
    (b"[" * 10_000 + b"]" * 10_000, "application/json", "nests"),
    (b'{"company_name": NaN}', "application/json", "NaN"),
    (b'{"company_name": "x",', "application/json", "not valid JSON"),
    (b'{"company_name": "x"}', None, "Content-Type"),
    (b'{"company_name": "x"}', "text/plain", "Content-Type"),
)


async def test_a_body_that_is_not_json_is_code_5_on_every_operation(client, spec, callers):
    checked = 0
    for method, path, operation in operations(spec):
        if path.startswith("/v1/example") or json_body_schema(operation) is None:
            continue
        for content, content_type, words in NOT_JSON:
            headers = dict(callers(path))
            if content_type:
                headers["Content-Type"] = content_type
            response = await client.request(method.upper(), url_of(path), content=content,
                                            headers=headers)
            body = assert_problem(response, 400, "5")
            assert words in body["detail"], (method, path, words, body)
            checked += 1
    assert checked >= 10 * len(NOT_JSON)


async def test_json_that_is_not_an_object_is_code_3(client, acme):
    for content in (b"[1]", b'"x"', b"42", b"null"):
        response = await client.post("/v1/customers", content=content,
                                     headers={**acme.headers, "Content-Type": "application/json"})
        assert response.status_code == 400 and response.json()["code"] in ("3", "5"), content
        if content != b"null":
            assert assert_problem(response, 400, "3")["errors"]["body"]
    bom = await client.post("/v1/customers", content=b'\xef\xbb\xbf{"company_name": "BOM"}',
                            headers={**acme.headers, "Content-Type": "application/json"})
    assert bom.status_code == 200, bom.text  # RFC 8259 §8.1: a BOM may be ignored


# == 11. 405 Allow and HEAD ================================================================


async def test_405_names_every_method_of_the_path(client, spec, callers):
    checked = 0
    for path, item in spec["paths"].items():
        if not path.startswith("/v1/") or path.startswith("/v1/example"):
            continue
        served = {m.upper() for m in item if m in METHODS}
        expected = {*served, *({"HEAD"} if "GET" in served else set())}
        for method in set(m.upper() for m in METHODS) - served:
            response = await client.request(method, url_of(path), headers=callers(path))
            assert_problem(response, 405, "3")
            allow = {m.strip() for m in response.headers["allow"].split(",")}
            assert allow == expected, (method, path, allow)
            checked += 1
    assert checked >= 20


async def test_head_answers_like_get_without_a_body(client, spec, callers, app):
    paths = ["/health", "/openapi.json", "/docs", "/login",
             *(p for p, item in spec["paths"].items() if "get" in item and p.startswith(
                 ("/v1/", "/openapi/")) and not p.startswith("/v1/example"))]
    checked = 0
    for path in paths:
        url = url_of(path)
        headers = callers(path) if path.startswith("/v1/") else {}
        got = await client.get(url, headers=headers)
        head = await client.head(url, headers=headers)
        assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert TRACE.match(head.headers["x-trace-id"])
        checked += 1
    assert checked >= 12
    head = await client.head("/v1/Account/token")
    assert head.status_code == 405 and head.headers["allow"] == "POST"


# == 12. a single-valued parameter sent twice ==============================================


VALID = {"page": "1", "per_page": "1", "sort": "id", "total": "true", "language_code": "1",
         "ids": "1", "token": "wlc_x",
         # the connector's work-order functions
         "status": "Alle", "update_status": "false", "limit": "1", "after_row_id": "0",
         "row_id": "1", "workorder_no": "WB-1", "work_status": "x",
         "planned_date": "01-12-2026", "employee_number": "T-1"}


async def test_every_single_valued_parameter_sent_twice_is_400(
    example_client, spec, callers, access  # noqa: F811
):
    from workledger.automation.service import PICK_LIST

    filters = {(f"/v1{r.collection_path}", name) for r in REGISTRY for name in r.spec.filters}
    filters |= {("/v1/automation/pick-list", name) for name in PICK_LIST.filters}
    connector = await access.connector_token(callers.tenant)
    checked = 0
    for method, path, operation in operations(spec, prefix="/"):
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] != "query" or (path, name) in filters:
                continue
            value = connector if name == "token" else VALID[name]
            # A connector function's own parameter, sent twice by a caller with a token.
            token = f"token={connector}&" if path.startswith("/openapi/1/") and \
                name != "token" else ""
            response = await example_client.request(
                method.upper(), f"{url_of(path)}?{token}{name}={value}&{name}={value}",
                headers=callers(path) if path.startswith("/v1/") else {},
            )
            assert response.status_code == 400, (method, path, name, response.text)
            body = response.json()
            if path.startswith("/v1/"):
                assert name in assert_problem(response, 400, "3")["errors"], (path, name)
            else:  # the token: 400; a function's parameter: the connector's 1504
                assert body["code"] in (400, 1504) and "once" in body["messages"][0], body
            checked += 1
    assert checked >= 50, f"only {checked} parameters walked"


async def test_filters_may_repeat(client, acme):
    made = (await client.post("/v1/customers", json={"company_name": "Repeat"},
                              headers=acme.headers)).json()
    response = await client.get(
        f"/v1/customers?id=gte:{made['id']}&id=lte:{made['id']}", headers=acme.headers)
    assert [c["id"] for c in response.json()] == [made["id"]]


# == 13. path ids ==========================================================================


NOT_PLAIN_IDS = ("%201", "1%20", "1.0", "00001", "01", "1%0A", "+1", "%C2%B9", "1e0", "0",
                 "9223372036854775808")


async def test_every_path_id_is_plain_digits(example_client, spec, callers):
    checked = 0
    for method, path, _ in operations(spec):
        params = re.findall(r"\{([a-z_]+)\}", path)
        if not params:
            continue
        # Required query parameters (bulk delete's ids) are valid: only the path is not.
        query = "?ids=1" if method == "delete" and not path.endswith("}") else ""
        for raw in NOT_PLAIN_IDS:
            response = await example_client.request(
                method.upper(), url_of(path, raw) + query, json={}, headers=callers(path))
            errors = assert_problem(response, 400, "3")["errors"]
            assert set(errors) & set(params), (method, path, raw, errors)
            checked += 1
    assert checked >= 20 * len(NOT_PLAIN_IDS)


def test_every_declared_path_id_parameter_refuses_non_plain_ids(app):
    """Hand-written routes, pages included, declare their ids; each must refuse what
    path_id refuses (resource routes read theirs with path_id and are walked above)."""
    from tests.test_routes import api_routes

    checked = 0
    for route in api_routes(app.routes):
        for field in route.dependant.path_params:
            if not field.name.endswith("_id"):
                continue
            for raw in (" 1", "1.0", "00001", "1\n", "+1", "¹", "0"):
                _, errors = field.validate(raw, {}, loc=("path", field.name))
                assert errors, (route.path, field.name, raw)
            value, errors = field.validate("42", {}, loc=("path", field.name))
            assert value == 42 and not errors
            checked += 1
    assert checked >= 8, f"only {checked} declared path ids"


# == 14. traceparent ========================================================================


async def test_invalid_traceparents_start_a_new_trace(client):
    trace, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    invalid = (
        f"ff-{trace}-{parent}-01",
        f"00-{'0' * 32}-{parent}-01",
        f"00-{trace}-{'0' * 16}-01",
        f"00-{trace.upper()}-{parent}-01",
        f"00-{trace}-{parent}-01-extra",
        f"00-{trace}-{parent}-1",
        f"0-{trace}-{parent}-01",
        f"00-{trace}-{parent}-01-",
    )
    for value in invalid:
        response = await client.get("/health", headers={"traceparent": value})
        assert response.headers["x-trace-id"].split("-")[1] != trace, value
    twice = await client.get("/health", headers=[("traceparent", f"00-{trace}-{parent}-01")] * 2)
    assert twice.headers["x-trace-id"].split("-")[1] != trace
    for value in (f"00-{trace}-{parent}-01", f"01-{trace}-{parent}-01-later-fields",
                  f"fe-{trace}-{parent}-00"):
        response = await client.get("/health", headers={"traceparent": value})
        assert response.headers["x-trace-id"].split("-")[1] == trace, value


# == 17. requests uvicorn cannot parse ======================================================


def raw_request(url: str, request: bytes) -> tuple[str, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return status, headers, body


@pytest.mark.parametrize("protocol", ["ProblemH11Protocol", "ProblemHttpToolsProtocol"])
def test_unparsable_requests_are_problem_documents(app, protocol):
    from workledger.kit import protocol as protocols

    unparsable = (
        b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\n{}",
        b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\n{}",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nBad Name: a\r\n\r\n",
        b"GET /hea lth HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    with serve_in_thread(app, http=getattr(protocols, protocol)) as url:
        for request in unparsable:
            status, headers, body = raw_request(url, request)
            assert status.startswith("HTTP/1.1 400"), (request, status)
            assert headers["content-type"] == "application/problem+json", request
            problem = json.loads(body)
            assert problem["code"] == "5" and problem["status"] == 400
            assert problem["traceId"] == headers["x-trace-id"]
            assert TRACE.match(problem["traceId"])


def test_workledger_serve_answers_unparsable_requests_with_problems(cli_env, tmp_path):
    from tests.test_cli import serving

    with serving(cli_env, "--dev", cwd=tmp_path) as (process, url):
        assert process.poll() is None, process.stderr.read()
        status, headers, body = raw_request(
            url, b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n")
    assert status.startswith("HTTP/1.1 400")
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["traceId"] == headers["x-trace-id"]



async def test_a_content_length_in_other_digits_is_code_5(client, acme):
    """Behind a server that passes it on, "²" would reach int() in the edge's limit."""
    response = await client.post("/v1/customers", content=b"{}", headers={
        **acme.headers, "Content-Type": "application/json", "Content-Length": b"\xb2"})
    assert "Content-Length" in assert_problem(response, 400, "5")["detail"]
