"""Everything the SOAP face refuses is a SOAP 1.1 Fault (HTTP 500, text/xml, schema-valid
detail with the REST code and the trace id): credentials, API access, permissions,
another goods owner, malformed envelopes, schema violations, hostile XML, oversized
bodies, rate limits and our own failures."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import httpx
import pytest
import zeep
from sqlalchemy import func, select

from tests.auth.conftest import basic
from tests.live import serve_in_thread
from tests.orders.helpers import world
from tests.soap.conftest import PATH, answer_of, envelope, fault_of, get, post
from workledger.app import create_app
from workledger.auth import administration
from workledger.models import Order
from workledger.soap import envelope as envelope_module
from workledger.soap.envelope import NS, SOAP_ENV, Fault, soap_action

QUERY = "GetOrdersByQuery"


def fault(call) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call()
    return raised.value


# -- credentials and permissions (through zeep) ----------------------------------------


async def update_user(app, owner, **changes) -> None:
    async with app.state.database.session() as session:
        await administration.update_api_user(session, owner.tenant.id, owner.user_id,
                                             **changes)


async def test_bad_credentials_are_a_client_fault(soap, owner):
    for credentials in ({**owner.credentials, "Password": "wrong"},
                        {**owner.credentials, "UserName": "WSI-nobody"},
                        {**owner.credentials, "UserName": "not-an-api-user"}):
        refused = fault(lambda c=credentials: soap.service.GetOrdersByQuery(**c))
        assert refused.code.endswith(":Client")
        assert refused.message == "Unauthorized. Unknown username or password."
    assert soap.service.GetOrdersByQuery(**owner.credentials).Order == []


async def test_a_disabled_user_is_a_fault_and_permissions_follow_the_user(app, soap, owner):
    await update_user(app, owner, active=False)
    refused = fault(lambda: soap.service.GetOrdersByQuery(**owner.credentials))
    assert refused.message == "Unauthorized. Unauthorized: the provided token is not active"
    await update_user(app, owner, active=True, invoices_allowed=True)
    # Staff ticked "Allow this user to see invoicing information": now it may.
    assert soap.service.GetInvoicesByQuery(**owner.credentials).Invoice == []


async def set_api_access(app, tenant, allowed: bool) -> None:
    async with app.state.database.session() as session:
        await administration.set_api_access(session, tenant.id, allowed)


async def test_api_access_off_is_a_fault(app, soap, owner):
    await set_api_access(app, owner.tenant, False)
    refused = fault(lambda: soap.service.GetOrdersByQuery(**owner.credentials))
    assert refused.code.endswith(":Client")
    assert refused.message == "Forbidden. API access is switched off for this company."
    assert refused.detail.findtext(f"{{{NS}}}FaultDetail/{{{NS}}}Code") == "6"
    await set_api_access(app, owner.tenant, True)
    assert soap.service.GetOrdersByQuery(**owner.credentials).Order == []


async def test_another_goods_owners_code_is_a_fault_and_their_ids_are_out_of_reach(
    app, client, soap, make_owner
):
    mine, theirs = await make_owner(), await make_owner(invoices=True)
    their_world = await world(client, theirs.tenant)
    my_world = await world(client, mine.tenant)
    their_order = soap.service.ProcessOrder(**theirs.credentials, Order={
        "CustomerId": their_world["customer"],
        "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 1}]}})
    assert their_order.Success

    # My credentials with their code: refused before anything is read.
    for operation, extra in (("GetOrdersByQuery", {}),
                             ("ProcessOrder", {"Order": {"CustomerId": my_world["customer"]}})):
        refused = fault(lambda o=operation, e=extra: getattr(soap.service, o)(
            **{**mine.credentials, "GoodsOwnerCode": theirs.code}, **e))
        assert refused.code.endswith(":Client")
        assert refused.message == ("Unauthorized. GoodsOwnerCode does not name the goods "
                                   "owner of this API user.")
    # A code that is no company at all answers the same (nothing to tell them apart).
    refused = fault(lambda: soap.service.GetOrdersByQuery(
        **{**mine.credentials, "GoodsOwnerCode": "999999999"}))
    assert "GoodsOwnerCode does not name" in refused.message

    # Their ids and numbers in my requests: never found, never changed.
    assert soap.service.GetOrdersByQuery(
        **mine.credentials, Query={"OrderId": their_order.OrderId}).Order == []
    assert soap.service.GetArticlesByQuery(
        **mine.credentials, Query={"ArticleId": their_world["goods"]}).Article == []
    assert soap.service.GetInventoryByQuery(
        **mine.credentials, Query={"ArticleId": their_world["goods"]}).InventoryLine == []
    before = (await client.get(f"/v1/orders/{their_order.OrderId}",
                               headers=theirs.tenant.headers)).json()
    if not soap.service.GetOrdersByQuery(**mine.credentials, Query={
            "OrderNumber": their_order.OrderNumber}).Order:
        refused = soap.service.ProcessOrder(**mine.credentials, Order={
            "OrderNumber": their_order.OrderNumber, "Comment": "hijacked"})
        assert (refused.Success, refused.ErrorCode) == (False, "2")
    refused = soap.service.ProcessOrder(**mine.credentials, Order={
        "CustomerId": their_world["customer"],
        "Lines": {"Line": [{"ArticleId": their_world["goods"], "Quantity": 1}]}})
    assert (refused.Success, refused.ErrorCode) == (False, "30")
    assert refused.ErrorMessage == ("Order/CustomerId: Invalid Customer Id. "
                                    "Order/Lines/Line[1]/ArticleId: Invalid Item Id.")
    refused = soap.service.ProcessOrder(**mine.credentials, Order={
        "CustomerId": my_world["customer"],
        "Lines": {"Line": [{"LineId": their_order_line(before), "Quantity": 9}]}})
    assert refused.Success is False
    refused = soap.service.ProcessInOrder(**mine.credentials, InOrder={
        "SupplierId": await their_supplier(client, theirs)})
    assert (refused.Success, refused.ErrorCode) == (False, "30")
    assert (await client.get(f"/v1/orders/{their_order.OrderId}",
                             headers=theirs.tenant.headers)).json() == before
    async with app.state.database.session() as session:
        mine_count = await session.scalar(select(func.count()).select_from(Order).where(
            Order.customer_id == my_world["customer"]))
    assert mine_count == 0


def their_order_line(order: dict) -> int:
    return order["lines"][0]["id"]


async def their_supplier(client, owner) -> int:
    response = await client.post("/v1/suppliers", headers=owner.tenant.headers,
                                 json={"company_name": "Theirs AS"})
    return response.json()["id"]


async def test_writes_need_a_user_that_may_write_reads_need_one_that_may_read(
    client, soap, owner
):
    """API users read and write; the permission check is the REST one (require)."""
    await world(client, owner.tenant)
    assert soap.service.GetArticlesByQuery(**owner.credentials).Article
    assert soap.service.ProcessArticle(**owner.credentials, Article={
        "ArticleNumber": "NEW", "Name": "New"}).Success


# -- the same user, the same counting as REST -------------------------------------------


async def test_soap_and_rest_calls_of_one_user_share_one_rate_limit_window(
    live, client, owner
):
    await world(client, owner.tenant)
    soap_answer = post(live.endpoint, envelope(QUERY, "", owner))
    answer_of(soap_answer)
    used = int(soap_answer.headers["X-Ratelimit-Used"])
    rest_answer = get(f"{live.url}/v1/orders", **basic(owner.login, owner.password))
    assert rest_answer.status_code == 200, rest_answer.text
    assert int(rest_answer.headers["X-Ratelimit-Used"]) == used + 1
    again = post(live.endpoint, envelope(QUERY, "", owner))
    assert int(again.headers["X-Ratelimit-Used"]) == used + 2


async def test_past_the_rate_limit_a_call_is_a_fault_with_retry_after(
    settings, make_owner
):
    owner = await make_owner()
    application = create_app(settings.model_copy(update={"rate_limit": "2/15 minutes"}))
    with serve_in_thread(application, "uvicorn-soap-limited") as url:
        body = envelope(QUERY, "", owner)
        for _ in range(2):
            answer_of(post(url + PATH, body))
        limited = post(url + PATH, body)
        refused = fault_of(limited)
        assert (refused["faultcode"], refused["code"]) == ("soap:Client", "4")
        assert refused["faultstring"].startswith("Rate limited.")
        assert limited.headers["Retry-After"]
        assert limited.headers["X-Ratelimit-Remaining"] == "0"


async def test_failed_logins_lock_the_user_out_on_both_faces(settings, app, make_tenant):
    """Ten wrong passwords over SOAP from one address: then the right one is refused
    too, over SOAP and over REST (the sign-in guard counts per user and address)."""
    tenant = await make_tenant()
    async with app.state.database.session() as session:
        await administration.create_api_user(
            session, tenant.id, username="WSIlocked" + str(tenant.id),
            password="the-right-one-123", email="", integration_system="Fortnox")
    login = "WSIlocked" + str(tenant.id)
    credentials = (f"<GoodsOwnerCode>{tenant.id}</GoodsOwnerCode><UserName>{login}"
                   "</UserName><Password>{}</Password>")
    application = create_app(settings.model_copy(update={
        "rate_limit_login": "3/15 minutes", "redis_url": None}))
    with serve_in_thread(application, "uvicorn-soap-login") as url:
        for _ in range(3):
            refused = fault_of(post(url + PATH, envelope(
                QUERY, "", credentials=credentials.format("wrong"))))
            assert refused["code"] == "1"
        locked = fault_of(post(url + PATH, envelope(
            QUERY, "", credentials=credentials.format("the-right-one-123"))))
        assert (locked["faultcode"], locked["code"]) == ("soap:Client", "4")
        rest = get(f"{url}/v1/orders", **basic(login, "the-right-one-123"))
        assert rest.status_code == 429, rest.text


# -- envelopes (plain HTTP) ------------------------------------------------------------


@pytest.mark.parametrize("name,body,faultcode,words", [
    ("not XML", b"this is not xml", "soap:Client", "not well-formed XML"),
    ("no body", b"", "soap:Client", "no body"),
    ("not an envelope", b'<Envelope xmlns="urn:other"/>', "soap:VersionMismatch",
     "Only SOAP 1.1"),
    ("SOAP 1.2", b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope">'
     b"<e:Body/></e:Envelope>", "soap:VersionMismatch", "Only SOAP 1.1"),
    ("no Body", f'<s:Envelope xmlns:s="{SOAP_ENV}"/>'.encode(), "soap:Client",
     "one Body"),
    ("empty Body", f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body/></s:Envelope>'.encode(),
     "soap:Client", "exactly one operation"),
    ("unknown operation", f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><DeleteEverything '
     f'xmlns="{NS}"/></s:Body></s:Envelope>'.encode(), "soap:Client", "Unknown operation"),
    ("must understand", f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Header><Security '
     f'xmlns="urn:x" s:mustUnderstand="1"/></s:Header><s:Body/></s:Envelope>'.encode(),
     "soap:MustUnderstand", "not understood"),
])
def test_malformed_envelopes_are_faults(live, name, body, faultcode, words):
    refused = fault_of(post(live.endpoint, body))
    assert refused["faultcode"] == faultcode, name
    assert words in refused["faultstring"], (name, refused)
    assert refused["trace"].startswith("00-")


@pytest.mark.parametrize("inner,words", [
    ("<Query><OrderId>abc</OrderId></Query>", "OrderId"),
    ("<Query><PerPage>501</PerPage></Query>", "PerPage"),
    ("<Query><Unknown>1</Unknown></Query>", "Unknown"),
    ("<Query><Status>lost</Status></Query>", "Status"),
])
async def test_schema_violations_are_faults(live, owner, inner, words):
    refused = fault_of(post(live.endpoint, envelope(QUERY, inner, owner)))
    assert refused["faultcode"] == "soap:Client"
    assert refused["faultstring"].startswith("The request does not match the service's schema")
    assert words in refused["faultstring"]


async def test_missing_credentials_and_wrong_headers_are_faults(live, client, owner):
    await world(client, owner.tenant)
    no_password = envelope(QUERY, "", credentials=(
        f"<GoodsOwnerCode>{owner.code}</GoodsOwnerCode><UserName>{owner.login}</UserName>"))
    assert "Password" in fault_of(post(live.endpoint, no_password))["faultstring"]
    body = envelope(QUERY, "", owner)
    wrong_action = fault_of(post(live.endpoint, body, action=soap_action("ProcessOrder")))
    assert "does not name the operation" in wrong_action["faultstring"]
    for content_type in ("application/json", "application/soap+xml", ""):
        refused = fault_of(post(live.endpoint, body, content_type=content_type))
        assert "Content-Type: text/xml" in refused["faultstring"], content_type
    answer_of(post(live.endpoint, body))


# -- hostile XML -------------------------------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<soap:Envelope xmlns:soap="{soap}"><soap:Body><GetOrdersByQuery xmlns="{ns}">
<GoodsOwnerCode>&lol9;</GoodsOwnerCode><UserName>WSIx</UserName><Password>x</Password>
</GetOrdersByQuery></soap:Body></soap:Envelope>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "{target}">]>
<soap:Envelope xmlns:soap="{soap}"><soap:Body><ProcessArticle xmlns="{ns}">
<GoodsOwnerCode>{code}</GoodsOwnerCode><UserName>{login}</UserName>
<Password>{password}</Password><Article><ArticleNumber>XXE</ArticleNumber>
<Name>&xxe;</Name></Article></ProcessArticle></soap:Body></soap:Envelope>"""


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's hook
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"FETCHED-BY-THE-SERVER")

    def log_message(self, *args):
        pass


