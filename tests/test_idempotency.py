"""Idempotency keys on every POST: a retry after a lost answer does the work once."""

from __future__ import annotations

import asyncio
from uuid import uuid4


def keyed(tenant, key: str) -> dict[str, str]:
    return {**tenant.headers, "Idempotency-Key": key}


async def count(client, tenant, url: str, **params) -> int:
    response = await client.get(url, params={**params, "per_page": 500}, headers=tenant.headers)
    return len(response.json())


async def test_a_replay_answers_the_stored_response_without_doing_the_work(client, acme):
    key = str(uuid4())
    body = {"company_name": "Once Only AS", "contacts": [{"first_name": "Kari"}]}
    first = await client.post("/v1/customers", json=body, headers=keyed(acme, key))
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = await client.post("/v1/customers", json=body, headers=keyed(acme, key))
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    for name in ("location", "etag", "content-type"):
        assert again.headers[name] == first.headers[name]
    assert await count(client, acme, "/v1/customers", company_name="Once Only AS") == 1


async def test_the_same_key_with_another_body_is_409(client, acme):
    key = str(uuid4())
    first = await client.post("/v1/suppliers", json={"company_name": "A"},
                              headers=keyed(acme, key))
    assert first.status_code == 200
    other = await client.post("/v1/suppliers", json={"company_name": "B"},
                              headers=keyed(acme, key))
    assert other.status_code == 409 and other.json()["code"] == "7"
    elsewhere = await client.post("/v1/customers", json={"company_name": "A"},
                                  headers=keyed(acme, key))
    assert elsewhere.status_code == 409
    assert await count(client, acme, "/v1/suppliers", company_name="B") == 0


async def test_keys_belong_to_one_credential(client, acme, other):
    key = str(uuid4())
    mine = await client.post("/v1/suppliers", json={"company_name": "Mine"},
                             headers=keyed(acme, key))
    theirs = await client.post("/v1/suppliers", json={"company_name": "Mine"},
                               headers=keyed(other, key))
    assert theirs.status_code == 200 and "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_failed_attempt_releases_its_key(client, acme):
    key = str(uuid4())
    item = {"number": f"IDEM-{key[:6]}", "name": "Pump", "supplier_id": 2**40}
    failed = await client.post("/v1/items", json=item, headers=keyed(acme, key))
    assert failed.status_code == 422
    supplier = await client.post("/v1/suppliers", json={"company_name": "S"},
                                 headers=acme.headers)
    fixed = {**item, "supplier_id": supplier.json()["id"]}
    # The first request failed and was not stored: the key is free for the fixed body.
    retried = await client.post("/v1/items", json=fixed, headers=keyed(acme, key))
    assert retried.status_code == 200, retried.text
    assert "idempotent-replayed" not in retried.headers


async def test_concurrent_replays_do_the_work_once(client, acme):
    key = str(uuid4())
    body = {"company_name": "Raced AS"}
    responses = await asyncio.gather(*(
        client.post("/v1/customers", json=body, headers=keyed(acme, key)) for _ in range(10)
    ))
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 409} and 200 in codes, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "7"
    assert len({r.json()["id"] for r in responses if r.status_code == 200}) == 1
    assert await count(client, acme, "/v1/customers", company_name="Raced AS") == 1


async def test_a_bad_key_is_400(client, acme):
    for bad in (b"", b"x" * 256, b"with space", "ünicode".encode()):
        response = await client.post("/v1/suppliers", json={"company_name": "K"},
                                     headers={**acme.headers, "Idempotency-Key": bad})
        assert response.status_code == 400, bad
        assert "Idempotency-Key" in response.json()["errors"]
