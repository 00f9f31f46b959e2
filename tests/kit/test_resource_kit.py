"""What the resource kit gives the domain, on its internal example (tests/kit/example.py):
nested resources scoped by their parent, list fields and nested routes sharing one
service, references resolved in one query per table, actions with state rules, and the
editable guard on every write path. The contract checks (CRUD, filters, tenancy...) run
on the example through tests/test_contract.py like on every resource."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import event

from tests import factories
from tests.contract import Api
from tests.kit.example import EXAMPLE_LINES, EXAMPLE_ORDERS, ORDER_STATES
from workledger.app import create_app
from workledger.kit.problems import BusinessRule
from workledger.kit.rules import OrderDelivered, OrderInPreparation


@pytest.fixture
async def api(example_client, app, acme) -> Api:
    return Api(example_client, acme, app.state.database)


async def make_items(api: Api, count: int) -> list[dict]:
    return [await api.create("/v1/items", await factories.item(api, n)) for n in range(count)]


async def make_order(api: Api, items: list[dict], name: str = "O") -> dict:
    lines = [{"item_id": item["id"], "quantity": 1} for item in items]
    return await api.create("/v1/example-orders", {"name": name, "lines": lines})


def problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code, body
    return body


# -- nested resources --------------------------------------------------------------------


async def test_a_line_of_another_order_is_not_found(api):
    items = await make_items(api, 1)
    first, second = await make_order(api, items, "A"), await make_order(api, items, "B")
    line = first["lines"][0]
    wrong = f"/v1/example-orders/{second['id']}/example-lines/{line['id']}"
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = await api.client.request(method, wrong, json={"quantity": 5},
                                            headers=api.headers)
        problem(response, 404, "2")
    listed = await api.read(f"/v1/example-orders/{second['id']}/example-lines")
    assert [x["id"] for x in listed] == [second["lines"][0]["id"]]
    bulk = await api.client.delete(
        f"/v1/example-orders/{second['id']}/example-lines?ids={line['id']}", headers=api.headers
    )
    assert bulk.json()["success_count"] == 0
    assert await api.read(f"/v1/example-orders/{first['id']}") == first


async def test_a_missing_parent_is_not_found(api):
    response = await api.client.get("/v1/example-orders/999999999/example-lines",
                                    headers=api.headers)
    body = problem(response, 404, "2")
    assert "example order" in body["detail"]


async def test_list_field_and_nested_route_share_the_service(api):
    items = await make_items(api, 2)
    order = await make_order(api, items[:1])
    # The list field: the line's description defaults to the item's name ...
    assert order["lines"][0]["description"] == items[0]["name"]
    # ... and so does a line created on the nested route.
    line = await api.create(f"/v1/example-orders/{order['id']}/example-lines",
                            {"item_id": items[1]["id"]})
    assert line["description"] == items[1]["name"]
    assert line["order_id"] == order["id"]
    assert [x["id"] for x in (await api.read(f"/v1/example-orders/{order['id']}"))["lines"]] \
        == [order["lines"][0]["id"], line["id"]]


async def test_list_field_replaces_the_whole_list(api):
    items = await make_items(api, 3)
    order = await make_order(api, items[:2])
    keep = order["lines"][1]
    response = await api.client.patch(
        f"/v1/example-orders/{order['id']}",
        json={"lines": [{"id": keep["id"], "quantity": 9}, {"item_id": items[2]["id"]}]},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    lines = response.json()["lines"]
    assert [(x["id"], x["quantity"]) for x in lines[:1]] == [(keep["id"], 9)]
    assert lines[1]["item_id"] == items[2]["id"] and len(lines) == 2


async def test_references_resolve_in_one_query_per_table(api, example_client):
    items = await make_items(api, 6)
    engine = example_client._transport.app.state.database.engine.sync_engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        await make_order(api, items)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    item_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
                  and "FROM items" in s]
    assert len(item_reads) == 1, item_reads


async def test_an_unknown_reference_names_the_list_member(api):
    items = await make_items(api, 2)
    body = {"name": "X", "lines": [{"item_id": items[0]["id"]}, {"item_id": items[1]["id"]},
                                   {"item_id": 2**40}]}
    response = await api.client.post("/v1/example-orders", json=body, headers=api.headers)
    assert problem(response, 422, "30")["violations"] == [
        {"memberNames": ["lines[2].item_id"], "errorMessage": "Invalid Item Id"}
    ]
    assert await api.read("/v1/example-orders", name="X") == []


# -- actions and states --------------------------------------------------------------------


async def test_actions_follow_the_state_table(api):
    order = await make_order(api, await make_items(api, 1))
    url = f"/v1/example-orders/{order['id']}"
    early = await api.client.post(f"{url}/deliver", headers=api.headers)
    assert problem(early, 422, "30")["violations"][0]["memberNames"] == ["status"]

    prepared = await api.client.post(f"{url}/prepare", json={"note": "rush"},
                                     headers=api.headers)
    assert prepared.status_code == 200, prepared.text
    assert (prepared.json()["status"], prepared.json()["name"]) == ("prepared", "O (rush)")
    again = await api.client.post(f"{url}/prepare", headers=api.headers)
    assert problem(again, 422, "3026")["violations"] == [
        {"memberNames": ["status"], "errorMessage": "Cannot prepare while status is 'prepared'."}
    ]
    swedish = await api.client.post(f"{url}/prepare?language_code=3", headers=api.headers)
    body = problem(swedish, 422, "3026")
    assert body["title"] == "Ordern har redan förberetts eller håller på att förberedas."
    assert body["violations"][0]["errorMessage"].startswith("Kan inte utföra prepare")

    delivered = await api.client.post(f"{url}/deliver", headers=api.headers)
    assert delivered.json()["status"] == "delivered"
    twice = await api.client.post(f"{url}/deliver", headers=api.headers)
    problem(twice, 422, "3025")


async def test_an_action_body_is_validated(api):
    order = await make_order(api, await make_items(api, 1))
    response = await api.client.post(f"/v1/example-orders/{order['id']}/prepare",
                                     json={"note": 5}, headers=api.headers)
    assert "note" in problem(response, 400, "3")["errors"]
    assert (await api.read(f"/v1/example-orders/{order['id']}"))["status"] == "open"


async def test_the_editable_guard_covers_every_write_path(api):
    items = await make_items(api, 2)
    order = await make_order(api, items)
    url = f"/v1/example-orders/{order['id']}"
    line_url = f"{url}/example-lines/{order['lines'][0]['id']}"
    await api.client.post(f"{url}/prepare", headers=api.headers)
    before = await api.read(url)
    writes = [
        ("PATCH", url, {"name": "changed"}),
        ("PUT", url, {"lines": []}),
        ("DELETE", url, None),
        ("POST", f"{url}/example-lines", {"item_id": items[0]["id"]}),
        ("PATCH", line_url, {"quantity": 5}),
        ("DELETE", line_url, None),
    ]
    for method, target, body in writes:
        response = await api.client.request(method, target, json=body, headers=api.headers)
        problem(response, 422, "3026")
    for bulk in (f"/v1/example-orders?ids={order['id']}",
                 f"{url}/example-lines?ids={order['lines'][0]['id']}"):
        response = await api.client.delete(bulk, headers=api.headers)
        result = response.json()
        if response.status_code == 200:  # the element guard, per id
            assert result["success_count"] == 0 and result["errors"][0]["error"]["code"] == "3026"
        else:  # the parent's guard refuses the whole nested collection
            problem(response, 422, "3026")
    assert await api.read(url) == before


def test_state_table_declares_and_refuses():
    class Thing:
        status = "open"

    thing = Thing()
    ORDER_STATES.move(thing, "prepared")
    assert thing.status == "prepared"
    with pytest.raises(OrderInPreparation):
        ORDER_STATES.move(thing, "cancelled")
    with pytest.raises(BusinessRule) as refused:
        ORDER_STATES.check("open", "shipped")
    assert refused.value.body()["violations"][0]["memberNames"] == ["status"]
    thing.status = "delivered"
    with pytest.raises(OrderDelivered):
        ORDER_STATES.require(thing, ("open",), doing="cancel")
    assert ORDER_STATES.final == ("delivered", "cancelled")
    with pytest.raises(ValueError):
        type(ORDER_STATES)("status", {"a": {"b"}})


# -- the rate-limit key is the matched route's own template --------------------------------


async def test_rate_limit_key_is_the_route_template(settings, acme, app, example_client):
    template = "GET /v1/example-orders/{example_order_id}/example-lines/{example_line_id}"
    limited = create_app(settings.model_copy(update={"rate_limits": {template: "2/15 minutes"}}))
    for resource in (EXAMPLE_ORDERS, EXAMPLE_LINES):
        limited.include_router(resource.router())
    transport = httpx.ASGITransport(app=limited, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client, acme, app.state.database)
        order = await make_order(api, await make_items(api, 1))
        # Ids equal to each other must not confuse the key (5/lines/5).
        line_url = f"/v1/example-orders/{order['id']}/example-lines/{order['lines'][0]['id']}"
        answers = [await client.get(line_url, headers=acme.headers) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert answers[0].headers["ratelimit-policy"].startswith(f'"{template}";q=2')
        # The order itself is another route: still on the default policy.
        other = await client.get(f"/v1/example-orders/{order['id']}", headers=acme.headers)
        assert other.status_code == 200
        assert other.headers["ratelimit-policy"].startswith('"default"')
    await limited.state.database.dispose()
