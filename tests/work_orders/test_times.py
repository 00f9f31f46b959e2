"""Times of day are local wall-clock times: HH:MM[:SS] in and HH:MM:SS out, without an
offset, and the OpenAPI document says so (a `format: time` would demand an offset)."""

from __future__ import annotations

import pytest

from workledger.kit.types import TIME_PATTERN


async def test_times_of_day_round_trip_without_an_offset(client, acme):
    response = await client.post("/v1/work-orders", headers=acme.headers, json={
        "planned_time": "08:30", "planned_date": "2026-12-01"})
    assert response.status_code == 200, response.text
    assert response.json()["planned_time"] == "08:30:00"
    midnight = await client.patch(f"/v1/work-orders/{response.json()['id']}",
                                  headers=acme.headers, json={"planned_time": "00:00:00"})
    assert midnight.json()["planned_time"] == "00:00:00"


@pytest.mark.parametrize("value", ["08:30:00+01:00", "08:30Z", "8:30", "24:00", "08:30:00.5",
                                   830, "T08:30"])
async def test_a_time_with_an_offset_or_another_shape_is_a_400(client, acme, value):
    response = await client.post("/v1/work-orders", headers=acme.headers,
                                 json={"planned_time": value})
    assert response.status_code == 400, response.text
    assert "planned_time" in response.json()["errors"]


async def test_the_document_describes_the_time_shape(client):
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    planned = schemas["WorkOrder"]["properties"]["planned_time"]["anyOf"][0]
    assert planned == {"type": "string", "pattern": TIME_PATTERN, "examples": ["08:30:00"]}
    assert "format" not in planned
