"""Every declared resource against the API contract, from one test case per resource
(see :mod:`tests.contract`). A new resource adds its :class:`Case` to ``CASES``; a
declared resource without a case fails ``test_every_declared_resource_has_a_case``."""

from __future__ import annotations

import pytest

from tests import factories
from tests.contract import Api, Case, excluding_value, filter_value, sort_key
from tests.kit.example import EXAMPLE_LINES, EXAMPLE_ORDERS
from workledger.customers.endpoints import CUSTOMERS
from workledger.employees.endpoints import EMPLOYEES
from workledger.equipment.endpoints import EQUIPMENT  # issue 8: equipment
from workledger.invoice_charges.endpoints import INVOICE_CHARGES, ORDER_INVOICE_CHARGES
from workledger.invoices.endpoints import INVOICES
from workledger.items.endpoints import ITEMS
from workledger.kit.db import Base
from workledger.kit.resource import REGISTRY
from workledger.links.endpoints import COMPANY_LINKS, CONTACT_LINKS
from workledger.orders.endpoints import DELIVERIES, ORDER_LINES, ORDERS  # issue 8: orders
from workledger.purchase_orders.endpoints import PURCHASE_ORDERS  # issue 8
from workledger.stock.endpoints import STOCK, STOCK_MOVEMENTS  # issue 8: stock
from workledger.suppliers.endpoints import SUPPLIERS
from workledger.warehouses.endpoints import WAREHOUSES
from workledger.work_orders.endpoints import WORK_ORDERS  # issue 8: equipment
from workledger.workflows.endpoints import WORKFLOWS

PROBLEM = "application/problem+json"


async def example_order(api: Api) -> str:
    order = await api.create("/v1/example-orders", {"name": "Parent"})
    return f"/v1/example-orders/{order['id']}"


async def example_order_body(api: Api, n: int) -> dict:
    item = await api.create("/v1/items", await factories.item(api, 300 + n))
    return {"name": f"Order {n:03d}", "import_id": f"order-{n:03d}",
            "lines": [{"item_id": item["id"], "supplier_id": item["supplier_id"], "quantity": n}]}


async def example_line_body(api: Api, n: int) -> dict:
    item = await api.create("/v1/items", await factories.item(api, 400 + n))
    return {"item_id": item["id"], "supplier_id": item["supplier_id"], "quantity": n,
            "description": f"Line {n:03d}"}


CASES = [
    Case(CUSTOMERS, factories.customer,
         update={"comment": "changed", "contacts": [{"first_name": "Only"}]}),
    Case(SUPPLIERS, factories.supplier, update={"company_name": "Renamed"}),
    Case(ITEMS, factories.item, update={"name": "Renamed", "sales_price": 99.5}),
    Case(INVOICES, factories.invoice),
    Case(COMPANY_LINKS, factories.company_link, update={"external_id": "EXT-RENAMED"}),
    Case(CONTACT_LINKS, factories.contact_link, update={"external_id": "CONTACT-RENAMED"}),
    Case(WORKFLOWS, factories.workflow, rows=2,
         update={"statuses": [{"names": {"1": "Only", "0": "Eneste"}, "is_final": True}]}),
    Case(EMPLOYEES, factories.employee, update={"last_name": "Renamed", "active": False}),
    Case(WAREHOUSES, factories.warehouse, update={"name": "Renamed"}),
    Case(EXAMPLE_ORDERS, example_order_body, update={"name": "Renamed"}, app="example"),
    Case(EXAMPLE_LINES, example_line_body, update={"quantity": 7}, parent=example_order,
         app="example"),
    # -- stock and purchase orders (issue 8) --
    Case(STOCK, factories.stock),
    Case(STOCK_MOVEMENTS, factories.stock_movement,
         unfilled=("order_line_id", "purchase_order_line_id", "work_order_id", "equipment_id")),
    Case(PURCHASE_ORDERS, factories.purchase_order,
         update={"reference": "changed", "expected_date": "2027-01-31"}),
    # -- end of stock and purchase orders --
    # -- orders (issue 8) --
    Case(ORDERS, factories.order, update={"reference": "changed", "source": "phone",
                                          "delivery_date": "2027-01-31"}),
    Case(ORDER_LINES, factories.order_line, parent=factories.order_url,
         update={"quantity": 7, "description": "changed"}),
    Case(DELIVERIES, factories.delivery, parent=factories.delivered_order_url),
    # -- end of orders --
    # -- equipment and work orders (issue 8) --
    Case(EQUIPMENT, factories.equipment, unfilled=("warehouse_id", "order_line_id",
                                                              "main_equipment_id"),
         update={"status": "sold", "properties": {"colour": "red"}}),
    Case(WORK_ORDERS, factories.work_order, unfilled=("order_id", "handled_at"),
         update={"description": "changed", "status": "fetched", "work_periods": []}),
    # -- end of equipment and work orders --
    # -- invoice charges (issue 9) --
    Case(INVOICE_CHARGES, factories.invoice_charge,
         update={"title": "changed", "quantity": 7, "comment": "changed"}),
    Case(ORDER_INVOICE_CHARGES, factories.order_invoice_charge, parent=factories.order_url,
         update={"title": "changed", "price": 9.5, "action_date": "2027-01-31"}),
    # -- end of invoice charges --
]
CASE_IDS = [case.name for case in CASES]


