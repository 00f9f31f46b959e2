"""The sandbox serves the SOAP face too: /sandbox/soap/goodsowner, whose WSDL sends
clients to the sandbox, on the sandbox's copy of the data."""

from __future__ import annotations

import httpx
from lxml import etree

from tests.sandbox.test_sandbox import restore_now
from tests.soap.conftest import answer_of, envelope
from workledger.soap.envelope import NS

WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"


def test_the_sandbox_wsdl_points_at_the_sandbox(live):
    response = httpx.get(f"{live.url}/sandbox/soap/goodsowner?wsdl")
    assert response.status_code == 200
    assert response.headers["X-Workledger-Environment"] == "sandbox"
    [address] = etree.fromstring(response.content).iter(f"{{{WSDL_SOAP}}}address")
    assert address.get("location") == f"{live.url}/sandbox/soap/goodsowner"
    # zeep, given the sandbox's WSDL, posts to the sandbox.
    client = live.zeep(path="/sandbox/soap/goodsowner")
    [service] = client.wsdl.services.values()
    [port] = service.ports.values()
    assert port.binding_options["address"] == f"{live.url}/sandbox/soap/goodsowner"


async def soap_call(client, path: str, operation: str, inner: str, owner) -> httpx.Response:
    return await client.post(path, content=envelope(operation, inner, owner),
                              headers={"Content-Type": "text/xml"})


async def test_sandbox_calls_use_the_sandbox_copy(app, client, owner):
    made = await client.post("/v1/items", headers=owner.tenant.headers,
                             json={"number": "PROD-1", "name": "In production"})
    assert made.status_code == 200, made.text
    await restore_now(app)  # the same API user now works in the sandbox too
    written = await soap_call(client, "/sandbox/soap/goodsowner", "ProcessArticle",
                              "<Article><ArticleNumber>SANDBOX-1</ArticleNumber>"
                              "<Name>Only in the sandbox</Name></Article>", owner)
    assert written.headers["X-Workledger-Environment"] == "sandbox"
    result = answer_of(written)
    assert result.findtext(f"{{{NS}}}ProcessArticleResult/{{{NS}}}Success") == "true"

    listed = await soap_call(client, "/sandbox/soap/goodsowner", "GetArticlesByQuery", "",
                             owner)
    numbers = [n.text for n in answer_of(listed).iter(f"{{{NS}}}ArticleNumber")]
    assert numbers == ["PROD-1", "SANDBOX-1"]
    production = await soap_call(client, "/soap/goodsowner", "GetArticlesByQuery", "", owner)
    assert "X-Workledger-Environment" not in production.headers
    assert [n.text for n in answer_of(production).iter(f"{{{NS}}}ArticleNumber")] == [
        "PROD-1"]
