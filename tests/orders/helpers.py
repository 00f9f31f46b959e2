"""Test data for orders: a customer (with a customer link and a contact link), items of
every kind, and stock received with adjustments through /v1/stock-movements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from workledger.models import Equipment, WorkOrder

ORDERS = "/v1/orders"


async def make(client, tenant, url, body) -> dict:
    response = await client.post(url, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def world(client, tenant) -> dict[str, Any]:
    customer = await make(client, tenant, "/v1/customers", {
        "company_name": "Buyer AS", "contacts": [{"first_name": "Kari"}]})
    stranger = await make(client, tenant, "/v1/customers", {
        "company_name": "Other AS", "contacts": [{"first_name": "Ola"}]})
    await make(client, tenant, "/v1/company-links", {
        "link_type": "customer", "external_id": "EXT-C", "customer_id": customer["id"]})
    await make(client, tenant, "/v1/contact-links", {
        "external_id": "EXT-K", "contact_id": customer["contacts"][0]["id"]})
    goods = await make(client, tenant, "/v1/items", {
        "number": "BOLT", "name": "Bolt", "kind": "stock_goods", "sales_price": 2.5,
        "tax_rate": 25})
    oil = await make(client, tenant, "/v1/items", {
        "number": "OIL", "name": "Oil", "kind": "consumable", "sales_price": 10,
        "tax_rate": 15})
    pump = await make(client, tenant, "/v1/items", {
        "number": "PUMP", "name": "Pump", "kind": "unique", "sales_price": 300,
        "tax_rate": 25})
    part = await make(client, tenant, "/v1/items", {
        "number": "PART", "name": "Part", "kind": "part", "sales_price": 7})
    [main] = (await client.get("/v1/warehouses", headers=tenant.headers)).json()
    return {"customer": customer["id"], "contact": customer["contacts"][0]["id"],
            "stranger": stranger["id"], "stranger_contact": stranger["contacts"][0]["id"],
            "goods": goods["id"], "oil": oil["id"], "pump": pump["id"], "part": part["id"],
            "main": main["id"]}


async def receive(client, tenant, item_id: int, quantity, serials=(), warehouse_id=None):
    body = {"item_id": item_id, "quantity": quantity, "type": "adjustment"}
    if serials:
        body["serial_numbers"] = list(serials)
    if warehouse_id is not None:
        body["warehouse_id"] = warehouse_id
    return await make(client, tenant, "/v1/stock-movements", body)


async def stock_levels(client, tenant) -> list[dict]:
    found = (await client.get("/v1/stock", params={"per_page": 500},
                              headers=tenant.headers)).json()
    return [{k: v for k, v in level.items() if k != "updated_at"} for level in found]


async def equipment_rows(app, tenant) -> list[tuple]:
    async with app.state.database.session() as session:
        rows = (await session.scalars(select(Equipment).where(
            Equipment.company_id == tenant.id).order_by(Equipment.id))).all()
        return [(r.id, r.item_id, r.serial_number, r.quantity, r.status, r.warehouse_id,
                 r.customer_id, r.order_line_id, r.main_equipment_id, r.properties)
                for r in rows]


async def work_order_rows(app, tenant) -> list[tuple]:
    async with app.state.database.session() as session:
        rows = (await session.scalars(select(WorkOrder).where(
            WorkOrder.company_id == tenant.id).order_by(WorkOrder.id))).all()
        return [(r.id, r.kind, r.order_id, r.customer_id, r.form) for r in rows]


def rule(response, code: str) -> list[tuple[list[str], str]]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code, problem
    return [(v["memberNames"], v["errorMessage"]) for v in problem["violations"]]
