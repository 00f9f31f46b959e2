"""/v1/work-orders over HTTP (DESIGN §7.4, seed 003): numbers, references and list
members, the status table (every allowed move and every refused one), materials booked
out of stock on completion (all or nothing), reopening; each rule answers its code naming
the member, in two languages. CRUD, filters, sorts, import ids, bulk delete, tenancy and
401 run from the contract kit (tests/test_contract.py, tests/test_routes.py)."""

from __future__ import annotations

import itertools

import pytest

from tests.equipment.helpers import (
    NB,
    adjust,
    customer,
    invalid,
    item,
    made,
    movements,
    on_hand,
    patch,
    post,
    rule,
)
from workledger.work_orders.service import WORK_ORDER_STATES

URL = "/v1/work-orders"


async def test_defaults_and_issued_numbers(client, acme):
    first = await made(await post(client, acme, URL, {}))
    assert {k: first[k] for k in ("number", "kind", "type_of_work", "status", "order_id",
                                  "equipment_ids", "employee_ids", "work_periods",
                                  "materials", "form", "completed_at", "handled_at")} == {
        "number": "1", "kind": "manual", "type_of_work": "service", "status": "ready",
        "order_id": None, "equipment_ids": [], "employee_ids": [], "work_periods": [],
        "materials": [], "form": [], "completed_at": None, "handled_at": None}
    # Numbers given by hand are skipped by the series.
    await made(await post(client, acme, URL, {"number": "2"}))
    await made(await post(client, acme, URL, {"number": "3"}))
    assert (await made(await post(client, acme, URL, {})))["number"] == "4"
    assert rule(await post(client, acme, URL, {"number": "3"}), "30") == [
        (["number"], "The number '3' is already in use.")]
    assert rule(await patch(client, acme, f"{URL}/{first['id']}", {"number": "3"}, NB),
                "30") == [(["number"], "Nummeret '3' er allerede i bruk.")]
    renamed = await made(await patch(client, acme, f"{URL}/{first['id']}",
                                     {"number": "WO-A", "type_of_work": "repair"}))
    assert (renamed["number"], renamed["type_of_work"]) == ("WO-A", "repair")
    # Read-only members.
    assert invalid(await post(client, acme, URL, {"kind": "job"})) == {"kind"}
    assert invalid(await patch(client, acme, f"{URL}/{first['id']}", {"order_id": 7})) == {
        "order_id"}
    assert invalid(await patch(client, acme, f"{URL}/{first['id']}",
                               {"handled_at": "2026-01-01T00:00:00Z"})) == {"handled_at"}
    assert invalid(await post(client, acme, URL, {"type_of_work": "cleaning"})) == {
        "type_of_work"}


