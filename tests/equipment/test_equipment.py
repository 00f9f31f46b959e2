"""/v1/equipment over HTTP (DESIGN §7.4): serials, quantities, the ledger's ownership of
``in_stock``, main and sub equipment, deletion, and the ``return`` action; each rule
answers its code naming the member, in two languages. CRUD, filters, sorts, import ids,
bulk delete, tenancy and 401 run from the contract kit (tests/test_contract.py,
tests/test_routes.py)."""

from __future__ import annotations

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

URL = "/v1/equipment"


async def test_a_unique_unit_at_a_customer(client, acme):
    unit_item, owner = await item(client, acme, "unique"), await customer(client, acme)
    unit = await made(await post(client, acme, URL, {
        "item_id": unit_item, "serial_number": "SN-1", "customer_id": owner,
        "properties": {"colour": "red"}, "installed_at": "2026-11-01"}))
    assert {k: unit[k] for k in ("kind", "serial_number", "quantity", "status", "warehouse_id",
                                 "customer_id", "main_equipment_id", "sub_equipment_ids",
                                 "order_line_id", "properties")} == {
        "kind": "unique", "serial_number": "SN-1", "quantity": 1, "status": "at_customer",
        "warehouse_id": None, "customer_id": owner, "main_equipment_id": None,
        "sub_equipment_ids": [], "order_line_id": None, "properties": {"colour": "red"}}
    # The item cannot change; kind and order_line_id are read-only.
    other_item = await item(client, acme, "unique", number="other")
    assert invalid(await patch(client, acme, f"{URL}/{unit['id']}",
                               {"item_id": other_item})) == {"item_id"}
    assert invalid(await patch(client, acme, f"{URL}/{unit['id']}",
                               {"kind": "part"})) == {"kind"}
    assert invalid(await post(client, acme, URL, {"item_id": unit_item,
                                                  "serial_number": "SN-9",
                                                  "order_line_id": 5})) == {"order_line_id"}


async def test_serial_numbers_by_kind(client, acme):
    unique, goods = await item(client, acme, "unique"), await item(client, acme, "stock_goods")
    assert rule(await post(client, acme, URL, {"item_id": unique}), "3013") == [
        (["serial_number"], "A mandatory field is missing.")]
    response = await post(client, acme, URL, {"item_id": unique, "serial_number": ""}, NB)
    assert response.json()["title"] == "Et obligatorisk felt mangler."
    assert rule(response, "3013") == [(["serial_number"], "Et obligatorisk felt mangler.")]
    await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "SN-1"}))
    assert rule(await post(client, acme, URL, {"item_id": unique, "serial_number": "SN-1"}),
                "30") == [(["serial_number"],
                           "Serial number 'SN-1' is already known for this item.")]
    assert rule(await post(client, acme, URL, {"item_id": unique, "serial_number": "SN-1"},
                           NB), "30") == [
        (["serial_number"], "Serienummeret 'SN-1' er allerede registrert på denne varen.")]
    # Unique per item: another item may have the same serial.
    other = await item(client, acme, "unique", number="other")
    await made(await post(client, acme, URL, {"item_id": other, "serial_number": "SN-1"}))
    # Other kinds have none; "" counts as none.
    assert rule(await post(client, acme, URL, {"item_id": goods, "serial_number": "X"}),
                "3014") == [(["serial_number"],
                             "A field that should be left empty contains an actual value.")]
    assert rule(await post(client, acme, URL, {"item_id": goods, "serial_number": "X"}, NB),
                "3014") == [(["serial_number"],
                             "Et felt som skal stå tomt, inneholder en verdi.")]
    plain = await made(await post(client, acme, URL, {"item_id": goods, "serial_number": ""}))
    assert plain["serial_number"] is None


