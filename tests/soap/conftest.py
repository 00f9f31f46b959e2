"""The goods-owner SOAP API against a live server: uvicorn on a free port whose public
URL is its own address (so the WSDL's soap:address is where the client really goes),
driven by the real ``zeep`` client and by plain HTTP.

Every answer zeep receives is validated against the WSDL's schema (:class:`Conforms`),
Faults included (their envelope), so a test that only reads one member still proves
the whole answer is what the WSDL promises."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import zeep
from lxml import etree
from zeep.plugins import Plugin

from tests.live import free_port, serve_in_thread
from workledger.app import create_app
from workledger.auth import administration
from workledger.soap.envelope import NS, SOAP_ENV, schema

PASSWORD = "correct-horse-battery"
PATH = "/soap/goodsowner"


class Conforms(Plugin):
    """Checks every answer against the WSDL's schema before zeep reads it."""

    def __init__(self) -> None:
        self.checked = 0

    def ingress(self, envelope, http_headers, operation):
        assert_conforms(envelope)
        self.checked += 1
        return envelope, http_headers


def assert_conforms(envelope: etree._Element) -> etree._Element:
    """The Body's element of a SOAP answer, checked: an answer valid against the schema,
    or a SOAP 1.1 Fault with faultcode, faultstring and our FaultDetail."""
    assert envelope.tag == f"{{{SOAP_ENV}}}Envelope", etree.tostring(envelope)
    [body] = envelope.findall(f"{{{SOAP_ENV}}}Body")
    [payload] = list(body)
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        assert [child.tag for child in payload] == ["faultcode", "faultstring", "detail"]
        [detail] = list(payload.find("detail"))
        copy = etree.fromstring(etree.tostring(detail))
        assert schema().validate(copy), schema().error_log
        return payload
    copy = etree.fromstring(etree.tostring(payload))
    assert schema().validate(copy), (schema().error_log, etree.tostring(payload))
    return payload


@dataclass
class Live:
    url: str
    app: Any
    conforms: Conforms = field(default_factory=Conforms)

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    def zeep(self, *, path: str = PATH) -> zeep.Client:
        return zeep.Client(f"{self.url}{path}?wsdl", plugins=[self.conforms])


@pytest.fixture(scope="package")
def live(settings) -> Iterator[Live]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    application = create_app(settings.model_copy(update={"public_url": url}))
    with serve_in_thread(application, "uvicorn-soap", port=port) as served:
        assert served == url
        yield Live(url, application)


@pytest.fixture(scope="package")
def soap(live) -> zeep.Client:
    return live.zeep()


@dataclass
class Owner:
    """A goods owner (a company with API access) and one of its WSI API users."""

    tenant: Any
    login: str
    user_id: int
    password: str = PASSWORD

    @property
    def code(self) -> str:
        return str(self.tenant.id)

    @property
    def credentials(self) -> dict[str, str]:
        return {"GoodsOwnerCode": self.code, "UserName": self.login, "Password": self.password}


@pytest.fixture
def make_owner(app, make_tenant):
    async def make(*, invoices: bool = False, tenant=None) -> Owner:
        tenant = tenant or await make_tenant()
        login = f"WSI{secrets.token_hex(4)}"
        async with app.state.database.session() as session:
            user = await administration.create_api_user(
                session, tenant.id, username=login, password=PASSWORD,
                email="shop@example.com", integration_system="WooCommerce",
                invoices_allowed=invoices)
        return Owner(tenant, login, user.id)

    return make


@pytest.fixture
async def owner(make_owner) -> Owner:
    return await make_owner()


def envelope(operation: str, inner: str, owner: Owner | None = None, *,
             credentials: str | None = None) -> bytes:
    """A request envelope as a plain HTTP client writes one."""
    if credentials is None:
        credentials = (f"<GoodsOwnerCode>{owner.code}</GoodsOwnerCode>"
                       f"<UserName>{owner.login}</UserName><Password>{owner.password}</Password>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
            f'<{operation} xmlns="{NS}">{credentials}{inner}</{operation}>'
            f"</soap:Body></soap:Envelope>").encode()


def post(url: str, body: bytes | Iterator[bytes], *, action: str | None = None,
         content_type: str = "text/xml; charset=utf-8", **headers: str) -> httpx.Response:
    """A plain HTTP POST (a generator body goes chunked, without Content-Length)."""
    sent = {"Content-Type": content_type, **headers}
    if action is not None:
        sent["SOAPAction"] = f'"{action}"'
    return httpx.post(url, content=body, headers=sent, timeout=30)


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=30)


def fault_of(response: httpx.Response) -> dict[str, str]:
    """faultcode, faultstring and the detail's Code and TraceId of a Fault answer; the
    answer must be a SOAP 1.1 Fault, HTTP 500, text/xml, schema-valid."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("text/xml"), response.headers
    fault = assert_conforms(etree.fromstring(response.content))
    assert fault.tag == f"{{{SOAP_ENV}}}Fault", response.text
    return {
        "faultcode": fault.findtext("faultcode"),
        "faultstring": fault.findtext("faultstring"),
        "code": fault.findtext(f"detail/{{{NS}}}FaultDetail/{{{NS}}}Code"),
        "trace": fault.findtext(f"detail/{{{NS}}}FaultDetail/{{{NS}}}TraceId"),
    }


def answer_of(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml"), response.headers
    return assert_conforms(etree.fromstring(response.content))
