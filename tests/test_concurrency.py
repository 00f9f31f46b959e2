"""Concurrent writers never fail because another request is running, and leave exactly
one of the outcomes the contract allows — on SQLite (writers queue for the write lock)
and on PostgreSQL (row locks on the aggregate's root, an advisory lock per import_id)."""

from __future__ import annotations

import asyncio

WRITERS = 20


async def together(*calls):
    return await asyncio.gather(*calls)


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


async def test_concurrent_creates_all_succeed(client, acme):
    responses = await together(*(
        client.post("/v1/suppliers", json={"company_name": f"Parallel {n:02d}"},
                    headers=acme.headers) for n in range(WRITERS)
    ))
    assert statuses(responses) == [200] * WRITERS, [r.text for r in responses]
    listed = await client.get("/v1/suppliers?per_page=100", headers=acme.headers)
    assert len(listed.json()) == WRITERS


async def test_concurrent_list_replacements_leave_one_list(client, acme):
    made = await client.post("/v1/customers", json={"company_name": "Shared"},
                             headers=acme.headers)
    url = f"/v1/customers/{made.json()['id']}"
    responses = await together(*(
        client.patch(url, json={"contacts": [{"first_name": f"only-{n:02d}"}]},
                     headers=acme.headers) for n in range(WRITERS)
    ))
    assert statuses(responses) == [200] * WRITERS, [r.text for r in responses]
    contacts = (await client.get(url, headers=acme.headers)).json()["contacts"]
    # The last writer's list is the whole list: one contact, one of the names sent.
    assert len(contacts) == 1, contacts
    assert contacts[0]["first_name"].startswith("only-")


async def test_concurrent_deletes_of_one_object_succeed_once(client, acme):
    made = await client.post("/v1/suppliers", json={"company_name": "Doomed"},
                             headers=acme.headers)
    url = f"/v1/suppliers/{made.json()['id']}"
    responses = await together(*(client.delete(url, headers=acme.headers)
                                 for _ in range(WRITERS)))
    assert statuses(responses) == [200] + [404] * (WRITERS - 1), [r.text for r in responses]


async def test_concurrent_bulk_deletes_delete_each_id_once(client, acme):
    ids = []
    for n in range(10):
        made = await client.post("/v1/suppliers", json={"company_name": f"Bulk {n}"},
                                 headers=acme.headers)
        ids.append(made.json()["id"])
    query = ",".join(map(str, ids))
    responses = await together(*(client.delete(f"/v1/suppliers?ids={query}",
                                               headers=acme.headers)
                                 for _ in range(WRITERS)))
    assert statuses(responses) == [200] * WRITERS, [r.text for r in responses]
    assert sum(r.json()["success_count"] for r in responses) == 10
    assert sum(r.json()["error_count"] for r in responses) == 10 * (WRITERS - 1)


async def test_concurrent_bulk_deletes_of_overlapping_sets_each_id_once(client, acme):
    """Overlapping id sets, sent in opposite orders: row locks taken in one order, so
    no request fails (a deadlock would be a 500) and each id goes once."""
    ids = []
    for n in range(12):
        made = await client.post("/v1/suppliers", json={"company_name": f"Overlap {n}"},
                                 headers=acme.headers)
        ids.append(made.json()["id"])
    sets = [ids[:8], list(reversed(ids[4:])), list(reversed(ids)), ids[2:10]]
    responses = await together(*(
        client.delete(f"/v1/suppliers?ids={','.join(map(str, sets[n % len(sets)]))}",
                      headers=acme.headers) for n in range(WRITERS)))
    assert statuses(responses) == [200] * WRITERS, [r.text for r in responses]
    assert sum(r.json()["success_count"] for r in responses) == len(ids)
    remaining = await client.get("/v1/suppliers?per_page=100", headers=acme.headers)
    assert not {s["id"] for s in remaining.json()} & set(ids)


async def test_concurrent_posts_with_one_new_import_id_make_one_object(client, acme):
    responses = await together(*(
        client.post("/v1/customers",
                    json={"company_name": f"Synced {n:02d}", "import_id": "sync-race",
                          "contacts": [{"first_name": f"contact-{n:02d}"}]},
                    headers=acme.headers) for n in range(WRITERS)
    ))
    assert statuses(responses) == [200] * WRITERS, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    found = (await client.get("/v1/customers?import_id=sync-race",
                              headers=acme.headers)).json()
    assert len(found) == 1 and len(found[0]["contacts"]) == 1


# -- optimistic concurrency: ETag / If-Match ---------------------------------------------


async def test_if_match_makes_read_modify_write_safe(client, acme):
    made = await client.post("/v1/suppliers", json={"company_name": "Tagged"},
                             headers=acme.headers)
    url = f"/v1/suppliers/{made.json()['id']}"
    read = await client.get(url, headers=acme.headers)
    tag = read.headers["etag"]
    assert tag == made.headers["etag"] and tag.startswith('"')
    unchanged = await client.get(url, headers={**acme.headers, "If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b""

    first = await client.patch(url, json={"comment": "mine"},
                               headers={**acme.headers, "If-Match": tag})
    assert first.status_code == 200 and first.headers["etag"] != tag
    # Another client still holding the old version: refused, nothing changed.
    stale = await client.patch(url, json={"comment": "theirs"},
                               headers={**acme.headers, "If-Match": tag})
    assert stale.status_code == 409 and stale.json()["code"] == "7"
    for method in ("PUT", "DELETE"):
        refused = await client.request(method, url, json={"comment": "x"},
                                       headers={**acme.headers, "If-Match": tag})
        assert refused.status_code == 409, method
    assert (await client.get(url, headers=acme.headers)).json()["comment"] == "mine"
    # A weak tag never matches; "*" matches any version; the current tag works.
    weak = await client.patch(url, json={"comment": "w"},
                              headers={**acme.headers, "If-Match": f"W/{first.headers['etag']}"})
    assert weak.status_code == 409
    star = await client.patch(url, json={"comment": "star"},
                              headers={**acme.headers, "If-Match": "*"})
    assert star.status_code == 200
    gone = await client.delete(url, headers={**acme.headers, "If-Match": star.headers["etag"]})
    assert gone.status_code == 200


async def test_concurrent_conditional_updates_let_one_win(client, acme):
    made = await client.post("/v1/customers", json={"company_name": "Contended"},
                             headers=acme.headers)
    url = f"/v1/customers/{made.json()['id']}"
    tag = made.headers["etag"]
    responses = await together(*(
        client.patch(url, json={"comment": f"writer {n}"},
                     headers={**acme.headers, "If-Match": tag}) for n in range(WRITERS)
    ))
    assert statuses(responses) == [200] + [409] * (WRITERS - 1), [r.text for r in responses]