@pytest.fixture
def bait() -> Iterator[str]:
    """An HTTP server an external entity could point at: it records every request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/secret"
    finally:
        server.shutdown()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_billion_laughs_is_refused_unexpanded(live, encoding):
    document = LAUGHS.format(soap=SOAP_ENV, ns=NS)
    if encoding == "utf-16":
        # The declaration's bytes are not ASCII here: the parsed document is checked too.
        document = document.replace('<?xml version="1.0"?>',
                                    '<?xml version="1.0" encoding="UTF-16"?>')
    response = post(live.endpoint, document.encode(encoding))
    refused = fault_of(response)
    assert refused["faultcode"] == "soap:Client"
    assert refused["faultstring"] == "Document type declarations (DOCTYPE) are not accepted."
    assert "lollol" not in response.text
    assert len(response.content) < 2000


@pytest.mark.parametrize("target", ["file:///etc/passwd", "bait"])
async def test_external_entities_are_refused_and_never_read(
    live, client, owner, bait, target
):
    target = bait if target == "bait" else target
    # UTF-16 and UTF-32 hide the declaration from a look at the bytes as ASCII.
    for encoding, declared in (("utf-8", "UTF-8"), ("utf-16", "UTF-16"),
                               ("utf-32", "UTF-32")):
        document = EXTERNAL.format(soap=SOAP_ENV, ns=NS, target=target, code=owner.code,
                                   login=owner.login, password=owner.password)
        document = document.replace('<?xml version="1.0"?>',
                                    f'<?xml version="1.0" encoding="{declared}"?>')
        response = post(live.endpoint, document.encode(encoding))
        refused = fault_of(response)
        assert refused["faultstring"] == ("Document type declarations (DOCTYPE) are not "
                                          "accepted.")
        assert "root:" not in response.text and "FETCHED" not in response.text
    assert Recorder.requests == []
    items = await client.get("/v1/items", params={"number": "XXE"},
                             headers=owner.tenant.headers)
    assert items.json() == []


def test_the_parsed_document_is_checked_too(monkeypatch, bait):
    """The second line: were the look at the bytes fooled (an encoding it does not
    know), the parsed document's DOCTYPE is refused, and its entity was not fetched."""
    monkeypatch.setattr(envelope_module, "_declares_doctype", lambda body: False)
    document = EXTERNAL.format(soap=SOAP_ENV, ns=NS, target=bait, code="1", login="WSIx",
                               password="x")
    with pytest.raises(Fault) as refused:
        envelope_module.parse(document.encode())
    assert refused.value.message == envelope_module.NO_DOCTYPE
    assert Recorder.requests == []