async def test_references_and_lists(client, acme, other):
    owner = await customer(client, acme)
    person = await made(await post(client, acme, "/v1/employees", {"number": "E1",
                                                                   "first_name": "Kari"}))
    unit = await made(await post(client, acme, "/v1/equipment", {
        "item_id": await item(client, acme, "unique"), "serial_number": "A"}))
    theirs = await made(await post(client, other, "/v1/employees", {"number": "T1",
                                                                    "last_name": "Other"}))
    body = {"customer_id": owner, "equipment_ids": [unit["id"]],
            "employee_ids": [person["id"]],
            "work_periods": [{"employee_id": person["id"], "date": "2026-12-01",
                              "begin_time": "08:00:00", "end_time": "12:00:00",
                              "break_minutes": 30, "hour_type": "normal", "remark": "ok"}],
            "form": [{"form": "Check", "property": "Tight", "value": "yes"},
                     {"form": "Check", "property": "Clean"}]}
    order = await made(await post(client, acme, URL, body))
    assert (order["customer_id"], order["equipment_ids"], order["employee_ids"]) == (
        owner, [unit["id"]], [person["id"]])
    [period] = order["work_periods"]
    assert (period["employee_id"], period["date"], period["break_minutes"]) == (
        person["id"], "2026-12-01", 30)
    assert order["form"][1] == {"form": "Check", "property": "Clean", "value": ""}
    # Unknown and other companies' ids, named where they are.
    assert rule(await post(client, acme, URL, {"employee_ids": [person["id"], theirs["id"]]}),
                "30") == [(["employee_ids[1]"], "Invalid Employee Ids")]
    assert rule(await post(client, acme, URL, {"equipment_ids": [2**40]}, NB), "30") == [
        (["equipment_ids[0]"], "Ugyldig verdi for equipment_ids[0]")]
    assert rule(await post(client, acme, URL, {"work_periods": [
        {"date": "2026-12-01"}, {"date": "2026-12-02", "employee_id": theirs["id"]}]}),
        "30") == [(["work_periods[1].employee_id"], "Invalid Employee Id")]
    assert invalid(await post(client, acme, URL, {"employee_ids": [person["id"]] * 2})) == {
        "employee_ids[1]"}
    assert invalid(await post(client, acme, URL, {"work_periods": [{"remark": "x"}]})) == {
        "work_periods[0].date"}
    # List rules: a kept id is updated, no id creates, left out deletes; [] clears.
    element = f"{URL}/{order['id']}"
    changed = await made(await patch(client, acme, element, {"work_periods": [
        {"id": period["id"], "remark": "changed"}, {"date": "2026-12-02"}],
        "employee_ids": [], "equipment_ids": [unit["id"]]}))
    assert [(p["id"] == period["id"], p["remark"]) for p in changed["work_periods"]] == [
        (True, "changed"), (False, "")]
    assert (changed["employee_ids"], changed["equipment_ids"]) == ([], [unit["id"]])
    assert invalid(await patch(client, acme, element, {"work_periods": [{"id": 2**40}]})) == {
        "work_periods[0].id"}
    assert (await made(await patch(client, acme, element, {"work_periods": []})
                       ))["work_periods"] == []
    # A customer by external id, and one without a link.
    await made(await post(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "CRM-1", "customer_id": owner}))
    assert (await made(await post(client, acme, URL, {"customer_external_id": "CRM-1"}))
            )["customer_id"] == owner
    assert rule(await post(client, acme, URL, {"customer_external_id": "NOPE"}), "30") == [
        (["customer_external_id"], "No customer link with external id 'NOPE'.")]


async def test_material_rules(client, acme):
    oil = await item(client, acme, "consumable", number="OIL", unit="l", sales_price=12.5)
    bolt = await item(client, acme, "part", number="BOLT")
    pump = await item(client, acme, "unique", number="PUMP")
    order = await made(await post(client, acme, URL, {"materials": [
        {"item_number": "OIL", "quantity": 1.25},
        {"item_id": bolt, "quantity": 4, "name": "Bolts M8", "unit_price": 0.5},
        {"name": "Small parts", "quantity": 1, "unit": "set"}]}))
    first, second, third = order["materials"]
    assert (first["item_id"], first["name"], first["unit"], first["unit_price"],
            first["quantity"]) == (oil, "Name OIL", "l", 12.5, 1.25)
    assert (second["name"], second["unit_price"], third["item_id"]) == ("Bolts M8", 0.5, None)
    assert rule(await post(client, acme, URL, {"materials": [{"item_id": pump}]}), "30") == [
        (["materials[0].item_id"], "Items of kind 'unique' cannot be used as materials.")]
    assert rule(await post(client, acme, URL, {"materials": [{"item_id": pump}]}, NB),
                "30") == [(["materials[0].item_id"],
                           "Varer av typen 'unique' kan ikke brukes som materiell.")]
    assert rule(await post(client, acme, URL, {"materials": [
        {"item_id": oil}, {"item_id": bolt, "quantity": 0}]}), "3019") == [
        (["materials[1].quantity"], "Amount should be strictly positive.")]
    assert rule(await post(client, acme, URL, {"materials": [{"item_id": bolt,
                                                              "quantity": 1.5}]}), "30") == [
        (["materials[0].quantity"], "Items of kind 'part' are counted in whole units.")]
    assert rule(await post(client, acme, URL, {"materials": [{"item_number": "NOPE"}]}),
                "30") == [(["materials[0].item_number"], "Invalid Item Number")]
    assert invalid(await post(client, acme, URL, {"materials": [
        {"item_number": "OIL", "item_id": bolt}]})) == {"materials[0].item_number"}
    assert invalid(await post(client, acme, URL, {"materials": [{"quantity": 1}]})) == {
        "materials[0].item_id"}
    # List rules on materials: update by id, keep defaults of the stored item.
    element = f"{URL}/{order['id']}"
    changed = await made(await patch(client, acme, element, {"materials": [
        {"id": first["id"], "quantity": 2}]}))
    assert [(m["id"], m["name"], m["quantity"]) for m in changed["materials"]] == [
        (first["id"], "Name OIL", 2)]