async def test_quantities_by_kind(client, acme):
    unique = await item(client, acme, "unique")
    goods = await item(client, acme, "stock_goods")
    stuff = await item(client, acme, "consumable")
    assert rule(await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                               "quantity": 2}), "30") == [
        (["quantity"], "Equipment of kind 'unique' is one unit: its quantity is 1.")]
    assert rule(await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                               "quantity": 2}, NB), "30") == [
        (["quantity"], "Utstyr av typen 'unique' er én enhet: antallet er 1.")]
    for quantity in (0, -1):
        assert rule(await post(client, acme, URL, {"item_id": goods, "quantity": quantity}),
                    "3019") == [(["quantity"], "Amount should be strictly positive.")]
    assert rule(await post(client, acme, URL, {"item_id": goods, "quantity": 1.5}), "30") == [
        (["quantity"], "Items of kind 'stock_goods' are counted in whole units.")]
    assert (await made(await post(client, acme, URL, {"item_id": goods, "quantity": 4})
                       ))["quantity"] == 4
    assert (await made(await post(client, acme, URL, {"item_id": stuff, "quantity": 2.5})
                       ))["quantity"] == 2.5
    # An update is checked the same way.
    unit = await made(await post(client, acme, URL, {"item_id": unique,
                                                     "serial_number": "B"}))
    assert rule(await patch(client, acme, f"{URL}/{unit['id']}", {"quantity": 3}),
                "30")[0][0] == ["quantity"]


async def test_in_stock_belongs_to_the_ledger(client, acme):
    unique = await item(client, acme, "unique")
    expected_en = [(["status"], "Equipment is in stock only through the stock ledger: a "
                    "purchase-order receipt, a stock adjustment or a return.")]
    response = await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                              "status": "in_stock"})
    assert rule(response, "30") == expected_en
    response = await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                              "status": "in_stock"}, NB)
    assert rule(response, "30") == [(["status"], "Utstyr kommer på lager bare gjennom "
                                     "lagerbokføringen: et varemottak fra en innkjøpsordre, "
                                     "en lagerjustering eller en retur.")]
    unit = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "A"}))
    assert rule(await patch(client, acme, f"{URL}/{unit['id']}", {"status": "in_stock"}),
                "30") == expected_en
    # A unit the ledger put in stock: its status, serial, customer stay the ledger's.
    await adjust(client, acme, unique, 1, serials=["B"])
    [stocked] = (await client.get(URL, params={"serial_number": "B"},
                                  headers=acme.headers)).json()
    assert stocked["status"] == "in_stock" and stocked["warehouse_id"]
    element = f"{URL}/{stocked['id']}"
    owner = await customer(client, acme)
    for change, member in (({"status": "sold"}, "status"), ({"serial_number": "C"},
                                                           "serial_number"),
                           ({"customer_id": owner}, "customer_id")):
        assert rule(await patch(client, acme, element, change), "30")[0][0] == [member]
    assert invalid(await patch(client, acme, element,
                               {"warehouse_id": stocked["warehouse_id"] + 1000})) == {
        "warehouse_id"}
    kept = await made(await patch(client, acme, element, {
        "status": "in_stock", "properties": {"shelf": "4"}, "warranty_until": "2029-01-01"}))
    assert (kept["status"], kept["properties"], kept["warranty_until"]) == (
        "in_stock", {"shelf": "4"}, "2029-01-01")
    assert await on_hand(client, acme, unique) == 1
    # Nor can it be deleted: the ledger takes it out.
    response = await client.delete(element, headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3"
    assert "in stock" in response.json()["reason"]
    assert await on_hand(client, acme, unique) == 1


async def test_main_and_sub_equipment(client, acme):
    unique = await item(client, acme, "unique")
    a, b, c = [await made(await post(client, acme, URL, {"item_id": unique,
                                                         "serial_number": serial}))
               for serial in ("A", "B", "C")]
    await made(await patch(client, acme, f"{URL}/{b['id']}", {"main_equipment_id": a["id"]}))
    await made(await patch(client, acme, f"{URL}/{c['id']}", {"main_equipment_id": b["id"]}))
    assert (await made(await client.get(f"{URL}/{a['id']}", headers=acme.headers))
            )["sub_equipment_ids"] == [b["id"]]
    listed = (await client.get(URL, params={"main_equipment_id": b["id"]},
                               headers=acme.headers)).json()
    assert [o["id"] for o in listed] == [c["id"]]
    cycle = [(["main_equipment_id"], "Equipment cannot be its own main equipment, directly "
              "or through its sub equipment.")]
    # Its own main, its sub's sub as its main, its direct sub as its main.
    for main in (a["id"], c["id"], b["id"]):
        assert rule(await patch(client, acme, f"{URL}/{a['id']}",
                                {"main_equipment_id": main}), "30") == cycle
    assert rule(await patch(client, acme, f"{URL}/{a['id']}", {"main_equipment_id": c["id"]},
                            NB), "30") == [
        (["main_equipment_id"], "Utstyr kan ikke være sitt eget hovedutstyr, verken direkte "
         "eller via underutstyr.")]
    assert rule(await patch(client, acme, f"{URL}/{a['id']}", {"main_equipment_id": 2**40}),
                "30") == [(["main_equipment_id"], "Invalid Main Equipment Id")]
    # Moving a sub to another main is allowed (one main per sub); 0 clears it.
    moved = await made(await patch(client, acme, f"{URL}/{c['id']}",
                                   {"main_equipment_id": a["id"]}))
    assert moved["main_equipment_id"] == a["id"]
    assert (await made(await client.get(f"{URL}/{a['id']}", headers=acme.headers))
            )["sub_equipment_ids"] == [b["id"], c["id"]]
    cleared = await made(await patch(client, acme, f"{URL}/{c['id']}", {"main_equipment_id": 0}))
    assert cleared["main_equipment_id"] is None
    # A new record may start under a main.
    d = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "D",
                                                  "main_equipment_id": b["id"]}))
    assert d["main_equipment_id"] == b["id"]


