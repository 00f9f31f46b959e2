"""A client generated from the live ``/openapi.json`` works against a live server.

This is the integrator's path: ``openapi-python-client`` reads the document, writes a
typed package, and the package's functions are called over a real socket. A status
the document leaves out comes back as ``parsed=None``, so the typed answers here are
the proof that the document lists what the API answers.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from uuid import uuid4

import httpx
import pytest

from tests.live import serve_in_thread
from workledger.app import create_app

PACKAGE = "workledger_api_client"
#: No post-generation hooks (the default runs ruff over the package: slow, and not
#: what is tested); every warning fails, e.g. an operation the generator had to skip.
CONFIG = "post_hooks: []\n"


@pytest.fixture(scope="module")
def live_server(settings) -> Iterator[str]:
    with serve_in_thread(create_app(settings), "uvicorn-generated-client") as url:
        yield url


def generator() -> list[str]:
    try:
        import openapi_python_client  # noqa: F401 - only whether it is installed
    except ImportError:
        pytest.fail("openapi-python-client is not installed in this environment: install "
                    "the project's test dependencies", pytrace=False)
    return [sys.executable, "-m", "openapi_python_client"]


class Generated:
    """The generated package: ``api.client`` is its root, ``api.module(name)`` a part."""

    def __init__(self) -> None:
        self.client = importlib.import_module(PACKAGE)

    @staticmethod
    def module(name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="module")
def api(live_server, tmp_path_factory) -> Iterator[Generated]:
    """The package generated from the live server's document, imported."""
    root = tmp_path_factory.mktemp("generated")
    spec = root / "openapi.json"
    spec.write_text(json.dumps(httpx.get(f"{live_server}/openapi.json", timeout=10).json()))
    config = root / "config.yaml"
    config.write_text(CONFIG)
    result = subprocess.run(
        [*generator(), "generate", "--path", str(spec), "--output-path", str(root / PACKAGE),
         "--meta", "none", "--config", str(config), "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield Generated()
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def keyed(api: Generated, live_server: str, key: str):
    return api.client.AuthenticatedClient(base_url=live_server, token=key, prefix="Key", timeout=10)


async def test_the_generated_client_creates_and_reads_a_customer(api, live_server, acme):
    create = api.module("api.customers.create_customer")
    get = api.module("api.customers.get_customer")
    models = api.module("models")
    name = f"Generated Client AS {uuid4().hex[:6]}"
    async with keyed(api, live_server, acme.key) as client:
        created = await create.asyncio_detailed(
            client=client, body=models.CustomerCreate(company_name=name, import_id="GEN-1")
        )
        assert created.status_code == 200, created.content
        assert isinstance(created.parsed, models.Customer), created.content
        assert created.headers["location"].endswith(f"/v1/customers/{created.parsed.id}")
        fetched = await get.asyncio_detailed(client=client, customer_id=created.parsed.id)
        missing = await get.asyncio_detailed(client=client, customer_id=999_999_999)
    assert fetched.status_code == 200
    customer = fetched.parsed
    assert isinstance(customer, models.Customer)
    assert (customer.id, customer.company_name, customer.import_id) == (
        created.parsed.id, name, "GEN-1")
    assert customer.created_at.tzinfo is not None  # a datetime, parsed
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.ProblemDocument), missing.content
    assert (missing.parsed.status, missing.parsed.code) == (404, "2")


async def test_the_generated_client_parses_errors_of_the_other_faces(api, live_server, acme):
    me = api.module("api.account.get_me")
    token = api.module("api.account.create_account_token")
    get_company = api.module("api.connector.get_company")
    models = api.module("models")
    async with api.client.Client(base_url=live_server, timeout=10) as anonymous:
        unauthorized = await me.asyncio_detailed(client=anonymous)
        refused = await token.asyncio_detailed(
            client=anonymous,
            body=models.TokenRequest(username="nobody@example.com", password="wrong"),
        )
        connector = await get_company.asyncio_detailed(client=anonymous, token="wlc_wrong")
    async with keyed(api, live_server, acme.key) as client:
        who = await me.asyncio_detailed(client=client)
    assert isinstance(who.parsed, models.Me) and who.parsed.company.id == acme.id
    assert unauthorized.status_code == 401
    assert isinstance(unauthorized.parsed, models.ProblemDocument)
    assert unauthorized.parsed.code == "1"
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.ProblemDocument)
    assert connector.status_code == 401
    assert isinstance(connector.parsed, models.ConnectorError)
    assert connector.parsed.messages == ["unauthorized"]


async def test_the_generated_client_parses_a_business_rule_problem(api, live_server, acme):
    create = api.module("api.items.create_item")
    models = api.module("models")
    number = f"GEN-{uuid4().hex[:8]}"
    async with keyed(api, live_server, acme.key) as client:
        first = await create.asyncio_detailed(
            client=client, body=models.ItemCreate(number=number, name="Heat pump")
        )
        again = await create.asyncio_detailed(
            client=client, body=models.ItemCreate(number=number, name="Another heat pump")
        )
    assert first.status_code == 200 and isinstance(first.parsed, models.Item)
    assert again.status_code == 422, again.content
    problem = again.parsed
    assert isinstance(problem, models.ProblemDocument), (
        f"parsed={problem!r}: 422 is not documented on POST /v1/items"
    )
    assert problem.code == "30"
    assert [v.member_names for v in problem.violations] == [["number"]]
    assert number in problem.violations[0].error_message
