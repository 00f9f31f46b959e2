"""A failed request leaves no partial write behind (one commit point per request)."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from workledger.app import create_app
from workledger.kit.session import Session, TransactionalRoute
from workledger.models import Supplier


async def test_failure_after_a_flush_rolls_back_everything(settings, acme):
    """An endpoint that writes, flushes, then fails: nothing it wrote is kept."""
    app = create_app(settings)
    router = APIRouter(route_class=TransactionalRoute)

    @router.post("/v1/half-write")
    async def half_write(session: Session) -> None:
        session.add(Supplier(company_id=acme.id, company_name="half written"))
        await session.flush()
        raise RuntimeError("failure after the flush")

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.post("/v1/half-write")
        assert response.status_code == 500
        listing = await c.get("/v1/suppliers?company_name=half%20written", headers=acme.headers)
    await app.state.database.dispose()
    assert listing.json() == []


async def test_rejected_update_changes_nothing(client, acme):
    created = await client.post(
        "/v1/customers",
        json={"company_name": "Stable", "contacts": [{"first_name": "A"}, {"first_name": "B"}]},
        headers=acme.headers,
    )
    before = created.json()
    # Valid scalar change + contact removal, then an invalid contact id: all or nothing.
    response = await client.put(
        f"/v1/customers/{before['id']}",
        json={"company_name": "Changed", "contacts": [{"id": before["contacts"][0]["id"]},
                                                       {"id": 987654321}]},
        headers=acme.headers,
    )
    assert response.status_code == 400
    after = await client.get(f"/v1/customers/{before['id']}", headers=acme.headers)
    assert after.json() == before


async def test_failed_business_rule_changes_nothing(client, acme):
    item = (await client.post("/v1/items", json={"number": "T1", "name": "One"},
                              headers=acme.headers)).json()
    response = await client.patch(
        f"/v1/items/{item['id']}", json={"name": "Renamed", "supplier_id": 123456789},
        headers=acme.headers,
    )
    assert response.status_code == 422
    after = await client.get(f"/v1/items/{item['id']}", headers=acme.headers)
    assert after.json() == item