async def test_main_equipment_of_another_company_is_refused(client, acme, other):
    theirs = await made(await post(client, other, URL, {
        "item_id": await item(client, other, "unique"), "serial_number": "T"}))
    mine = await made(await post(client, acme, URL, {
        "item_id": await item(client, acme, "unique"), "serial_number": "M"}))
    assert rule(await patch(client, acme, f"{URL}/{mine['id']}",
                            {"main_equipment_id": theirs["id"]}), "30")[0][0] == [
        "main_equipment_id"]


async def test_delete_is_refused_while_something_names_it(client, acme):
    unique = await item(client, acme, "unique")
    main = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "A"}))
    sub = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "B",
                                                    "main_equipment_id": main["id"]}))
    response = await client.delete(f"{URL}/{main['id']}", headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3", response.text
    assert "sub equipment" in response.json()["reason"]
    # Named by a work order.
    order = await made(await post(client, acme, "/v1/work-orders",
                                  {"equipment_ids": [sub["id"]]}))
    response = await client.delete(f"{URL}/{sub['id']}", headers=acme.headers)
    assert response.status_code == 422 and "work orders" in response.json()["reason"]
    await made(await patch(client, acme, f"/v1/work-orders/{order['id']}",
                           {"equipment_ids": []}))
    await made(await client.delete(f"{URL}/{sub['id']}", headers=acme.headers))
    await made(await client.delete(f"{URL}/{main['id']}", headers=acme.headers))


async def test_return_a_unique_unit(client, acme):
    unique = await item(client, acme, "unique")
    owner = await customer(client, acme)
    unit = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                                     "customer_id": owner}))
    back = await made(await post(client, acme, f"{URL}/{unit['id']}/return"))
    [main] = (await client.get("/v1/warehouses", headers=acme.headers)).json()
    assert (back["status"], back["warehouse_id"], back["customer_id"]) == (
        "in_stock", main["id"], None)
    assert await on_hand(client, acme, unique) == 1
    [movement] = await movements(client, acme, item_id=unique)
    assert (movement["type"], movement["quantity"], movement["serial_numbers"],
            movement["equipment_id"], movement["warehouse_id"]) == (
        "return", 1, ["A"], unit["id"], main["id"])
    # Not at a customer any more.
    assert rule(await post(client, acme, f"{URL}/{unit['id']}/return"), "30") == [
        (["status"], "The equipment is not at a customer.")]
    assert rule(await post(client, acme, f"{URL}/{unit['id']}/return", None, NB), "30") == [
        (["status"], "Utstyret er ikke hos en kunde.")]
    # In stock now: the ledger takes it out, a delete cannot.
    response = await client.delete(f"{URL}/{unit['id']}", headers=acme.headers)
    assert response.status_code == 422 and "in stock" in response.json()["reason"]