async def drive(client, tenant, path: list[str]) -> str:
    """A work order taken along ``path`` (statuses after ``ready``); answers its URL."""
    order = await made(await post(client, tenant, URL, {}))
    element = f"{URL}/{order['id']}"
    for status in path:
        await made(await patch(client, tenant, element, {"status": status}))
    return element


#: The shortest way from ``ready`` to each status.
PATHS = {"ready": [], "fetched": ["fetched"], "complete": ["complete"],
         "handled": ["complete", "handled"]}


@pytest.mark.parametrize(("current", "target"),
                         [pair for pair in itertools.permutations(WORK_ORDER_STATES, 2)])
async def test_status_table(client, acme, current, target):
    element = await drive(client, acme, PATHS[current])
    response = await patch(client, acme, element, {"status": target})
    allowed = {("ready", "fetched"), ("ready", "complete"), ("fetched", "complete"),
               ("complete", "fetched"), ("complete", "handled")}
    assert WORK_ORDER_STATES.allows(current, target) == ((current, target) in allowed)
    if (current, target) in allowed:
        assert (await made(response))["status"] == target
    else:
        assert rule(response, "30") == [
            (["status"], f"Cannot change status from '{current}' to '{target}'.")]
        assert (await made(await client.get(element, headers=acme.headers)))["status"] == current


async def test_refused_transition_in_norwegian(client, acme):
    element = await drive(client, acme, PATHS["handled"])
    assert rule(await patch(client, acme, element, {"status": "ready"}, NB), "30") == [
        (["status"], "Kan ikke endre status fra 'handled' til 'ready'.")]
    # Staying put is no move, even when final.
    assert (await made(await patch(client, acme, element, {"status": "handled"}))
            )["status"] == "handled"


async def test_stamps(client, acme):
    element = await drive(client, acme, ["fetched", "complete"])
    done = await made(await client.get(element, headers=acme.headers))
    assert done["completed_at"] and done["handled_at"] is None
    handled = await made(await patch(client, acme, element, {"status": "handled"}))
    assert handled["handled_at"] and handled["completed_at"] == done["completed_at"]
    # completed_at may be given with the completion.
    given = await made(await post(client, acme, URL, {}))
    stamped = await made(await patch(client, acme, f"{URL}/{given['id']}", {
        "status": "complete", "completed_at": "2026-11-29T15:00:00Z"}))
    assert stamped["completed_at"].startswith("2026-11-29T15:00:00")


