"""DESIGN §4.3 — pagination, sorting and filtering at the HTTP level."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
async def customers(client, acme):
    """Five customers with known names, statuses and e-mails."""
    made = []
    for name, status, email in [
        ("Delta", 1, "d@example.com"), ("alpha", 2, "a@example.com"),
        ("Charlie", 1, "c@example.com"), ("Bravo", 2, ""), ("Echo", 1, "e@example.com"),
    ]:
        response = await client.post(
            "/v1/customers", json={"company_name": name, "status": status, "email": email},
            headers=acme.headers,
        )
        made.append(response.json())
    return made


def links(response) -> dict[str, str]:
    pairs = re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["link"])
    return {rel: url for url, rel in pairs}


async def get(client, tenant, query: str):
    return await client.get(f"/v1/customers?{query}", headers=tenant.headers)


async def test_default_order_is_id_ascending_and_body_is_an_array(client, acme, customers):
    response = await get(client, acme, "")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == sorted(c["id"] for c in customers)
    assert "x-total-count" not in response.headers


async def test_pages_with_link_header(client, acme, customers):
    first = await get(client, acme, "per_page=2")
    assert [c["id"] for c in first.json()] == [c["id"] for c in customers[:2]]
    rels = links(first)
    assert set(rels) == {"next", "first"}
    second = await client.get(rels["next"], headers=acme.headers)
    assert [c["id"] for c in second.json()] == [c["id"] for c in customers[2:4]]
    assert set(links(second)) == {"next", "prev", "first"}
    third = await client.get(links(second)["next"], headers=acme.headers)
    assert [c["id"] for c in third.json()] == [customers[4]["id"]]
    assert "next" not in links(third)
    beyond = await get(client, acme, "per_page=2&page=9")
    assert beyond.json() == []


async def test_total_on_request(client, acme, customers):
    response = await get(client, acme, "per_page=2&total=true&status=1")
    assert response.headers["x-total-count"] == "3"
    assert "last" in links(response)
    assert "page=2" in links(response)["last"]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=501", "page=0", "page=x",
                                   "per_page=-1", "total=maybe"])
async def test_bad_paging_values_are_400(client, acme, query):
    response = await get(client, acme, query)
    assert response.status_code == 400
    assert response.json()["code"] == "3"
    assert query.split("=")[0] in response.json()["errors"]


async def test_per_page_maximum_is_500(client, acme, customers):
    assert (await get(client, acme, "per_page=500")).status_code == 200


async def test_sort_ascending_descending_and_plus_as_space(client, acme, customers):
    def names(r):
        return [c["company_name"] for c in r.json()]

    assert names(await get(client, acme, "sort=company_name")) == sorted(
        names(await get(client, acme, "sort=company_name"))
    )
    ascending = names(await get(client, acme, "sort=%2Bcompany_name"))
    assert ascending == names(await get(client, acme, "sort=company_name"))
    as_space = names(await get(client, acme, "sort=+company_name"))  # "+" decodes to " "
    assert as_space == ascending
    descending = names(await get(client, acme, "sort=-company_name"))
    assert descending == list(reversed(ascending))
    ids = [c["id"] for c in (await get(client, acme, "sort=-id")).json()]
    assert ids == sorted(ids, reverse=True)


async def test_sort_by_several_fields(client, acme, customers):
    response = await get(client, acme, "sort=-status,company_name")
    pairs = [(c["status"], c["company_name"]) for c in response.json()]
    expected = sorted(pairs, key=lambda p: (-p[0], p[1]))
    assert pairs == expected


async def test_unknown_sort_field_is_400_naming_what_is_allowed(client, acme):
    response = await get(client, acme, "sort=comment")
    assert response.status_code == 400
    message = response.json()["errors"]["sort"][0]
    assert "comment" in message and "company_name" in message


async def test_filter_equals_and_operators(client, acme, customers):
    ids = [c["id"] for c in customers]

    async def found(query):
        return [c["id"] for c in (await get(client, acme, query)).json()]

    assert await found("status=2") == [ids[1], ids[3]]
    assert await found("status=eq:2") == [ids[1], ids[3]]
    assert await found("status=not:2") == [ids[0], ids[2], ids[4]]
    assert await found(f"id=gt:{ids[2]}") == ids[3:]
    assert await found(f"id=gte:{ids[2]}") == ids[2:]
    assert await found(f"id=lt:{ids[2]}") == ids[:2]
    assert await found(f"id=lte:{ids[2]}") == ids[:3]
    assert await found("email=") == [ids[3]]


async def test_filter_conditions_join_with_and(client, acme, customers):
    ids = [c["id"] for c in customers]
    response = await get(client, acme, f"id=gte:{ids[1]}%20AND%20lte:{ids[3]}&status=1")
    assert [c["id"] for c in response.json()] == [ids[2]]
    # "+" in a query string is a space too, as in the seed's example.
    response = await get(client, acme, f"id=gte:{ids[1]}+AND+lt:{ids[3]}")
    assert [c["id"] for c in response.json()] == ids[1:3]


async def test_filter_on_dates(client, acme, customers):
    everyone = await get(client, acme, "created_at=gte:2020-01-01")
    assert len(everyone.json()) == 5
    nobody = await get(client, acme, "created_at=lt:2020-01-01T00:00:00Z")
    assert nobody.json() == []
    window = await get(client, acme, "created_at=gte:2020-01-01%20AND%20lte:2999-03-31&status=1")
    assert len(window.json()) == 3


async def test_filter_value_of_the_wrong_type_is_400(client, acme):
    for query, parameter in [("id=abc", "id"), ("created_at=gte:yesterday", "created_at"),
                             ("status=lt:high", "status"), ("id=99999999999999999999", "id")]:
        response = await get(client, acme, query)
        assert response.status_code == 400, query
        assert parameter in response.json()["errors"], query


async def test_unknown_query_parameter_is_400_naming_it(client, acme):
    response = await get(client, acme, "colour=blue")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "3"
    assert "colour" in problem["errors"]
    assert "company_name" in problem["errors"]["colour"][0]  # says what is allowed


async def test_unknown_parameter_on_element_endpoint_is_400(client, acme, customers):
    response = await client.get(
        f"/v1/customers/{customers[0]['id']}?expand=all", headers=acme.headers
    )
    assert response.status_code == 400 and "expand" in response.json()["errors"]


async def test_listing_never_shows_another_company(client, acme, other, customers):
    response = await client.get("/v1/customers?per_page=500", headers=other.headers)
    assert response.json() == []
    theirs = await client.post("/v1/customers", json={"company_name": "Theirs"},
                               headers=other.headers)
    mine = await get(client, acme, "per_page=500&total=true")
    assert theirs.json()["id"] not in [c["id"] for c in mine.json()]
    assert mine.headers["x-total-count"] == "5"


async def test_items_and_suppliers_filter_and_sort(client, acme):
    supplier = (await client.post("/v1/suppliers", json={"company_name": "Sup"},
                                  headers=acme.headers)).json()
    for number, price, kind in [("A", "5", "part"), ("B", "15.5", "unique"), ("C", "25", "part")]:
        await client.post("/v1/items", json={"number": number, "name": number,
                                             "sales_price": price, "kind": kind,
                                             "supplier_id": supplier["id"]},
                          headers=acme.headers)
    response = await client.get(
        "/v1/items?sales_price=gt:10&kind=part&sort=-sales_price", headers=acme.headers
    )
    assert [i["number"] for i in response.json()] == ["C"]
    response = await client.get(
        f"/v1/items?supplier_id={supplier['id']}&sort=-number", headers=acme.headers
    )
    assert [i["number"] for i in response.json()] == ["C", "B", "A"]
    response = await client.get("/v1/suppliers?company_name=Sup", headers=acme.headers)
    assert [s["id"] for s in response.json()] == [supplier["id"]]
