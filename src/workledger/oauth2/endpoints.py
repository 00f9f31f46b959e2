"""``POST /oauth2/token`` and ``GET /.well-known/oauth-authorization-server``.

The token endpoint runs its own unit of work instead of ``TransactionalRoute``'s: it
commits only a 200, and a replayed code or refresh token must revoke what came from it
even though that request fails, so those revocations run in a second transaction after
the first rolled back. On SQLite the first transaction takes the write lock from its
first statement (``WRITE_LOCK``), which serialises exchanges; on PostgreSQL the
conditional UPDATEs in ``store.py`` decide who wins.
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from workledger.auth.schemes import client_address
from workledger.kit.db import WRITE_LOCK
from workledger.kit.ratelimit import SCOPE_KEY
from workledger.kit.session import database_for
from workledger.oauth2.server import (
    WorkledgerAuthorizationServer,
    in_worker,
    metadata,
    token_request,
)
from workledger.oauth2.store import OAuthStore, apply_revocations

router = APIRouter(include_in_schema=False)
TOKEN_ROUTE = "POST /oauth2/token"


def _presented_client_id(request: Request, form: dict[str, str]) -> str:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(encoded).decode().partition(":")[0]
        except ValueError:  # not base64 (binascii.Error), not UTF-8, a non-ASCII header
            return ""
    return form.get("client_id", "")


@router.post("/oauth2/token")
async def token(request: Request) -> Response:
    app = request.app
    address = client_address(request)
    limiter = app.state.limiter
    policy, item = limiter.item_for(TOKEN_ROUTE)
    request.scope[SCOPE_KEY] = await limiter.hit(policy, item, "oauth-token", address)

    oauth_request = await token_request(request)
    guard_key = "oauth-client:" + _presented_client_id(request, oauth_request.form)
    await app.state.login_guard.check(address, guard_key)

    database = database_for(request)
    async with database.sessions() as session:
        await session.connection(execution_options=WRITE_LOCK)
        store = OAuthStore(session, app.state.keyring)
        server = WorkledgerAuthorizationServer(store)
        response = await in_worker(server.create_token_response, oauth_request)
        if response.status_code == 200:
            await session.commit()
        else:
            await session.rollback()
    if store.revoke_after:
        async with database.session() as session:
            await apply_revocations(session, store.revoke_after)
    if server.failed_check:
        await app.state.login_guard.failed(address, guard_key)
    return response


@router.get("/.well-known/oauth-authorization-server")
async def authorization_server_metadata(request: Request) -> Response:
    document = metadata(request.app.state.settings.public_url)
    return JSONResponse(dict(document), headers={"Cache-Control": "public, max-age=3600"})
