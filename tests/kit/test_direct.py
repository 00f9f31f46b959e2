"""Routes that take nothing but the request skip FastAPI's dependency solver (kit.direct)
and behave exactly as they did through it: the same checks, in the same order, the same
answers."""

from __future__ import annotations

from contextlib import contextmanager

import fastapi.routing

from tests.test_routes import api_routes, served_routes
from workledger.kit.direct import direct_handler
from workledger.kit.session import TransactionalRoute, _without_security_schemes

CUSTOMERS = "/v1/customers"
#: Reads and deletes of every resource qualify; fewer means a dependency or the query
#: check stopped qualifying and every such route went back to the solver.
DIRECT_FLOOR = 80


def direct_routes(app) -> set[tuple[str, str]]:
    return {(method, route.path) for route in api_routes(app.routes)
            if isinstance(route, TransactionalRoute)
            and direct_handler(_without_security_schemes(route.dependant)) is not None
            for method in route.methods}


@contextmanager
def solver_calls():
    """How often FastAPI's solver ran (fastapi.routing calls it by this name)."""
    calls = []
    original = fastapi.routing.solve_dependencies

    async def counting(*args, **kwargs):
        calls.append(kwargs["dependant"].call)
        return await original(*args, **kwargs)

    fastapi.routing.solve_dependencies = counting
    try:
        yield calls
    finally:
        fastapi.routing.solve_dependencies = original


def test_reads_and_deletes_run_direct_and_bodies_go_through_the_solver(app):
    direct = direct_routes(app)
    assert len(direct) >= DIRECT_FLOOR, sorted(direct)
    assert {("GET", CUSTOMERS), ("GET", f"{CUSTOMERS}/{{customer_id}}"),
            ("GET", "/v1/items/{item_id}"), ("DELETE", f"{CUSTOMERS}/{{customer_id}}"),
            ("GET", "/v1/orders/{order_id}/lines")} <= direct
    # A body (or a parameter FastAPI converts) needs the solver.
    assert ("POST", CUSTOMERS) not in direct
    assert ("PATCH", f"{CUSTOMERS}/{{customer_id}}") not in direct
    assert len(served_routes(app.routes)) > len(direct)


async def test_a_direct_read_does_not_call_the_solver_and_answers_as_before(client, acme):
    created = await client.post(CUSTOMERS, json={"company_name": "Direct AS"},
                                headers=acme.headers)
    assert created.status_code == 200
    with solver_calls() as calls:
        answer = await client.get(f"{CUSTOMERS}/{created.json()['id']}",
                                  headers=acme.headers)
        assert answer.status_code == 200 and answer.json()["company_name"] == "Direct AS"
        assert calls == []
        await client.post(CUSTOMERS, json={"company_name": "Solved AS"},
                          headers=acme.headers)
        assert len(calls) == 1


async def test_the_query_check_runs_before_authentication(client, acme):
    # The route's own dependencies first, as FastAPI orders them: a bad language_code is
    # a 400 even without a credential; with a good one the credential decides (401).
    answer = await client.get(f"{CUSTOMERS}/1", params={"language_code": "99"})
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["language_code"]
    assert (await client.get(f"{CUSTOMERS}/1", params={"language_code": "3"})
            ).status_code == 401
    unknown = await client.get(f"{CUSTOMERS}/1", params={"colour": "red"},
                               headers=acme.headers)
    assert unknown.status_code == 400 and "colour" in unknown.text


async def test_the_last_of_repeated_language_codes_is_checked_first_as_it_was(client, acme):
    # FastAPI checked the last value of a repeated scalar parameter, then the query check
    # refused the repetition; the twin does the same, in the same order.
    last_bad = await client.get(f"{CUSTOMERS}/999999999?language_code=3&language_code=99",
                                headers=acme.headers)
    assert last_bad.status_code == 400
    assert "must be one of" in last_bad.json()["errors"]["language_code"][0]
    first_bad = await client.get(f"{CUSTOMERS}/999999999?language_code=99&language_code=3",
                                 headers=acme.headers)
    assert first_bad.status_code == 400
    assert "2" in first_bad.json()["errors"]["language_code"][0]  # sent twice


async def test_another_companys_id_is_404_on_a_direct_route(client, acme, other):
    theirs = await client.post(CUSTOMERS, json={"company_name": "Theirs AS"},
                               headers=other.headers)
    mine = await client.get(f"{CUSTOMERS}/{theirs.json()['id']}", headers=acme.headers)
    assert mine.status_code == 404
    assert mine.headers["content-type"].startswith("application/problem+json")