def test_an_xinclude_is_an_unknown_element_not_an_inclusion(live, owner):
    inner = ('<Query><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
             'href="file:///etc/passwd" parse="text"/></Query>')
    response = post(live.endpoint, envelope(QUERY, inner, owner))
    assert fault_of(response)["faultcode"] == "soap:Client"
    assert "root:" not in response.text


# -- the body limit ---------------------------------------------------------------------


async def test_a_body_over_the_limit_is_a_fault_read_or_not(settings, owner):
    application = create_app(settings.model_copy(update={"max_body_bytes": 4096}))
    with serve_in_thread(application, "uvicorn-soap-small") as url:
        comment = "x" * 5000
        body = envelope("ProcessOrder", f"<Order><Comment>{comment}</Comment></Order>", owner)
        refused = fault_of(post(url + PATH, body))  # Content-Length says it: not read
        assert (refused["faultcode"], refused["code"]) == ("soap:Client", "8")
        assert refused["faultstring"] == ("The request body is too large. The body may be "
                                          "at most 4096 bytes.")

        def chunks():  # no Content-Length: counted while it is read
            for start in range(0, len(body), 1000):
                yield body[start:start + 1000]

        assert fault_of(post(url + PATH, chunks()))["code"] == "8"
        # Under the limit, the same server answers.
        answer_of(post(url + PATH, envelope(QUERY, "", owner)))


