"""The connector face's tests: a company's connector token, and calls in the envelope."""

from __future__ import annotations

from typing import Any

import pytest

from workledger.auth import administration


@pytest.fixture
def connector_token(app):
    """``await connector_token(tenant)``: the company's token (choosing a package)."""

    async def issue(tenant) -> str:
        async with app.state.database.session() as session:
            return await administration.choose_erp_package(
                session, app.state.keyring, tenant.id, "BouwOffice")

    return issue


class Connector:
    """Calls of one company's connector token: ``await wb.call("GetWorkorders", ...)``."""

    def __init__(self, client, token: str) -> None:
        self.client, self.token = client, token

    async def raw(self, function: str, body: Any = None, method: str = "POST", **params):
        query = {"token": self.token, **{k: str(v).lower() if isinstance(v, bool) else v
                                         for k, v in params.items()}}
        return await self.client.request(method, f"/openapi/1/{function}/", params=query,
                                         json=body)

    async def call(self, function: str, body: Any = None, **params) -> Any:
        """The ``response`` of a call that must succeed."""
        answer = await self.raw(function, body, **params)
        assert answer.status_code == 200, answer.text
        envelope = answer.json()
        assert envelope["code"] == 200 and envelope["messages"] == [], envelope
        return envelope["response"]

    async def refused(self, function: str, body: Any = None, **params) -> tuple[int, int, list]:
        """``(HTTP status, code, messages)`` of a refused call."""
        answer = await self.raw(function, body, **params)
        envelope = answer.json()
        assert answer.status_code != 200 and envelope["response"] is None, envelope
        return answer.status_code, envelope["code"], envelope["messages"]


@pytest.fixture
def connector(client, connector_token):
    async def make(tenant) -> Connector:
        return Connector(client, await connector_token(tenant))

    return make
