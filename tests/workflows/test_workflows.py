"""Workflows (seed 000, DESIGN §7.1): every company's two, their statuses in five
languages, the list rule on ``statuses``, a status in use, and what orders will ask.
List, get, update, 405 on create and delete, and tenancy run from the contract kit."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, text

from workledger.kit.i18n import DANISH, ENGLISH, NORWEGIAN, SPANISH, SWEDISH
from workledger.kit.rules import BusinessRule
from workledger.workflows.service import (
    STATUS_USERS,
    check_workflow_status,
    first_status,
    workflow_statuses,
)

PROBLEM = "application/problem+json"
#: The default statuses as a caller reads them, per language_code.
ORDER_NAMES = {
    NORWEGIAN: ["Ny", "Bekreftet", "Under arbeid", "Fullført"],
    ENGLISH: ["New", "Confirmed", "In progress", "Completed"],
    SWEDISH: ["Ny", "Bekräftad", "Pågår", "Slutförd"],
    DANISH: ["Ny", "Bekræftet", "I gang", "Afsluttet"],
    SPANISH: ["Nuevo", "Confirmado", "En curso", "Completado"],
}
LINE_NAMES = {
    NORWEGIAN: ["Åpen", "Planlagt", "Ferdig"],
    ENGLISH: ["Open", "Planned", "Done"],
    SWEDISH: ["Öppen", "Planerad", "Klar"],
    DANISH: ["Åben", "Planlagt", "Færdig"],
    SPANISH: ["Abierta", "Planificada", "Terminada"],
}


async def workflow(client, tenant, workflow_type: str = "order", **params) -> dict:
    response = await client.get("/v1/workflows", params={"type": workflow_type, **params},
                                headers=tenant.headers)
    assert response.status_code == 200, response.text
    [found] = response.json()
    return found


async def patch(client, tenant, found: dict, body: dict, **params):
    return await client.patch(f"/v1/workflows/{found['id']}", json=body, params=params or None,
                              headers=tenant.headers)


# -- what every company starts with --------------------------------------------------------


async def test_every_company_starts_with_its_two_workflows(client, acme):
    response = await client.get("/v1/workflows", headers=acme.headers)
    assert [w["type"] for w in response.json()] == ["order", "order_line"]
    order = response.json()[0]
    assert [s["position"] for s in order["statuses"]] == [1, 2, 3, 4]
    assert [s["is_final"] for s in order["statuses"]] == [False, False, False, True]
    assert order["statuses"][0]["names"] == {"0": "Ny", "1": "New", "3": "Ny", "4": "Ny",
                                             "7": "Nuevo"}


@pytest.mark.parametrize("language", [NORWEGIAN, ENGLISH, SWEDISH, DANISH, SPANISH])
async def test_status_names_in_the_callers_language(client, acme, language):
    order = await workflow(client, acme, "order", language_code=language)
    line = await workflow(client, acme, "order_line", language_code=language)
    assert [s["name"] for s in order["statuses"]] == ORDER_NAMES[language]
    assert [s["name"] for s in line["statuses"]] == LINE_NAMES[language]
    assert [s["names"][str(language)] for s in order["statuses"]] == ORDER_NAMES[language]
    single = await client.get(f"/v1/workflows/{order['id']}",
                              params={"language_code": language}, headers=acme.headers)
    assert single.json() == order


async def test_swedish_without_asking_for_it_elsewhere(client, acme):
    """``GET /v1/workflows?language_code=3`` as the docs show it."""
    response = await client.get("/v1/workflows?language_code=3&type=order", headers=acme.headers)
    assert [s["name"] for s in response.json()[0]["statuses"]] == ORDER_NAMES[SWEDISH]
    english = await client.get("/v1/workflows?type=order", headers=acme.headers)
    assert [s["name"] for s in english.json()[0]["statuses"]] == ORDER_NAMES[ENGLISH]


# -- the list rule on statuses -----------------------------------------------------------


async def test_the_sent_list_becomes_the_workflow(client, acme):
    before = await workflow(client, acme)
    new, confirmed, in_progress, completed = before["statuses"]
    response = await patch(client, acme, before, {"statuses": [
        {"id": new["id"]},
        {"names": {"1": "Quoted", "0": "Tilbud"}},
        {"id": confirmed["id"], "names": {"3": "Godkänd"}, "is_final": False},
        {"id": completed["id"]},
    ]}, language_code=SWEDISH)
    assert response.status_code == 200, response.text
    after = response.json()
    statuses = after["statuses"]
    assert [s["position"] for s in statuses] == [1, 2, 3, 4]
    assert [s["id"] for s in statuses][:1] + [s["id"] for s in statuses][2:] == [
        new["id"], confirmed["id"], completed["id"]]
    assert statuses[1]["id"] not in {s["id"] for s in before["statuses"]}
    # Swedish asked for; the new status has English and Norwegian names only.
    assert [s["name"] for s in statuses] == ["Ny", "Quoted", "Godkänd", "Slutförd"]
    assert statuses[1]["names"] == {"0": "Tilbud", "1": "Quoted", "3": "", "4": "", "7": ""}
    assert statuses[2]["names"] == {**confirmed["names"], "3": "Godkänd"}
    assert in_progress["id"] not in {s["id"] for s in statuses}
    assert after["updated_at"] > before["updated_at"]
    assert await workflow(client, acme, language_code=SWEDISH) == after

    unchanged = await patch(client, acme, after, {})
    assert unchanged.status_code == 200
    assert unchanged.json()["statuses"] == (await workflow(client, acme))["statuses"]


async def test_moving_statuses_with_their_echoed_positions(client, acme):
    """Read-only members sent back unchanged are accepted, so a caller may move the
    statuses it read and send them back: the list's order decides."""
    before = await workflow(client, acme)
    moved = [before["statuses"][3], *before["statuses"][:3]]
    response = await patch(client, acme, before, {**before, "statuses": moved})
    assert response.status_code == 200, response.text
    statuses = response.json()["statuses"]
    assert [s["id"] for s in statuses] == [s["id"] for s in moved]
    assert [s["position"] for s in statuses] == [1, 2, 3, 4]
    assert statuses[0]["name"] == "Completed"