def cases_where(keep) -> dict:
    """Parametrize a check over the cases it applies to (never a skip that could hide a
    case that stopped applying by mistake: each list has a floor, asserted below)."""
    chosen = [case for case in CASES if keep(case)]
    return {"argnames": "case", "argvalues": chosen, "ids": [case.name for case in chosen]}


def _takes_import_id(case: Case) -> bool:
    create = case.resource.create
    return create is not None and "import_id" in create.model_fields


def _refers(case: Case) -> bool:
    return case.creatable and bool(case.resource.references or any(
        lf.references for lf in case.resource.list_fields))


IMPORT_ID_CASES = cases_where(_takes_import_id)
BULK_CASES = cases_where(lambda case: "bulk_delete" in case.resource.operations)
REFERENCE_CASES = cases_where(_refers)


def test_the_selective_checks_apply_to_enough_resources():
    assert len(IMPORT_ID_CASES["argvalues"]) >= 6
    assert len(BULK_CASES["argvalues"]) >= 7
    assert len(REFERENCE_CASES["argvalues"]) >= 3


def test_every_declared_resource_has_a_case():
    served = {r.names.plural for r in REGISTRY if r.model.__table__.metadata is Base.metadata}
    assert len(served) >= 4, "the registry lost Workledger's resources"
    assert served <= {case.name for case in CASES}, "add a Case for each resource"


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request) -> Case:
    return request.param


@pytest.fixture
async def apis(case, client, example_client, app, make_tenant):
    """Two tenants' views (mine, theirs) of the app that serves ``case``."""
    chosen = example_client if case.app == "example" else client
    mine, theirs = await make_tenant(), await make_tenant()
    database = app.state.database
    mine_api, theirs_api = Api(chosen, mine, database), Api(chosen, theirs, database)
    mine_api.database_settings = app.state.settings
    return mine_api, theirs_api


# -- create, read, update, delete --------------------------------------------------------