async def test_plain_http_in_production_is_a_fault(settings, owner):
    """The edge refuses plain HTTP in production; on this face, as a Fault."""
    production = create_app(settings.model_copy(update={"dev": False}))
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        response = await plain.post(PATH, content=envelope(QUERY, "", owner),
                                    headers={"Content-Type": "text/xml"})
        wsdl = await plain.get(PATH, params={"wsdl": ""})
    for answer in (response, wsdl):
        refused = fault_of(answer)
        assert (refused["faultstring"], refused["code"]) == ("Forbidden. HTTPS is required.",
                                                             "6")


# -- our own failures -------------------------------------------------------------------


def test_an_unexpected_error_is_a_server_fault_with_the_trace_id(settings, tmp_path, owner):
    """The database is unreachable: a Server Fault naming the trace id, no stack trace."""
    broken = settings.model_copy(update={
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/workledger.db",
        "sandbox_database_url": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/sandbox.db"})
    with serve_in_thread(create_app(broken), "uvicorn-soap-broken") as url:
        response = post(url + PATH, envelope(QUERY, "", owner))
    refused = fault_of(response)
    assert (refused["faultcode"], refused["code"]) == ("soap:Server", "0")
    assert refused["faultstring"] == (f"Unexpected error. Quote trace id {refused['trace']} "
                                      "when you contact support.")
    assert response.headers["X-Trace-Id"] == refused["trace"]
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