@pytest.mark.parametrize(("statuses", "member"), [
    ([], "statuses"),
    ([{"id": 987654321}], "statuses[0].id"),
    ("twice", "statuses[1].id"),
    ([{"names": {"1": "Fine"}}, {"is_final": True}], "statuses[1].names"),
    ([{"names": {"1": ""}}], "statuses[0].names"),
    ([{"names": {"1": "x" * 101}}], "statuses[0].names.1"),
    ([{"names": {"1": "Fine"}, "position": 1}], "statuses[0].position"),
    ([{"names": {"1": "Fine"}, "name": "Fine"}], "statuses[0].name"),
    ("renamed", "statuses[0].name"),
    ("moved", "statuses[0].position"),
    ("cleared", "statuses[0].names"),
    ([{"names": {"1": "Fine"}}] * 51, "statuses"),
    ([{"names": {"1": "Fine"}, "is_final": "yes"}], "statuses[0].is_final"),
])
async def test_invalid_status_lists_are_400_and_change_nothing(client, acme, other, statuses,
                                                               member):
    before = await workflow(client, acme)
    first = before["statuses"][0]
    special = {
        "twice": [{"id": first["id"]}, {"id": first["id"]}],
        "renamed": [{"id": first["id"], "name": "Something else"}],
        "moved": [{"id": first["id"], "position": 2}],
        "cleared": [{"id": first["id"], "names": {"0": "", "1": "", "3": "", "4": "", "7": ""}}],
    }
    body = {"statuses": special.get(statuses, statuses) if isinstance(statuses, str)
            else statuses}
    response = await patch(client, acme, before, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert member in response.json()["errors"], response.json()
    assert await workflow(client, acme) == before


async def test_another_companys_status_is_not_in_my_list(client, acme, other):
    mine, theirs = await workflow(client, acme), await workflow(client, other)
    response = await patch(client, acme, mine, {"statuses": [{"id": theirs["statuses"][0]["id"]}]})
    assert response.status_code == 400
    assert "statuses[0].id" in response.json()["errors"]
    assert await workflow(client, acme) == mine
    assert await workflow(client, other) == theirs


async def test_type_is_read_only(client, acme):
    before = await workflow(client, acme)
    response = await patch(client, acme, before, {"type": "order_line"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["type"]
    assert (await patch(client, acme, before, {"type": "order"})).status_code == 200


# -- a status in use --------------------------------------------------------------------------

#: Stands in for the orders table: a row naming a status, refusing its deletion, as
#: orders.workflow_status_id will (tenant_reference(..., ondelete="RESTRICT")).
USES_TABLE = """
CREATE TABLE test_status_uses (
    company_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    label VARCHAR(50) NOT NULL,
    FOREIGN KEY (company_id, status_id) REFERENCES workflow_statuses (company_id, id)
        ON DELETE RESTRICT
)
"""


@pytest.fixture
async def status_uses(app):
    engine = app.state.database.engine
    async with engine.begin() as connection:
        await connection.execute(text("DROP TABLE IF EXISTS test_status_uses"))
        await connection.execute(text(USES_TABLE))
    try:
        yield engine
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE test_status_uses"))


async def uses_in_test_table(session, company_id, status_ids):
    """A StatusUsage, as the orders will register one."""
    rows = await session.execute(
        text("SELECT status_id, label FROM test_status_uses "
             "WHERE company_id = :company AND status_id IN :ids ORDER BY label")
        .bindparams(bindparam("ids", expanding=True)),
        {"company": company_id, "ids": list(status_ids)},
    )
    found: dict[int, list[str]] = {}
    for status_id, label in rows:
        found.setdefault(status_id, []).append(label)
    return found


async def test_a_status_in_use_cannot_be_removed(client, acme, status_uses):
    before = await workflow(client, acme)
    confirmed = before["statuses"][1]
    async with status_uses.begin() as connection:
        for label in ("Order 1001", "Order 1002"):
            await connection.execute(text(
                "INSERT INTO test_status_uses (company_id, status_id, label) "
                "VALUES (:c, :s, :l)"), {"c": acme.id, "s": confirmed["id"], "l": label})
    without_confirmed = {"statuses": [{"id": s["id"]} for s in before["statuses"]
                                      if s["id"] != confirmed["id"]]}

    STATUS_USERS.append(uses_in_test_table)
    try:
        response = await patch(client, acme, before, without_confirmed)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["code"] == "3"
        assert problem["title"] == "This object cannot be deleted."
        assert problem["reason"] == (
            f"A status still in use cannot be removed: the status 'Confirmed' (id "
            f"{confirmed['id']}) is used by: Order 1001, Order 1002.")
        assert await workflow(client, acme) == before
        # Kept, it may change.
        renamed = await patch(client, acme, before, {"statuses": [
            {"id": s["id"], "names": {"1": f"{s['names']['1']}!"}} for s in before["statuses"]]})
        assert renamed.status_code == 200, renamed.text
    finally:
        STATUS_USERS.remove(uses_in_test_table)

    # A use nobody registered: the database's RESTRICT still refuses, with a plain reason.
    response = await patch(client, acme, before, without_confirmed)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "3"
    assert response.json()["reason"] == "A removed status is still used by other records."

    async with status_uses.begin() as connection:
        await connection.execute(text("DELETE FROM test_status_uses"))
    response = await patch(client, acme, before, without_confirmed)
    assert response.status_code == 200, response.text
    assert len(response.json()["statuses"]) == 3


# -- what orders will ask -------------------------------------------------------------------------


async def test_workflow_status_ids_for_orders(app, client, acme, other):
    order, line = await workflow(client, acme), await workflow(client, acme, "order_line")
    theirs = await workflow(client, other)
    async with app.state.database.session() as session:
        statuses = await workflow_statuses(session, acme.id, "order")
        assert statuses.first.id == order["statuses"][0]["id"]
        assert statuses.check(order["statuses"][2]["id"]).name_in(ENGLISH) == "In progress"
        assert (await first_status(session, acme.id, "order_line")).id == line["statuses"][0]["id"]

        for wrong in (line["statuses"][0]["id"], theirs["statuses"][0]["id"], 987654321):
            with pytest.raises(BusinessRule) as refused:
                statuses.check(wrong)
            problem = refused.value
            assert (problem.status, problem.code) == (422, "30")
            assert [v.render(type(problem), ENGLISH) for v in problem.violations] == [
                {"memberNames": ["workflow_status_id"],
                 "errorMessage": "Invalid Workflow Status Id"}]
            assert [v.render(type(problem), SWEDISH) for v in problem.violations] == [
                {"memberNames": ["workflow_status_id"],
                 "errorMessage": "Ogiltigt id för arbetsflödesstatus"}]

        with pytest.raises(BusinessRule) as refused:
            await check_workflow_status(session, acme.id, "order_line", order["statuses"][0]["id"],
                                        member="lines[2].workflow_status_id")
        assert refused.value.violations[0].members == ("lines[2].workflow_status_id",)
        planned = await check_workflow_status(session, acme.id, "order_line",
                                              line["statuses"][1]["id"])
        assert planned.name_in(DANISH) == "Planlagt"

    # The first status is the first of the list as the company ordered it.
    response = await patch(client, acme, order, {"statuses": [
        {"id": s["id"]} for s in reversed(order["statuses"])]})
    assert response.status_code == 200
    async with app.state.database.session() as session:
        assert (await first_status(session, acme.id, "order")).id == order["statuses"][-1]["id"]