async def test_create_read_update_delete(case, apis):
    api, _ = apis
    if not case.creatable:
        made = await case.make(api, 1)
        collection = await case.collection(api)
        element = f"{collection}/{made['id']}"
        assert await api.read(element) == made
        updatable = "update" in case.resource.operations
        for method in ("POST", "DELETE") if updatable else ("POST", "PUT", "PATCH", "DELETE"):
            url = collection if method == "POST" else element
            response = await api.client.request(method, url, json={}, headers=api.headers)
            assert response.status_code == 405, (method, url)
        for method in ("PATCH", "PUT") if updatable else ():
            response = await api.client.request(method, element, json=case.update,
                                                 headers=api.headers)
            assert response.status_code == 200, (method, response.text)
            assert_updated(response.json(), case.update, method)
            assert await api.read(element) == response.json()
        return
    collection = await case.collection(api)
    body = await case.factory(api, 1)
    response = await api.client.post(collection, json=body, headers=api.headers)
    assert response.status_code == 200, response.text
    created = response.json()
    public = api.database_settings.public_url.rstrip("/")
    assert response.headers["location"] == f"{public}{collection}/{created['id']}"
    for name, value in body.items():
        if not isinstance(value, list | dict) and name in created:
            assert created[name] == value, name
    element = f"{collection}/{created['id']}"
    assert await api.read(element) == created
    if "update" not in case.resource.operations:  # an append-only ledger
        assert "delete" not in case.resource.operations
        for method in ("PUT", "PATCH", "DELETE"):
            response = await api.client.request(method, element, json=case.update,
                                                 headers=api.headers)
            assert response.status_code == 405, (method, response.text)
        response = await api.client.delete(f"{collection}?ids={created['id']}",
                                           headers=api.headers)
        assert response.status_code == 405, response.text
        assert await api.read(element) == created
        return

    for method in ("PATCH", "PUT"):
        response = await api.client.request(method, element, json=case.update,
                                             headers=api.headers)
        assert response.status_code == 200, (method, response.text)
        updated = response.json()
        assert_updated(updated, case.update, method)
        untouched = set(body) - set(case.update) - {"contacts", "lines"}
        assert {k: updated[k] for k in untouched} == {k: created[k] for k in untouched}

    listed = await api.read(collection, id=created["id"])
    assert [o["id"] for o in listed] == [created["id"]]

    response = await api.client.delete(element, headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == created["id"]
    gone = await api.client.get(element, headers=api.headers)
    assert gone.status_code == 404 and gone.json()["code"] == "2"


def assert_updated(updated: dict, update: dict, method: str) -> None:
    for name, value in update.items():
        if isinstance(value, list):  # a list sent becomes the whole list
            assert len(updated[name]) == len(value), (method, name)
        else:
            assert updated[name] == value, (method, name)


# -- listing -----------------------------------------------------------------------------


async def test_every_declared_filter(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    made = [await case.make(api, n, collection) for n in case.numbers(1, 2, 3)]
    filters = case.resource.spec.filters
    assert filters, f"{case.name} declares no filter"
    checked = 0
    for name in filters:
        if name in case.unfilled:
            continue
        # A member only some objects have (a company link names a customer or a supplier)
        # is checked on the first that has it.
        chosen = next((o for o in made if o.get(name) is not None), None)
        assert chosen is not None, f"the {case.name} factory leaves filter {name} empty"
        value = chosen[name]
        found = await api.read(collection, **{name: filter_value(value), "per_page": 500})
        ids = {o["id"] for o in found}
        assert chosen["id"] in ids, (name, value)
        for other in made:
            if other.get(name) != value:
                assert other["id"] not in ids, (name, value)
        excluded = await api.read(collection, **{name: excluding_value(value), "per_page": 500})
        assert chosen["id"] not in {o["id"] for o in excluded}, name
        checked += 1
    assert set(case.unfilled) <= set(filters)
    assert checked == len(filters) - len(case.unfilled)


async def test_every_declared_sort(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    made = [await case.make(api, n, collection) for n in case.numbers(3, 1, 2)]
    mine = {o["id"] for o in made}
    sorts = case.resource.spec.sorts
    assert sorts, f"{case.name} declares no sort"
    for name in sorts:
        for descending in (False, True):
            listed = await api.read(collection, sort=f"{'-' if descending else ''}{name}",
                                    per_page=500)
            got = [o["id"] for o in listed if o["id"] in mine]
            # Ties keep the default secondary order, id ascending.
            expected = sorted(made, key=lambda o: o["id"])
            expected = sorted(expected, key=lambda o: sort_key(o[name]), reverse=descending)
            if descending:  # a stable reverse would reverse the ties too
                expected = sorted(made, key=lambda o: (_negate(sort_key(o[name])), o["id"]))
            assert got == [o["id"] for o in expected], (name, descending)


def _negate(value):
    class Reversed:
        def __init__(self, v):
            self.v = v

        def __lt__(self, other):
            return self.v > other.v

        def __eq__(self, other):
            return self.v == other.v

    return Reversed(value)


async def test_unknown_filter_and_sort_are_400(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    for query, parameter in (("bogus=1", "bogus"), ("sort=bogus", "sort")):
        response = await api.client.get(f"{collection}?{query}", headers=api.headers)
        assert response.status_code == 400, query
        assert parameter in response.json()["errors"]


# -- import_id, bulk delete ----------------------------------------------------------------


@pytest.mark.parametrize(**IMPORT_ID_CASES)
async def test_import_id_upsert(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    body = await case.factory(api, 5)
    first = await api.create(collection, {**body, "import_id": "sync-1"})
    again = await api.create(collection, {**case.update, "import_id": "sync-1"})
    assert again["id"] == first["id"]
    for name, value in case.update.items():
        if not isinstance(value, list):
            assert again[name] == value
    assert len(await api.read(collection, import_id="sync-1")) == 1


@pytest.mark.parametrize(**BULK_CASES)
async def test_bulk_delete(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    before = await api.read(collection)  # what a company has from the start stays
    made = [await case.make(api, n, collection) for n in (1, 2)]
    missing = 2**62
    ids = ",".join(str(i) for i in [made[0]["id"], missing, made[1]["id"]])
    response = await api.client.delete(f"{collection}?ids={ids}", headers=api.headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["success_count"] == 2 and result["error_count"] == 1
    assert {o["id"] for o in result["successes"]} == {o["id"] for o in made}
    assert result["errors"][0]["id"] == missing
    assert result["errors"][0]["error"]["status"] == 404
    assert await api.read(f"{collection}") == before


# -- credentials and tenancy ---------------------------------------------------------------


def operations(case: Case, collection: str, object_id: int) -> list[tuple[str, str]]:
    element = f"{collection}/{object_id}"
    ops = case.resource.operations
    calls = []
    if "list" in ops:
        calls.append(("GET", collection))
    if "get" in ops:
        calls.append(("GET", element))
    if "create" in ops:
        calls.append(("POST", collection))
    if "update" in ops:
        calls += [("PUT", element), ("PATCH", element)]
    if "delete" in ops:
        calls.append(("DELETE", element))
    if "bulk_delete" in ops:
        calls.append(("DELETE", f"{collection}?ids={object_id}"))
    calls += [("POST", f"{element}/{action.verb}") for action in case.resource.actions]
    return calls


async def test_every_operation_without_a_credential_is_401(case, apis):
    api, _ = apis
    collection = await case.collection(api)
    made = await case.make(api, 1, collection)
    calls = operations(case, collection, made["id"])
    assert len(calls) >= 2
    for method, url in calls:
        response = await api.client.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.text)
        assert response.json()["code"] == "1"


async def test_another_companys_ids_are_not_found(case, apis):
    api, theirs = apis
    their_collection = await case.collection(theirs)
    their_object = await case.make(theirs, 1, their_collection)
    before = await theirs.read(f"{their_collection}/{their_object['id']}")
    my_collection = await case.collection(api)
    await case.make(api, 2, my_collection)
    body = case.update or {"name": "mine now"}

    # Their id under my collection (and, nested, their parent's path with my credential).
    paths = {my_collection, their_collection} if case.parent else {my_collection}
    for collection in paths:
        foreign_parent = collection != my_collection
        for method, url in operations(case, collection, their_object["id"]):
            if method == "POST" and url == collection and not foreign_parent:
                continue  # a create names no existing id; references are checked below
            response = await api.client.request(method, url, json=body, headers=api.headers)
            if method == "DELETE" and "?ids=" in url:
                if foreign_parent:
                    assert response.status_code == 404, url
                    continue
                result = response.json()
                assert result["success_count"] == 0, url
                assert result["errors"][0]["error"]["status"] == 404
            elif method == "GET" and url == collection:
                if foreign_parent:
                    assert response.status_code == 404, url
                else:
                    found = await api.read(collection, id=their_object["id"])
                    assert found == [], url
            else:
                assert response.status_code == 404, (method, url, response.text)
                assert response.json()["code"] == "2"
    assert await theirs.read(f"{their_collection}/{their_object['id']}") == before


@pytest.mark.parametrize(**REFERENCE_CASES)
async def test_references_to_another_companys_rows_are_refused(case, apis):
    api, theirs = apis
    references = [(ref.member, ref.model, "") for ref in case.resource.references]
    references += [(ref.member, ref.model, f"{lf.member}[0].")
                   for lf in case.resource.list_fields for ref in lf.references]
    collection = await case.collection(api)
    for member, _model, prefix in references:
        # The first n whose body names the member (a company link names a customer or
        # a supplier, by its type), theirs and mine alike.
        for n in range(1, 5):
            their_body = await case.factory(theirs, n)
            if member in (their_body[prefix.split("[")[0]][0] if prefix else their_body):
                break
        else:
            raise AssertionError(f"the {case.name} factory never names {member}")
        body = await case.factory(api, n)
        if prefix:
            list_member = prefix.split("[")[0]
            their_value = their_body[list_member][0][member]
            body[list_member][0][member] = their_value
        else:
            their_value = their_body[member]
            body[member] = their_value
        response = await api.client.post(collection, json=body, headers=api.headers)
        assert response.status_code == 422, (member, response.text)
        problem = response.json()
        assert problem["code"] == "30"
        assert [v["memberNames"] for v in problem["violations"]] == [[f"{prefix}{member}"]]
        found = await api.read(collection)
        assert all(o.get(member) != their_value for o in found)


# -- the OpenAPI document --------------------------------------------------------------------


@pytest.fixture(scope="module")
async def documents(client, example_client):
    return {"app": (await client.get("/openapi.json")).json(),
            "example": (await example_client.get("/openapi.json")).json()}


async def test_the_openapi_document_matches_the_declaration(case, documents):
    spec = documents[case.app]
    resource = case.resource
    collection, element = f"/v1{resource.collection_path}", f"/v1{resource.element_path}"
    expected = {
        "list": ("get", collection), "get": ("get", element), "create": ("post", collection),
        "update": ("patch", element), "delete": ("delete", element),
        "bulk_delete": ("delete", collection),
    }
    for operation in resource.operations:
        method, path = expected[operation]
        assert method in spec["paths"].get(path, {}), (operation, path)
    for operation in set(expected) - set(resource.operations):
        method, path = expected[operation]
        assert method not in spec["paths"].get(path, {}), f"{operation} is not declared"
    listing = spec["paths"][collection]["get"]
    parameters = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert set(resource.spec.filters) <= parameters
    sort = next(p for p in listing["parameters"] if p["name"] == "sort")
    for name in resource.spec.sorts:
        assert name in sort["description"]
    writes = [spec["paths"][path][method] for op, (method, path) in expected.items()
              if op in resource.operations and op not in ("list", "get")]
    for operation in writes:
        assert "422" in operation["responses"], operation["operationId"]
    for action in resource.actions:
        assert "post" in spec["paths"][f"{element}/{action.verb}"]