async def test_completion_books_materials_out_of_stock(client, acme):
    oil = await item(client, acme, "consumable", number="OIL")
    bolt = await item(client, acme, "part", number="BOLT")
    await adjust(client, acme, oil, 10)
    await adjust(client, acme, bolt, 20)
    order = await made(await post(client, acme, URL, {"materials": [
        {"item_id": oil, "quantity": 2.5}, {"item_id": bolt, "quantity": 4},
        {"item_id": oil, "quantity": 1}, {"name": "Labour", "quantity": 2}]}))
    element = f"{URL}/{order['id']}"
    await made(await patch(client, acme, element, {"status": "fetched"}))
    assert await on_hand(client, acme, oil) == 10  # nothing booked before completion
    done = await made(await patch(client, acme, element, {"status": "complete"}))
    assert done["status"] == "complete"
    assert (await on_hand(client, acme, oil), await on_hand(client, acme, bolt)) == (6.5, 16)
    booked = await movements(client, acme, work_order_id=order["id"])
    assert sorted((m["item_id"], m["type"], m["quantity"]) for m in booked) == sorted([
        (oil, "consumption", -2.5), (bolt, "consumption", -4), (oil, "consumption", -1)])
    # While complete (and handled) the materials are booked: they cannot change.
    assert rule(await patch(client, acme, element, {"materials": []}), "30") == [
        (["materials"], "The materials cannot be changed while the status is 'complete'.")]
    assert rule(await patch(client, acme, element, {"materials": []}, NB), "30") == [
        (["materials"], "Materiellet kan ikke endres når statusen er 'complete'.")]
    # A work order that booked stock cannot be deleted.
    response = await client.delete(element, headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3"
    assert "stock movements" in response.json()["reason"]
    # Handling books nothing more.
    await made(await patch(client, acme, element, {"status": "handled"}))
    assert await on_hand(client, acme, oil) == 6.5


async def test_short_stock_changes_nothing(client, acme):
    oil = await item(client, acme, "consumable", number="OIL")
    bolt = await item(client, acme, "part", number="BOLT")
    await adjust(client, acme, oil, 10)
    await adjust(client, acme, bolt, 3)
    order = await made(await post(client, acme, URL, {"materials": [
        {"item_id": oil, "quantity": 2}, {"item_id": bolt, "quantity": 4}]}))
    element = f"{URL}/{order['id']}"
    response = await patch(client, acme, element, {"status": "complete",
                                                   "work_status": "done"})
    assert rule(response, "3008") == [(["materials[1].quantity"],
                                       "Quantity requested: 4; available: 3.")]
    response = await patch(client, acme, element, {"status": "complete"}, NB)
    assert response.json()["title"] == "Det er ikke nok på lager."
    assert rule(response, "3008") == [(["materials[1].quantity"],
                                       "Ønsket antall: 4; tilgjengelig: 3.")]
    after = await made(await client.get(element, headers=acme.headers))
    assert (after["status"], after["completed_at"], after["work_status"]) == ("ready", None, "")
    assert (await on_hand(client, acme, oil), await on_hand(client, acme, bolt)) == (10, 3)
    assert await movements(client, acme, work_order_id=order["id"]) == []
    # Materials sent with the completion count, and fail the same way.
    response = await patch(client, acme, element, {"status": "complete", "materials": [
        {"item_id": oil, "quantity": 11}]})
    assert rule(response, "3008")[0][0] == ["materials[0].quantity"]
    assert len((await made(await client.get(element, headers=acme.headers)))["materials"]) == 2
    # Created complete: booked at once, or not created at all.
    count = len((await client.get(URL, headers=acme.headers)).json())
    response = await post(client, acme, URL, {"status": "complete", "materials": [
        {"item_id": bolt, "quantity": 5}]})
    assert rule(response, "3008")[0][0] == ["materials[0].quantity"]
    assert len((await client.get(URL, headers=acme.headers)).json()) == count
    created = await made(await post(client, acme, URL, {"status": "complete", "materials": [
        {"item_id": bolt, "quantity": 3}]}))
    assert created["status"] == "complete" and await on_hand(client, acme, bolt) == 0


async def test_reopen_keeps_the_booking_and_books_the_difference(client, acme):
    oil = await item(client, acme, "consumable", number="OIL")
    await adjust(client, acme, oil, 10)
    order = await made(await post(client, acme, URL, {"materials": [
        {"item_id": oil, "quantity": 3}]}))
    element = f"{URL}/{order['id']}"
    await made(await patch(client, acme, element, {"status": "complete"}))
    assert await on_hand(client, acme, oil) == 7
    reopened = await made(await patch(client, acme, element, {"status": "fetched"}))
    assert reopened["status"] == "fetched" and await on_hand(client, acme, oil) == 7
    [material] = reopened["materials"]
    # More material: only the difference is booked on the next completion.
    await made(await patch(client, acme, element, {"materials": [
        {"id": material["id"], "quantity": 5}]}))
    await made(await patch(client, acme, element, {"status": "complete"}))
    assert await on_hand(client, acme, oil) == 5
    # Less material: the difference is booked back.
    await made(await patch(client, acme, element, {"status": "fetched"}))
    await made(await patch(client, acme, element, {"materials": [
        {"id": material["id"], "quantity": 1}]}))
    await made(await patch(client, acme, element, {"status": "complete"}))
    assert await on_hand(client, acme, oil) == 9
    booked = await movements(client, acme, work_order_id=order["id"], sort="id")
    assert [m["quantity"] for m in booked] == [-3, -2, 4]
    # Completing again without changes books nothing.
    await made(await patch(client, acme, element, {"status": "fetched"}))
    await made(await patch(client, acme, element, {"status": "complete"}))
    assert len(await movements(client, acme, work_order_id=order["id"])) == 3


async def test_concurrent_completions_never_oversell(client, acme):
    """Two work orders needing 4 of 6 units completed at once: one 200, one 3008; the same
    work order completed four times at once books once."""
    import asyncio

    oil = await item(client, acme, "consumable", number="OIL")
    await adjust(client, acme, oil, 6)
    elements = []
    for _ in range(2):
        order = await made(await post(client, acme, URL, {"materials": [
            {"item_id": oil, "quantity": 4}]}))
        elements.append(f"{URL}/{order['id']}")
    responses = await asyncio.gather(*(patch(client, acme, element, {"status": "complete"})
                                       for element in elements))
    assert sorted(r.status_code for r in responses) == [200, 422], [r.text for r in responses]
    assert [r.json()["code"] for r in responses if r.status_code == 422] == ["3008"]
    assert await on_hand(client, acme, oil) == 2
    await adjust(client, acme, oil, 10)
    [short] = [e for e, r in zip(elements, responses, strict=True) if r.status_code == 422]
    responses = await asyncio.gather(*(patch(client, acme, short, {"status": "complete"})
                                       for _ in range(4)))
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    assert await on_hand(client, acme, oil) == 8


async def test_concurrent_numbers_never_collide(client, acme):
    """Issued and given numbers written at once: issued ones skip given ones; a given
    number an issued one took first is refused as taken (422), never a conflict (409)."""
    import asyncio

    responses = await asyncio.gather(
        *(post(client, acme, URL, {}) for _ in range(4)),
        *(post(client, acme, URL, {"number": str(n)}) for n in (2, 4)))
    issued = [r for r in responses[:4]]
    assert all(r.status_code == 200 for r in issued), [r.text for r in issued]
    issued_numbers = {r.json()["number"] for r in issued}
    for given, response in zip(("2", "4"), responses[4:], strict=True):
        if response.status_code == 200:
            assert response.json()["number"] == given
        else:  # an issued one took it first: refused as taken, never a 409
            assert rule(response, "30")[0][0] == ["number"]
            assert given in issued_numbers
    numbers = [r.json()["number"] for r in responses if r.status_code == 200]
    assert len(set(numbers)) == len(numbers) >= 4, numbers


async def test_completion_costs_the_same_statements_for_1_or_40_materials(app, client, acme):
    from tests.work_orders.test_delivery_jobs import counting

    counts = []
    for size in (1, 40):
        items = [await item(client, acme, "part", number=f"P{size}-{n}") for n in range(size)]
        for item_id in items:
            await adjust(client, acme, item_id, 5)
        order = await made(await post(client, acme, URL, {"materials": [
            {"item_id": item_id, "quantity": 2} for item_id in items]}))
        with counting(app) as seen:
            await made(await patch(client, acme, f"{URL}/{order['id']}",
                                   {"status": "complete"}))
        counts.append(len(seen))
        assert await on_hand(client, acme, items[-1]) == 3
    assert counts[0] == counts[1], counts
