"""Automation picking (DESIGN §8): the pick list across every company with API access,
picks of one line through the order's pick action, their replays with
``Idempotency-Key``, and concurrent pickers never picking more than a line has."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

from sqlalchemy import select, text

from tests.conftest import BACKEND
from tests.orders.helpers import ORDERS, make, receive, rule, world
from workledger.models import Order

PICK_LIST, PICKS = "/v1/automation/pick-list", "/v1/automation/picks"


async def allocated_order(client, tenant, w, lines) -> dict:
    """An order of ``lines``, its stock received, allocated."""
    order = await make(client, tenant, ORDERS, {"customer_id": w["customer"], "lines": lines})
    return await make(client, tenant, f"{ORDERS}/{order['id']}/allocate", {})


async def goods_and_pumps(client, tenant) -> tuple[dict, dict]:
    """A world with stock, and an allocated order: 5 bolts, 2 pumps named by serial."""
    w = await world(client, tenant)
    await receive(client, tenant, w["goods"], 5)
    await receive(client, tenant, w["pump"], 2, ["P-1", "P-2"])
    order = await allocated_order(client, tenant, w, [
        {"item_id": w["goods"], "quantity": 5},
        {"item_id": w["pump"], "quantity": 2, "serial_numbers": ["P-1", "P-2"]}])
    return w, order


async def listed(client, robot, **params) -> list[dict]:
    response = await client.get(PICK_LIST, params={"per_page": 500, **params},
                                headers=robot["headers"])
    assert response.status_code == 200, response.text
    return response.json()


async def pick(client, robot, body, **headers):
    return await client.post(PICKS, json=body, headers={**robot["headers"], **headers})


async def line_of(client, tenant, order_id: int, index: int) -> dict:
    order = (await client.get(f"{ORDERS}/{order_id}", headers=tenant.headers)).json()
    return order["lines"][index]


# -- the pick list -----------------------------------------------------------------------

async def test_the_pick_list_spans_the_companies_with_api_access(client, access, make_tenant):
    robot = await access.automation_user()
    acme, other, closed = await make_tenant(), await make_tenant(), await make_tenant()
    w, order = await goods_and_pumps(client, acme)
    other_w, other_order = await goods_and_pumps(client, other)
    await goods_and_pumps(client, closed)
    await access.set_api_access(closed, False)
    # Not listed: an open order's lines, however much is left to pick.
    await make(client, acme, ORDERS, {"customer_id": w["customer"],
                                      "lines": [{"item_id": w["goods"], "quantity": 1}]})

    mine = await listed(client, robot, company_id=acme.id)
    bolts, pumps = order["lines"]
    assert mine == [
        {"company_id": acme.id, "order_id": order["id"], "order_number": order["number"],
         "order_line_id": bolts["id"], "warehouse_id": w["main"], "item_id": w["goods"],
         "item_number": "BOLT", "quantity": 5, "serial_numbers": []},
        {"company_id": acme.id, "order_id": order["id"], "order_number": order["number"],
         "order_line_id": pumps["id"], "warehouse_id": w["main"], "item_id": w["pump"],
         "item_number": "PUMP", "quantity": 2, "serial_numbers": ["P-1", "P-2"]}]
    everyone = await listed(client, robot, sort="-id")
    companies = {row["company_id"] for row in everyone}
    assert {acme.id, other.id} <= companies and closed.id not in companies
    assert [row["order_line_id"] for row in everyone if row["company_id"] == other.id] == \
        [line["id"] for line in reversed(other_order["lines"])]
    assert await listed(client, robot, company_id=closed.id) == []
    # Filters, paging and the list rules of every list.
    assert [r["order_line_id"] for r in await listed(
        client, robot, company_id=acme.id, warehouse_id=w["main"], item_id=w["pump"])] == \
        [pumps["id"]]
    assert await listed(client, robot, warehouse_id=other_w["main"], company_id=acme.id) == []
    first = await client.get(PICK_LIST, params={"company_id": acme.id, "per_page": 1,
                                                "total": "true"}, headers=robot["headers"])
    assert [r["order_line_id"] for r in first.json()] == [bolts["id"]]
    assert 'rel="next"' in first.headers["link"] and first.headers["x-total-count"] == "2"
    for params, name in (({"bogus": 1}, "bogus"), ({"sort": "quantity"}, "sort"),
                         ({"company_id": "acme"}, "company_id")):
        refused = await client.get(PICK_LIST, params=params, headers=robot["headers"])
        assert refused.status_code == 400 and name in refused.json()["errors"], params
    # A picked line leaves the list; only automation users see it.
    await make(client, acme, f"{ORDERS}/{order['id']}/pick",
               {"lines": [{"id": bolts["id"], "quantity": 3}]})
    assert [(r["order_line_id"], r["quantity"]) for r in await listed(
        client, robot, company_id=acme.id)] == [(bolts["id"], 2), (pumps["id"], 2)]
    for headers in (acme.headers, (await access.api_user(acme))["headers"], {}):
        response = await client.get(PICK_LIST, headers=headers)
        assert response.status_code in (401, 403), headers
        assert response.json()["code"] == ("1" if not headers else "6")


# -- picks -------------------------------------------------------------------------------

async def test_a_pick_goes_through_the_orders_pick(client, access, acme):
    robot = await access.automation_user()
    w, order = await goods_and_pumps(client, acme)
    bolts, pumps = order["lines"]
    response = await pick(client, robot, {"company_id": acme.id, "order_line_id": bolts["id"],
                                          "quantity": 2})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert {k: answer[k] for k in ("company_id", "order_id", "order_number", "order_status",
                                   "order_line_id", "quantity", "serial_numbers")} == {
        "company_id": acme.id, "order_id": order["id"], "order_number": order["number"],
        "order_status": "allocated", "order_line_id": bolts["id"], "quantity": 2,
        "serial_numbers": []}
    stored = await line_of(client, acme, order["id"], 0)
    # (updated_at: the order actions stamp the answer's lines apart from the stored rows.)
    assert {**answer["line"], "updated_at": None} == {**stored, "updated_at": None}
    assert (answer["line"]["picked_quantity"], answer["line"]["allocated_quantity"]) == (2, 5)

    unit = await pick(client, robot, {"company_id": acme.id, "order_line_id": pumps["id"],
                                      "quantity": 1, "serial_numbers": ["P-2"]})
    assert unit.status_code == 200, unit.text
    assert unit.json()["serial_numbers"] == ["P-2"]
    assert unit.json()["line"]["serial_numbers"] == ["P-2", "P-1"]  # picked first
    rest = await listed(client, robot, company_id=acme.id)
    assert [(r["order_line_id"], r["quantity"], r["serial_numbers"]) for r in rest] == [
        (bolts["id"], 3, []), (pumps["id"], 1, ["P-1"])]
    # The rest of both lines: the order is picked.
    await pick(client, robot, {"company_id": acme.id, "order_line_id": bolts["id"],
                               "quantity": 3})
    last = await pick(client, robot, {"company_id": acme.id, "order_line_id": pumps["id"],
                                      "quantity": 1})
    assert last.json()["serial_numbers"] == ["P-1"] and last.json()["order_status"] == "picked"
    assert await listed(client, robot, company_id=acme.id) == []


async def test_rules_name_the_bodys_members(client, access, acme):
    robot = await access.automation_user()
    w, order = await goods_and_pumps(client, acme)
    bolts, pumps = order["lines"]
    body = {"company_id": acme.id, "order_line_id": bolts["id"]}
    for language, message in ((1, "Quantity picked: 6; left to pick on the line: 5."),
                              (0, "Plukket antall: 6; igjen å plukke på linjen: 5.")):
        response = await client.post(PICKS, json={**body, "quantity": 6},
                                     params={"language_code": language},
                                     headers=robot["headers"])
        assert rule(response, "30") == [(["quantity"], message)]
    assert rule(await pick(client, robot, {**body, "quantity": 0}), "3019") == [
        (["quantity"], "Amount should be strictly positive.")]
    wrong_serial = await pick(client, robot, {"company_id": acme.id, "quantity": 1,
                                              "order_line_id": pumps["id"],
                                              "serial_numbers": ["NOPE"]})
    assert rule(wrong_serial, "3008") == [
        (["serial_numbers"], "Serial number 'NOPE' is not in stock at this warehouse.")]
    too_few = await pick(client, robot, {"company_id": acme.id, "quantity": 2,
                                         "order_line_id": pumps["id"],
                                         "serial_numbers": ["P-1"]})
    assert rule(too_few, "3013") == [
        (["serial_numbers"], "Serial numbers needed: 2; given: 1.")]
    no_serials = await pick(client, robot, {**body, "quantity": 1, "serial_numbers": ["X"]})
    assert no_serials.status_code == 400 and "serial_numbers" in no_serials.json()["errors"]
    for bad in ({"order_line_id": bolts["id"], "quantity": 1}, {**body, "quantity": "lots"},
                {**body, "quantity": 1, "company_id": 0}):
        assert (await pick(client, robot, bad)).status_code == 400, bad
    await make(client, acme, f"{ORDERS}/{order['id']}/deliver", {})
    delivered = await pick(client, robot, {**body, "quantity": 1})
    assert rule(delivered, "3025")[0][0] == ["status"]
    # Nothing of the refused picks stuck.
    assert (await line_of(client, acme, order["id"], 0))["picked_quantity"] == 0


async def test_another_company_or_none_is_not_found(client, access, make_tenant):
    robot = await access.automation_user()
    acme, other, closed = await make_tenant(), await make_tenant(), await make_tenant()
    _, order = await goods_and_pumps(client, acme)
    await goods_and_pumps(client, other)
    _, closed_order = await goods_and_pumps(client, closed)
    await access.set_api_access(closed, False)
    line_id = order["lines"][0]["id"]
    for company_id, order_line_id in ((other.id, line_id), (2**40, line_id),
                                      (acme.id, 2**40),
                                      (closed.id, closed_order["lines"][0]["id"])):
        response = await pick(client, robot, {"company_id": company_id, "quantity": 1,
                                              "order_line_id": order_line_id})
        assert response.status_code == 404, (company_id, order_line_id, response.text)
        assert response.json()["code"] == "2"
    assert (await line_of(client, acme, order["id"], 0))["picked_quantity"] == 0
    # Only automation users pick.
    response = await client.post(PICKS, json={"company_id": acme.id, "quantity": 1,
                                              "order_line_id": line_id}, headers=acme.headers)
    assert response.status_code == 403 and response.json()["code"] == "6"


# -- replays and concurrency ----------------------------------------------------------------

async def test_a_replayed_pick_picks_once(client, access, acme, other):
    robot = await access.automation_user()
    _, order = await goods_and_pumps(client, acme)
    _, their_order = await goods_and_pumps(client, other)
    key = str(uuid4())
    body = {"company_id": acme.id, "order_line_id": order["lines"][0]["id"], "quantity": 2}
    first = await pick(client, robot, body, **{"Idempotency-Key": key})
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = await pick(client, robot, body, **{"Idempotency-Key": key})
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert (await line_of(client, acme, order["id"], 0))["picked_quantity"] == 2
    # The same key with another body — also for another company: keys are the user's.
    for changed in ({**body, "quantity": 1},
                    {"company_id": other.id, "order_line_id": their_order["lines"][0]["id"],
                     "quantity": 2}):
        refused = await pick(client, robot, changed, **{"Idempotency-Key": key})
        assert refused.status_code == 409 and refused.json()["code"] == "7", changed
    assert (await line_of(client, acme, order["id"], 0))["picked_quantity"] == 2
    assert (await line_of(client, other, their_order["id"], 0))["picked_quantity"] == 0
    # Another automation user's same key is its own.
    second_robot = await access.automation_user()
    theirs = await pick(client, second_robot, body, **{"Idempotency-Key": key})
    assert theirs.status_code == 200 and "idempotent-replayed" not in theirs.headers
    assert (await line_of(client, acme, order["id"], 0))["picked_quantity"] == 4


async def test_two_pickers_of_the_last_units_pick_once(app, client, access, acme):
    """Both want the last 3 bolts: each pick locks the order, so the second sees the
    first's pick and is refused; the line is never picked beyond its quantity. On
    PostgreSQL both are held at the order's row lock until both wait there, so they
    really run at once."""
    robots = [await access.automation_user() for _ in range(2)]
    _, order = await goods_and_pumps(client, acme)
    line_id = order["lines"][0]["id"]
    for robot in robots:  # each credential checked once before (no password hashing below)
        await pick(client, robot, {"company_id": acme.id, "order_line_id": line_id,
                                   "quantity": 1})
    body = {"company_id": acme.id, "order_line_id": line_id, "quantity": 3}
    async with held_order(app, order["id"]):
        tasks = [asyncio.create_task(pick(client, robot, body)) for robot in robots]
        await waiting_for_locks(app, tasks, 2)
    responses = await asyncio.gather(*tasks)
    codes = sorted((r.status_code, r.json().get("code")) for r in responses)
    assert codes == [(200, None), (422, "30")], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 422)
    assert rule(refused, "30") == [
        (["quantity"], "Quantity picked: 3; left to pick on the line: 0.")]
    line = await line_of(client, acme, order["id"], 0)
    assert (line["picked_quantity"], line["allocated_quantity"]) == (5, 5)


@asynccontextmanager
async def held_order(app, order_id: int) -> AsyncIterator[None]:
    """PostgreSQL: the order's row locked by another transaction until the block ends.
    SQLite: nothing (its writers already run one at a time)."""
    if BACKEND != "postgres":
        yield
        return
    async with app.state.database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(select(Order.id).where(Order.id == order_id)
                                 .with_for_update())
        yield
        await transaction.rollback()


async def waiting_for_locks(app, tasks: list[asyncio.Task], count: int) -> None:
    """Until ``count`` sessions of this database wait for a lock, or every task is done
    (a request that never waited: the test then fails on what they answered)."""
    if BACKEND != "postgres":
        return
    statement = text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                     "current_database() AND wait_event_type = 'Lock'")
    while not all(task.done() for task in tasks):
        # A transaction of its own each time: within one, PostgreSQL answers
        # pg_stat_activity from the snapshot it took first.
        async with app.state.database.engine.connect() as connection:
            if await connection.scalar(statement) >= count:
                return
        await asyncio.sleep(0.01)  # a yield to the requests, not a deadline
