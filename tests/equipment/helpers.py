"""Helpers of the equipment and work-order tests: make things as a caller does, read
rule answers."""

from __future__ import annotations

from typing import Any

NB = "?language_code=0"  # Norwegian (DESIGN §4.8)


async def item(client, tenant, kind="stock_goods", number=None, **extra) -> int:
    number = number or f"{kind}-item"
    response = await client.post("/v1/items", json={"number": number, "name": f"Name {number}",
                                                    "kind": kind, **extra},
                                 headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def customer(client, tenant, name="Customer A") -> int:
    response = await client.post("/v1/customers", json={"company_name": name},
                                 headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def post(client, tenant, url: str, body: Any = None, query: str = ""):
    return await client.post(f"{url}{query}", json=body, headers=tenant.headers)


async def patch(client, tenant, url: str, body: Any, query: str = ""):
    return await client.patch(f"{url}{query}", json=body, headers=tenant.headers)


async def made(response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


async def adjust(client, tenant, item_id: int, quantity, serials=(), warehouse_id=None):
    body = {"item_id": item_id, "quantity": quantity}
    if serials:
        body["serial_numbers"] = list(serials)
    if warehouse_id:
        body["warehouse_id"] = warehouse_id
    return await made(await client.post("/v1/stock-movements", json=body,
                                        headers=tenant.headers))


async def on_hand(client, tenant, item_id: int, warehouse_id: int | None = None):
    params = {"item_id": item_id}
    if warehouse_id:
        params["warehouse_id"] = warehouse_id
    found = (await client.get("/v1/stock", params=params, headers=tenant.headers)).json()
    return sum(level["on_hand"] for level in found)


async def movements(client, tenant, **params) -> list[dict[str, Any]]:
    return (await client.get("/v1/stock-movements", params={**params, "per_page": 500},
                             headers=tenant.headers)).json()


def rule(response, code: str) -> list[tuple[list[str], str]]:
    """``[(memberNames, errorMessage)]`` of a 422 with ``code``."""
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code, problem
    return [(v["memberNames"], v["errorMessage"]) for v in problem["violations"]]


def invalid(response) -> set[str]:
    """The members a 400 validation problem names."""
    assert response.status_code == 400, response.text
    return set(response.json()["errors"])
