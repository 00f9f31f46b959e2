async def test_list_customers_starts_empty(client, acme):
    response = await client.get("/v1/customers", headers=acme.headers)
    assert response.status_code == 200
    assert response.json() == []
