"""ProcessOrder and GetOrdersByQuery through zeep: the same orders as /v1/orders, the
same rules, and a refused change leaves nothing behind."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from lxml import etree

from tests.orders.helpers import receive, world
from tests.soap.conftest import PATH
from workledger.kit.i18n import NORWEGIAN
from workledger.kit.rules import OrderDelivered
from workledger.soap.envelope import NS, SOAP_ENV, soap_action

SEVEN = {"GetOrdersByQuery", "ProcessOrder", "GetArticlesByQuery", "ProcessArticle",
         "GetInventoryByQuery", "ProcessInOrder", "GetInvoicesByQuery"}
WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/",
           "soap": "http://schemas.xmlsoap.org/wsdl/soap/"}


async def rest_order(client, owner, order_id: int) -> dict:
    response = await client.get(f"/v1/orders/{order_id}", headers=owner.tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_wsdl_names_the_public_address_and_seven_operations(live, soap):
    # Whatever Host the request names, the address is the configured public URL.
    response = httpx.get(f"{live.endpoint}?wsdl", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    document = etree.fromstring(response.content)
    [address] = document.xpath("//soap:address/@location", namespaces=WSDL_NS)
    assert address == live.endpoint
    assert "evil.example" not in response.text
    assert document.get("targetNamespace") == NS
    [binding] = document.xpath("//wsdl:binding/soap:binding", namespaces=WSDL_NS)
    assert binding.get("style") == "document"
    assert set(document.xpath("//wsdl:binding/wsdl:operation/@name",
                              namespaces=WSDL_NS)) == SEVEN
    assert set(document.xpath("//wsdl:binding//soap:body/@use", namespaces=WSDL_NS)) == {
        "literal"}
    # zeep read the same document: seven operations, posting to that address.
    [service] = soap.wsdl.services.values()
    [port] = service.ports.values()
    assert set(port.binding._operations) == SEVEN
    assert port.binding_options["address"] == live.endpoint
    # ?WSDL works too; a GET without it says where things are.
    assert httpx.get(f"{live.endpoint}?WSDL").content == response.content
    plain = httpx.get(live.endpoint)
    assert plain.status_code == 400 and "?wsdl" in plain.text


async def test_process_order_creates_reads_back_and_updates_by_number(client, soap, owner):
    made = await world(client, owner.tenant)
    created = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "Reference": "Web shop 1001",
        "Lines": {"Line": [
            {"ArticleNumber": "BOLT", "Quantity": Decimal("3")},
            {"ArticleId": made["oil"], "Quantity": Decimal("1.5"), "UnitPrice": Decimal("12")},
        ]},
    })
    assert created.Success is True, created
    assert created.ErrorMessage in ("", None)
    assert created.Message == f"Order {created.OrderNumber} created."

    # Read back over SOAP, by number, and over REST: the same order.
    found = soap.service.GetOrdersByQuery(**owner.credentials,
                                          Query={"OrderNumber": created.OrderNumber})
    assert found.HasMore is False
    [order] = found.Order
    rest = await rest_order(client, owner, created.OrderId)
    assert order.OrderId == rest["id"] == created.OrderId
    assert order.OrderNumber == rest["number"]
    assert order.Reference == rest["reference"] == "Web shop 1001"
    assert order.Status == rest["status"] == "open"
    assert order.GrossAmount == Decimal(str(rest["gross_amount"]))
    assert [(line.ArticleNumber, line.Quantity, line.UnitPrice) for line in order.Lines.Line] \
        == [("BOLT", Decimal("3"), Decimal("2.5")), ("OIL", Decimal("1.5"), Decimal("12"))]
    assert [(line["item_id"], line["quantity"]) for line in rest["lines"]] == [
        (made["goods"], 3), (made["oil"], 1.5)]
    assert [line.LineId for line in order.Lines.Line] == [line["id"] for line in rest["lines"]]

    # Update by order number: the first line changed, the second gone, a third new.
    first = order.Lines.Line[0].LineId
    updated = soap.service.ProcessOrder(**owner.credentials, Order={
        "OrderNumber": created.OrderNumber, "Comment": "Changed over SOAP",
        "Lines": {"Line": [{"LineId": first, "Quantity": Decimal("4")},
                           {"ArticleNumber": "PART", "Quantity": Decimal("2")}]},
    })
    assert (updated.Success, updated.OrderId, updated.OrderNumber) == (
        True, created.OrderId, created.OrderNumber)
    assert updated.Message == f"Order {created.OrderNumber} updated."
    rest = await rest_order(client, owner, created.OrderId)
    assert rest["comment"] == "Changed over SOAP"
    assert [(line["id"] == first, line["item_id"], line["quantity"])
            for line in rest["lines"]] == [(True, made["goods"], 4), (False, made["part"], 2)]
    assert rest["net_amount"] == 4 * 2.5 + 2 * 7

    # Without Lines the lines stay; REST-created orders are found over SOAP too.
    soap.service.ProcessOrder(**owner.credentials, Order={
        "OrderNumber": created.OrderNumber, "Reference": "Only the reference"})
    assert len((await rest_order(client, owner, created.OrderId))["lines"]) == 2
    by_rest = await client.post("/v1/orders", headers=owner.tenant.headers, json={
        "customer_id": made["customer"], "lines": [{"item_id": made["goods"], "quantity": 1}]})
    page = soap.service.GetOrdersByQuery(**owner.credentials, Query={"PerPage": 1})
    assert page.HasMore is True and [o.OrderId for o in page.Order] == [created.OrderId]
    page = soap.service.GetOrdersByQuery(**owner.credentials, Query={"Page": 2, "PerPage": 1})
    assert [o.OrderId for o in page.Order] == [by_rest.json()["id"]]
    assert page.HasMore is False


async def test_import_id_makes_a_resent_order_an_update(client, soap, owner):
    made = await world(client, owner.tenant)
    order = {"ImportId": "shop-77", "CustomerId": made["customer"],
             "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 1}]}}
    first = soap.service.ProcessOrder(**owner.credentials, Order=order)
    again = soap.service.ProcessOrder(**owner.credentials, Order=order)
    assert first.Success and again.Success
    assert again.OrderId == first.OrderId
    assert first.Message.endswith("created.") and again.Message.endswith("updated.")
    listed = await client.get("/v1/orders", params={"import_id": "shop-77"},
                              headers=owner.tenant.headers)
    assert [o["id"] for o in listed.json()] == [first.OrderId]


async def test_an_unknown_article_is_success_false_and_nothing_is_stored(client, soap, owner):
    made = await world(client, owner.tenant)
    first = await client.post("/v1/orders", headers=owner.tenant.headers, json={
        "customer_id": made["customer"], "lines": [{"item_id": made["goods"], "quantity": 1}]})
    before = await client.get("/v1/orders", headers=owner.tenant.headers)
    refused = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"],
        "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 1},
                           {"ArticleNumber": "NO-SUCH", "Quantity": 1}]}})
    assert refused.Success is False
    assert refused.ErrorCode == "30"
    assert refused.Message == "Business logic violation. The request cannot be fulfilled."
    assert refused.ErrorMessage == "Order/Lines/Line[2]/ArticleNumber: Invalid Item Number."
    assert refused.OrderId is None and refused.OrderNumber is None
    # A rule that breaks after the order's number was issued: that is rolled back too.
    refused = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "ContactId": made["stranger_contact"],
        "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 1}]}})
    assert (refused.Success, refused.ErrorCode) == (False, "30")
    assert refused.ErrorMessage == ("Order/ContactId: The contact is not a contact of the "
                                    "order's customer.")
    after = await client.get("/v1/orders", headers=owner.tenant.headers)
    assert after.json() == before.json() == [first.json()]
    # Not even an order number was used up: the next order gets the next one.
    good = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "Lines": {"Line": [{"ArticleNumber": "BOLT",
                                                            "Quantity": 1}]}})
    assert int(good.OrderNumber) == int(first.json()["number"]) + 1
    # A validation problem (a serial on a non-unique item) is Success=false as well.
    refused = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "Lines": {"Line": [
            {"ArticleNumber": "BOLT", "Quantity": 1,
             "SerialNumbers": {"SerialNumber": ["S-1"]}}]}})
    assert (refused.Success, refused.ErrorCode) == (False, "3")
    assert refused.ErrorMessage.startswith("Order/Lines/Line[1]/SerialNumbers: ")


@pytest.mark.parametrize("action,code,status", [
    ("deliver", "3025", "delivered"),
    ("allocate", "3026", "allocated"),
    ("cancel", "30", "cancelled"),
])
async def test_an_order_that_can_no_longer_change_is_success_false(
    client, soap, owner, action, code, status
):
    made = await world(client, owner.tenant)
    await receive(client, owner.tenant, made["goods"], 10)
    created = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "Lines": {"Line": [{"ArticleNumber": "BOLT",
                                                            "Quantity": 2}]}})
    acted = await client.post(f"/v1/orders/{created.OrderId}/{action}",
                              headers=owner.tenant.headers)
    assert acted.status_code == 200, acted.text
    before = await rest_order(client, owner, created.OrderId)
    assert before["status"] == status
    refused = soap.service.ProcessOrder(**owner.credentials, Order={
        "OrderNumber": created.OrderNumber, "Comment": "too late",
        "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 5}]}})
    assert (refused.Success, refused.ErrorCode) == (False, code)
    assert refused.ErrorMessage.startswith("Order/Status: ")
    assert await rest_order(client, owner, created.OrderId) == before


async def test_refusals_speak_the_requests_language(client, soap, owner):
    made = await world(client, owner.tenant)
    await receive(client, owner.tenant, made["goods"], 10)
    created = soap.service.ProcessOrder(**owner.credentials, Order={
        "CustomerId": made["customer"], "Lines": {"Line": [{"ArticleNumber": "BOLT",
                                                            "Quantity": 1}]}})
    await client.post(f"/v1/orders/{created.OrderId}/deliver", headers=owner.tenant.headers)
    refused = soap.service.ProcessOrder(**owner.credentials, LanguageCode=NORWEGIAN, Order={
        "OrderNumber": created.OrderNumber, "Comment": "x"})
    norwegian = OrderDelivered.message.in_language(NORWEGIAN)
    assert norwegian != str(OrderDelivered.message)
    assert refused.Message == norwegian
    assert refused.ErrorMessage.startswith(f"Order/Status: {norwegian}")


async def test_an_unknown_order_number_is_success_false(client, soap, owner):
    await world(client, owner.tenant)
    refused = soap.service.ProcessOrder(**owner.credentials, Order={
        "OrderNumber": "999999", "Comment": "x"})
    assert (refused.Success, refused.ErrorCode) == (False, "2")
    assert refused.ErrorMessage == "No order with number '999999'."


async def test_soap_action_may_be_sent_or_left_out(live, client, owner):
    """zeep sends SOAPAction; plain clients may send it empty, or not at all."""
    from tests.soap.conftest import answer_of, envelope, post

    await world(client, owner.tenant)
    body = envelope("GetOrdersByQuery", "", owner)
    for action in (None, "", soap_action("GetOrdersByQuery")):
        answer = answer_of(post(live.endpoint, body, action=action))
        assert answer.tag == f"{{{NS}}}GetOrdersByQueryResponse"
    assert SOAP_ENV  # the answers were envelopes of SOAP 1.1 (answer_of checked)
    assert PATH == "/soap/goodsowner"


async def test_the_openapi_document_points_to_the_soap_face_without_describing_it(client):
    spec = (await client.get("/openapi.json")).json()
    assert not [path for path in spec["paths"] if path.startswith("/soap")]
    description = spec["info"]["description"]
    assert "`GET /soap/goodsowner?wsdl`" in description and "docs/soap.md" in description
