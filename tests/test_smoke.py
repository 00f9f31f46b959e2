async def test_list_customers_starts_empty(client, acme):
    response = await client.get("/v1/customers", headers=acme.headers)
    assert response.status_code == 200
    assert response.json() == []


async def test_the_start_takes_what_it_built_out_of_the_garbage_collector(settings):
    # A full collection must not walk the routes, schemas and mappers on every pass
    # (bench/README.md: ~150 ms pauses on a list page's p99 before this).
    import gc

    from workledger.app import create_app

    gc.unfreeze()
    app = create_app(settings)
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 50_000