async def test_return_into_a_chosen_warehouse(client, acme, other):
    unique = await item(client, acme, "unique")
    store = await made(await post(client, acme, "/v1/warehouses", {"code": "VAN"}))
    theirs = await made(await post(client, other, "/v1/warehouses", {"code": "THEIRS"}))
    unit = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "A"}))
    assert rule(await post(client, acme, f"{URL}/{unit['id']}/return",
                           {"warehouse_id": theirs["id"]}), "30") == [
        (["warehouse_id"], "Invalid Warehouse Id")]
    assert (await made(await client.get(f"{URL}/{unit['id']}", headers=acme.headers))
            )["status"] == "at_customer"
    back = await made(await post(client, acme, f"{URL}/{unit['id']}/return",
                                 {"warehouse_id": store["id"]}))
    assert (back["status"], back["warehouse_id"]) == ("in_stock", store["id"])
    assert await on_hand(client, acme, unique, store["id"]) == 1


async def test_return_by_kind(client, acme):
    goods, stuff = await item(client, acme, "stock_goods"), await item(client, acme, "consumable")
    owner = await customer(client, acme)
    crate = await made(await post(client, acme, URL, {"item_id": goods, "quantity": 3,
                                                      "customer_id": owner}))
    back = await made(await post(client, acme, f"{URL}/{crate['id']}/return"))
    assert (back["status"], back["warehouse_id"], back["customer_id"]) == (
        "returned", None, None)
    assert await on_hand(client, acme, goods) == 3
    # Named by its return movement: cannot be deleted.
    response = await client.delete(f"{URL}/{crate['id']}", headers=acme.headers)
    assert response.status_code == 422 and response.json()["code"] == "3"
    assert "stock movements" in response.json()["reason"]
    oil = await made(await post(client, acme, URL, {"item_id": stuff, "quantity": 2.5,
                                                    "customer_id": owner}))
    assert rule(await post(client, acme, f"{URL}/{oil['id']}/return"), "30") == [
        (["kind"], "Equipment of kind 'consumable' cannot be returned.")]
    assert rule(await post(client, acme, f"{URL}/{oil['id']}/return", None, NB), "30") == [
        (["kind"], "Utstyr av typen 'consumable' kan ikke returneres.")]
    assert await movements(client, acme, item_id=stuff) == []


async def test_return_of_another_companys_equipment_is_404(client, acme, other):
    theirs = await made(await post(client, other, URL, {
        "item_id": await item(client, other, "unique"), "serial_number": "T"}))
    response = await post(client, acme, f"{URL}/{theirs['id']}/return")
    assert response.status_code == 404 and response.json()["code"] == "2"
    assert (await client.post(f"{URL}/{theirs['id']}/return")).status_code == 401
    assert (await made(await client.get(f"{URL}/{theirs['id']}", headers=other.headers))
            )["status"] == "at_customer"


async def test_customer_by_external_id(client, acme):
    owner = await customer(client, acme)
    await made(await post(client, acme, "/v1/company-links", {
        "link_type": "customer", "external_id": "CRM-1", "customer_id": owner}))
    unique = await item(client, acme, "unique")
    unit = await made(await post(client, acme, URL, {"item_id": unique, "serial_number": "A",
                                                     "customer_external_id": "CRM-1"}))
    assert unit["customer_id"] == owner
    assert rule(await post(client, acme, URL, {"item_id": unique, "serial_number": "B",
                                               "customer_external_id": "NOPE"}), "30") == [
        (["customer_external_id"], "No customer link with external id 'NOPE'.")]
