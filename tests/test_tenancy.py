"""Every /v1 endpoint, walked from the app's own routes: without a credential it is 401;
with another company's ids it is 404 and the other company's data stays as it was."""

from __future__ import annotations

from fastapi.routing import APIRoute

#: A body that creates one object of each resource. A new resource must add itself here,
#: or test_every_route_is_covered fails.
CREATE_BODIES = {
    "/v1/customers": {"company_name": "Theirs", "contacts": [{"first_name": "T"}]},
    "/v1/suppliers": {"company_name": "Theirs"},
    "/v1/items": {"number": "THEIRS-1", "name": "Theirs"},
}


def v1_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/v1/")
        for method in route.methods
    )


def collection_of(path: str) -> str:
    return path.split("/{", 1)[0]


def test_every_route_is_covered(app):
    for _method, path in v1_routes(app):
        assert collection_of(path) in CREATE_BODIES, f"{path}: add it to CREATE_BODIES"


async def test_every_route_without_credential_is_401(client, app):
    for method, path in v1_routes(app):
        url = path.replace("{object_id}", "1")
        response = await client.request(method, url, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "1"


async def test_every_route_with_another_companys_id_is_404(client, app, acme, other):
    theirs: dict[str, dict] = {}
    for collection, body in CREATE_BODIES.items():
        response = await client.post(collection, json=body, headers=other.headers)
        assert response.status_code == 200, response.text
        theirs[collection] = response.json()

    for method, path in v1_routes(app):
        collection = collection_of(path)
        target = theirs[collection]
        if "{object_id}" in path:
            url = path.replace("{object_id}", str(target["id"]))
            response = await client.request(
                method, url, json={"comment": "mine now", "name": "mine now"},
                headers=acme.headers,
            )
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["code"] == "2"
        elif method == "DELETE":
            response = await client.delete(f"{path}?ids={target['id']}", headers=acme.headers)
            assert response.status_code == 200
            assert response.json()["success_count"] == 0
            assert response.json()["errors"][0]["error"]["status"] == 404
        elif method == "GET":
            response = await client.get(f"{path}?id={target['id']}", headers=acme.headers)
            assert response.json() == [], path
        elif method == "POST":
            # Creating with the other company's import_id must create, never update theirs.
            body = {**CREATE_BODIES[collection], "import_id": "shared-id"}
            await client.post(collection, json=body, headers=other.headers)
            mine = await client.post(
                collection, json={**body, "number": "MINE-1"}, headers=acme.headers
            )
            assert mine.status_code == 200
            their_copy = await client.get(f"{collection}?import_id=shared-id",
                                          headers=other.headers)
            assert mine.json()["id"] not in [o["id"] for o in their_copy.json()]

    for collection, obj in theirs.items():
        response = await client.get(f"{collection}/{obj['id']}", headers=other.headers)
        assert response.json() == obj, collection
