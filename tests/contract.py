"""The per-resource contract test kit (NetBox's generic API test cases are the model).

A resource declares its test case once — the declaration it is served from, a factory
of valid create bodies and a valid update — and :mod:`tests.test_contract` runs every
contract check on it: create/read/update/delete with ``Location``, every declared filter
and sort, ``import_id`` upsert, bulk delete, 401 on every operation without a
credential, another company's ids in the path, in body references and in filters (404 /
422, their data unchanged), and the match between the declaration and ``/openapi.json``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from workledger.kit.resource import Resource

Factory = Callable[["Api", int], Awaitable[dict[str, Any]]]


@dataclass
class Api:
    """One tenant's view of the API under test."""

    client: httpx.AsyncClient
    tenant: Any
    database: Any

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.headers

    async def create(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(url, json=body, headers=self.headers)
        assert response.status_code == 200, (url, response.text)
        return response.json()

    async def read(self, url: str, **params: Any) -> Any:
        response = await self.client.get(url, params=params or None, headers=self.headers)
        assert response.status_code == 200, (url, response.text)
        return response.json()


@dataclass
class Case:
    resource: Resource
    #: A valid create body for the n-th object (or, for a resource without create, a
    #: function that stores or finds the n-th row and answers its JSON).
    factory: Factory
    #: A valid partial update, and what the object reads like after it (a subset).
    update: dict[str, Any] = field(default_factory=dict)
    #: For a nested resource: makes a parent and answers its element URL.
    parent: Callable[[Api], Awaitable[str]] | None = None
    #: Which client serves it ("app": Workledger's; "example": the kit's example app).
    app: str = "app"
    #: How many distinct objects the factory can make, when that is limited: a resource
    #: whose rows come with the company (two workflows) answers the n-th of them.
    rows: int | None = None
    #: Filters on members the factory cannot fill (a stock movement's order_line_id is
    #: written by an order's delivery, never by a caller): checked where those are made.
    unfilled: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        # "order invoice charges" beside "invoice charges": the same rows served twice.
        return self.resource.operation_scope.replace("_", " ") + self.resource.names.plural

    @property
    def creatable(self) -> bool:
        return "create" in self.resource.operations

    def numbers(self, *wanted: int) -> tuple[int, ...]:
        """Those of ``wanted`` the factory can make (see ``rows``)."""
        return tuple(n for n in wanted if self.rows is None or n <= self.rows)

    async def collection(self, api: Api) -> str:
        if self.parent is None:
            return f"/v1/{self.resource.names.segment}"
        return f"{await self.parent(api)}/{self.resource.names.segment}"

    async def make(self, api: Api, n: int, collection: str | None = None) -> dict[str, Any]:
        """The n-th object, made as a caller makes it; answers its JSON."""
        if not self.creatable:
            return await self.factory(api, n)
        target = collection or await self.collection(api)
        return await api.create(target, await self.factory(api, n))


def filter_value(value: Any) -> str:
    """The filter text that selects exactly ``value`` (a timestamp as a closed range: its
    text form may carry a different offset or precision than the stored value)."""
    if isinstance(value, bool):
        return str(value).lower()
    if _is_timestamp(value):
        return f"gte:{value} AND lte:{value}"
    return str(value)


def excluding_value(value: Any) -> str:
    """The filter text that leaves ``value`` out."""
    return f"lt:{value}" if _is_timestamp(value) else f"not:{filter_value(value)}"


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def sort_key(value: Any) -> Any:
    if _is_timestamp(value):
        return datetime.fromisoformat(value)
    return value


def element_url(collection: str, object_id: int) -> str:
    return f"{collection}/{object_id}"


def template_to_url(template: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), template)
