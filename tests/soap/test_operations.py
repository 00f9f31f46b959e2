"""ProcessArticle, GetArticlesByQuery, GetInventoryByQuery, ProcessInOrder and
GetInvoicesByQuery through zeep, checked against what /v1 answers for the same rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import zeep

from tests.orders.helpers import receive, world
from workledger.models import Invoice, InvoiceCharge


async def rest(client, owner, path: str, **params):
    response = await client.get(path, params=params, headers=owner.tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_process_article_creates_then_updates_by_number(client, soap, owner):
    created = soap.service.ProcessArticle(**owner.credentials, Article={
        "ArticleNumber": "SKU-1", "Name": "Garden hose", "Kind": "stock_goods",
        "Unit": "m", "SalesPrice": Decimal("19.90"), "TaxRate": Decimal("25")})
    assert created.Success is True, created
    assert created.Message == "Article SKU-1 created."
    [item] = await rest(client, owner, "/v1/items", number="SKU-1")
    assert item["id"] == created.ArticleId
    assert (item["name"], item["unit"], item["sales_price"]) == ("Garden hose", "m", 19.9)

    updated = soap.service.ProcessArticle(**owner.credentials, Article={
        "ArticleNumber": "SKU-1", "SalesPrice": Decimal("21")})
    assert (updated.Success, updated.ArticleId) == (True, created.ArticleId)
    assert updated.Message == "Article SKU-1 updated."
    [item] = await rest(client, owner, "/v1/items", number="SKU-1")
    assert (item["name"], item["sales_price"]) == ("Garden hose", 21)

    # A new article needs a name (the REST rule): Success=false naming the element.
    refused = soap.service.ProcessArticle(**owner.credentials, Article={
        "ArticleNumber": "SKU-2"})
    assert (refused.Success, refused.ErrorCode) == (False, "3")
    assert refused.ErrorMessage == "Article/Name: name is required."
    assert await rest(client, owner, "/v1/items", number="SKU-2") == []

    found = soap.service.GetArticlesByQuery(**owner.credentials,
                                            Query={"ArticleNumber": "SKU-1"})
    [article] = found.Article
    assert (article.ArticleId, article.Name, article.Kind, article.SalesPrice) == (
        created.ArticleId, "Garden hose", "stock_goods", Decimal("21"))
    everything = soap.service.GetArticlesByQuery(**owner.credentials)
    assert [a.ArticleNumber for a in everything.Article] == ["SKU-1"]


async def test_inventory_is_stock_per_article_and_warehouse(client, soap, owner):
    made = await world(client, owner.tenant)
    await receive(client, owner.tenant, made["goods"], 10)
    await receive(client, owner.tenant, made["oil"], 2.5)
    order = await client.post("/v1/orders", headers=owner.tenant.headers, json={
        "customer_id": made["customer"], "lines": [{"item_id": made["goods"], "quantity": 4}]})
    await client.post(f"/v1/orders/{order.json()['id']}/allocate", headers=owner.tenant.headers)

    answer = soap.service.GetInventoryByQuery(**owner.credentials)
    rest_levels = await rest(client, owner, "/v1/stock")
    assert len(answer.InventoryLine) == len(rest_levels) == 2
    assert [(line.ArticleId, line.WarehouseId, line.OnHand, line.Allocated, line.Available)
            for line in answer.InventoryLine] == [
        (level["item_id"], level["warehouse_id"], Decimal(str(level["on_hand"])),
         Decimal(str(level["allocated"])), Decimal(str(level["available"])))
        for level in rest_levels]
    by_number = soap.service.GetInventoryByQuery(**owner.credentials,
                                                 Query={"ArticleNumber": "BOLT"})
    [bolt] = by_number.InventoryLine
    assert (bolt.ArticleNumber, bolt.ArticleName, bolt.OnHand, bolt.Allocated,
            bolt.Available) == ("BOLT", "Bolt", Decimal("10"), Decimal("4"), Decimal("6"))
    nothing = soap.service.GetInventoryByQuery(**owner.credentials,
                                               Query={"ArticleNumber": "NO-SUCH"})
    assert nothing.InventoryLine == [] and nothing.HasMore is False


async def test_process_in_order_creates_and_updates_a_purchase_order(client, soap, owner):
    made = await world(client, owner.tenant)
    supplier = (await client.post("/v1/suppliers", headers=owner.tenant.headers,
                                  json={"company_name": "Wholesale AS"})).json()
    created = soap.service.ProcessInOrder(**owner.credentials, InOrder={
        "SupplierId": supplier["id"], "ExpectedDate": date(2026, 12, 24),
        "Lines": {"Line": [{"ArticleNumber": "BOLT", "Quantity": 100,
                            "UnitPrice": Decimal("1.1")}]}})
    assert created.Success is True, created
    assert created.Message == f"Purchase order {created.InOrderNumber} created."
    stored = await rest(client, owner, f"/v1/purchase-orders/{created.InOrderId}")
    assert stored["number"] == created.InOrderNumber
    assert stored["expected_date"] == "2026-12-24"
    assert [(line["item_id"], line["quantity"]) for line in stored["lines"]] == [
        (made["goods"], 100)]
    # Incoming stock follows, as for a purchase order made over REST.
    [level] = await rest(client, owner, "/v1/stock", item_id=made["goods"])
    assert level["incoming"] == 100

    updated = soap.service.ProcessInOrder(**owner.credentials, InOrder={
        "InOrderNumber": created.InOrderNumber,
        "Lines": {"Line": [{"ArticleNumber": "PART", "Quantity": 5}]}})
    assert (updated.Success, updated.InOrderId) == (True, created.InOrderId)
    stored = await rest(client, owner, f"/v1/purchase-orders/{created.InOrderId}")
    assert [(line["item_id"], line["quantity"]) for line in stored["lines"]] == [
        (made["part"], 5)]

    received = await client.post(f"/v1/purchase-orders/{created.InOrderId}/receive",
                                 headers=owner.tenant.headers)
    assert received.status_code == 200, received.text
    refused = soap.service.ProcessInOrder(**owner.credentials, InOrder={
        "InOrderNumber": created.InOrderNumber, "Comment": "too late"})
    assert (refused.Success, refused.ErrorCode) == (False, "3027")
    assert refused.ErrorMessage.startswith("InOrder/Status: ")
    assert (await rest(client, owner, f"/v1/purchase-orders/{created.InOrderId}")
            )["comment"] == ""


async def test_invoices_come_with_their_rows(app, client, live, make_owner):
    owner = await make_owner(invoices=True)
    made = await world(client, owner.tenant)
    order = (await client.post("/v1/orders", headers=owner.tenant.headers, json={
        "customer_id": made["customer"],
        "lines": [{"item_id": made["goods"], "quantity": 1}]})).json()
    async with app.state.database.session() as session:
        invoice = Invoice(company_id=owner.tenant.id, number="INV-1",
                          customer_id=made["customer"], date=date(2026, 11, 2),
                          due_date=date(2026, 11, 16), status="sent",
                          total_excl_tax=Decimal("60"), total_tax=Decimal("15"),
                          total_incl_tax=Decimal("75"))
        session.add(invoice)
        await session.flush()
        session.add_all([
            InvoiceCharge(company_id=owner.tenant.id, invoice_id=invoice.id,
                          order_id=order["id"], code="handling_order", title="Handling",
                          price=Decimal("50"), quantity=Decimal("1"),
                          action_date=date(2026, 11, 1), comment=""),
            InvoiceCharge(company_id=owner.tenant.id, invoice_id=invoice.id, code="freight",
                          title="Freight", price=Decimal("2.5"), quantity=Decimal("4"),
                          action_date=date(2026, 11, 1), comment="by hand"),
            # Not yet invoiced: on no invoice's rows.
            InvoiceCharge(company_id=owner.tenant.id, code="handling_line", title="Line",
                          price=Decimal("1"), quantity=Decimal("1"),
                          action_date=date(2026, 11, 1), comment=""),
        ])
        await session.flush()
        invoice_id = invoice.id

    answer = live.zeep().service.GetInvoicesByQuery(**owner.credentials)
    [found] = answer.Invoice
    listed = await client.get("/v1/invoices", headers=owner.tenant.headers)
    [rest_invoice] = listed.json()
    assert found.InvoiceId == rest_invoice["id"] == invoice_id
    assert (found.InvoiceNumber, found.Status, found.TotalInclTax) == (
        "INV-1", "sent", Decimal("75"))
    # zeep reads an empty element (<Comment/>) as None.
    assert [(row.Code, row.OrderId, row.Price, row.Quantity, row.Comment or "")
            for row in found.Rows.Row] == [
        ("handling_order", order["id"], Decimal("50"), Decimal("1"), ""),
        ("freight", None, Decimal("2.5"), Decimal("4"), "by hand")]
    none = live.zeep().service.GetInvoicesByQuery(**owner.credentials,
                                                  Query={"Status": "paid"})
    assert none.Invoice == []


async def test_without_the_invoice_permission_invoices_are_a_fault(client, soap, owner):
    try:
        soap.service.GetInvoicesByQuery(**owner.credentials)
    except zeep.exceptions.Fault as fault:
        assert fault.code.endswith("Client")
        assert fault.message == "Forbidden. This credential lacks the 'invoices' permission."
    else:
        raise AssertionError("GetInvoicesByQuery answered without the invoice permission")
    # The same user on REST: 403, as the same principal.
    from tests.auth.conftest import basic

    response = await client.get("/v1/invoices", headers=basic(owner.login, owner.password))
    assert response.status_code == 403 and response.json()["code"] == "6"


async def test_process_messages_are_in_the_requested_language(client, soap, owner):
    """``LanguageCode`` words the success message and a number that names nothing."""
    created = soap.service.ProcessArticle(**owner.credentials, LanguageCode=7, Article={
        "ArticleNumber": "SKU-ES", "Name": "Manguera", "Kind": "stock_goods"})
    assert created.Success is True and created.Message == "Artículo SKU-ES creado."
    unknown = soap.service.ProcessOrder(**owner.credentials, LanguageCode=3, Order={
        "OrderNumber": "NO-SUCH", "Comment": "x"})
    assert unknown.Success is False
    assert unknown.Message == "Resursen hittades inte."
    assert unknown.ErrorMessage == "Det finns ingen order med nummer 'NO-SUCH'."
