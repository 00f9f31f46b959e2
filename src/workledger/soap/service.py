"""The seven goods-owner operations, mapped onto the services the REST API uses.

Nothing here decides a business question: a ``Process*`` operation turns its XML into
the REST resource's write schema (``OrderCreate``, ``ItemUpdate``, ...) and hands it to
that resource's service (``OrderService.create_or_update`` / ``update``), so numbering,
references, tenancy, the editable guard and every rule are the same ones; a
``Get*ByQuery`` reads a page through the resource's repository (``readable()``: the
caller's company only). Names translate between the two faces through one table per
object (:class:`Member`): ``ArticleNumber`` is ``item_number``, ``InOrder`` a purchase
order.

``Process*``: the work runs in a savepoint. A refusal the REST API answers with a
problem document — a business rule (422), a validation problem (400), an unknown order
number (404) — rolls the savepoint back and answers ``Success=false`` with the message
(in the request's ``LanguageCode``) and the REST code in ``ErrorCode``: nothing of the
failed request stays.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.auth.principal import INVOICES, READ, WRITE
from workledger.invoices.endpoints import INVOICES as INVOICE_RESOURCE
from workledger.items import schemas as item_schemas
from workledger.items.endpoints import ITEMS
from workledger.items.repository import ItemRepository
from workledger.kit.i18n import N_, Message
from workledger.kit.listing import DEFAULT_PER_PAGE, ListQuery
from workledger.kit.problems import NotFound, Problem, ValidationProblem
from workledger.kit.repository import rows_by_id
from workledger.kit.resource import Resource
from workledger.kit.rules import BusinessRule, member_path
from workledger.models import Invoice, Item, Order, StockLevel
from workledger.orders import schemas as order_schemas
from workledger.orders.endpoints import ORDERS
from workledger.purchase_orders import schemas as purchase_schemas
from workledger.purchase_orders.endpoints import PURCHASE_ORDERS
from workledger.soap.envelope import NS, child, q, text_for, value_of
from workledger.soap.repository import InvoiceRowRepository
from workledger.stock.endpoints import STOCK

E = ElementMaker(namespace=NS, nsmap={None: NS})


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    company_id: int


# -- the two faces' names -------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One element of a SOAP object and the REST member it is: ``Member("ArticleNumber",
    "item_number", "string")``. ``kind`` is how the element's text reads
    (envelope.READERS)."""

    soap: str
    rest: str
    #: How the element's text reads (envelope.READERS); ``"serials"``: a list of
    #: ``SerialNumber`` elements.
    kind: str = "string"


def read_members(element: etree._Element | None, members: Sequence[Member]
                 ) -> dict[str, Any]:
    """``{rest member: value}`` of the elements present (an element left out is a
    member not sent: unchanged on update, the default on create)."""
    values: dict[str, Any] = {}
    for member in members:
        found = child(element, member.soap)
        if found is None:
            continue
        if member.kind == "serials":
            values[member.rest] = [entry.text or ""
                                   for entry in found.findall(q("SerialNumber"))]
        else:
            values[member.rest] = value_of(found, member.kind)
    return values


def soap_member(path: str, root: str, top: Sequence[Member], lines: Sequence[Member]) -> str:
    """A REST member path in a refusal, as the SOAP request spells it:
    ``lines[2].item_number`` → ``Order/Lines/Line[3]/ArticleNumber`` (XPath counts from
    1)."""
    def name(rest: str, members: Sequence[Member]) -> str:
        for member in members:
            if member.rest == rest:
                return member.soap
        return "".join(part.capitalize() for part in rest.split("_"))

    line = re.fullmatch(r"lines\[(\d+)\](?:\.(\w+))?", path)
    if line:
        where = f"{root}/Lines/Line[{int(line[1]) + 1}]"
        return f"{where}/{name(line[2], lines)}" if line[2] else where
    if re.fullmatch(r"\w+", path):
        return f"{root}/{name(path, top)}"
    return path


# -- answers --------------------------------------------------------------------------

Getter = Callable[[Any], Any]


def render(tag: str, obj: Any, fields: Iterable[tuple[str, Getter]]) -> etree._Element:
    """``<tag>`` with one child per field, in the schema's order; a ``None`` value
    leaves its (optional) element out; an element value is appended as it is."""
    element = etree.Element(q(tag), nsmap={None: NS})
    for name, get in fields:
        value = get(obj)
        if value is None:
            continue
        if isinstance(value, etree._Element):
            element.append(value)
            continue
        etree.SubElement(element, q(name)).text = text_for(value)
    return element


def attr(name: str) -> Getter:
    return operator.attrgetter(name)


def serial_list(values: Sequence[str]) -> etree._Element:
    return E.SerialNumbers(*(E.SerialNumber(value) for value in values))


def page_result(tag: str, items: list[etree._Element], has_more: bool) -> etree._Element:
    result = etree.Element(q(f"{tag}Result"), nsmap={None: NS})
    result.extend(items)
    etree.SubElement(result, q("HasMore")).text = text_for(has_more)
    response = etree.Element(q(f"{tag}Response"), nsmap={None: NS})
    response.append(result)
    return response


def process_result(operation: str, *, success: bool, message: str, error: str = "",
                   code: str | None = None, ids: Sequence[tuple[str, Any]] = ()
                   ) -> etree._Element:
    result = E(f"{operation}Result", E.Success(text_for(success)), E.Message(message),
               E.ErrorMessage(error))
    if code is not None:
        result.append(E.ErrorCode(code))
    for name, value in ids:
        if value is not None:
            result.append(E(name, text_for(value)))
    return E(f"{operation}Response", result)


# -- queries --------------------------------------------------------------------------

COMPARE = {"eq": operator.eq, "gte": operator.ge, "lte": operator.le}


@dataclass(frozen=True)
class Filter:
    """A query element and the condition it makes: ``Filter("FromOrderDate",
    Order.order_date, "date", "gte")``."""

    soap: str
    column: Any
    kind: str
    op: str = "eq"


def list_query(resource: Resource, model: type, query: etree._Element | None,
               filters: Sequence[Filter]) -> ListQuery:
    """The resource's own listing (its spec, id order) with the query's conditions."""
    conditions = []
    for spec in filters:
        found = child(query, spec.soap)
        if found is not None:
            conditions.append(COMPARE[spec.op](spec.column, value_of(found, spec.kind)))
    page = child(query, "Page")
    per_page = child(query, "PerPage")
    return ListQuery(
        resource.spec,
        page=1 if page is None else value_of(page, "int"),
        per_page=DEFAULT_PER_PAGE if per_page is None else value_of(per_page, "int"),
        want_total=False, order=[model.id.asc()], conditions=conditions,
    )


async def item_numbers(ctx: Context, item_ids: Iterable[int]) -> dict[int, Item]:
    return await rows_by_id(ctx.session, ctx.company_id, Item, set(item_ids))


# -- writes ---------------------------------------------------------------------------


class Refused(Exception):  # noqa: N818 - not an error of ours: the caller's refusal
    """A ``Process*`` request the domain refused; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def validated(schema: type[BaseModel], values: Mapping[str, Any]) -> BaseModel:
    """The REST write schema over ``values``: its bounds and gates hold here too."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for entry in error.errors():
            where = member_path(*entry["loc"]) or "body"
            errors.setdefault(where, []).append(entry["msg"].removeprefix("Value error, "))
        raise ValidationProblem(N_("One or more members are not valid.").in_language(),
                                errors=errors) from None


async def attempt(ctx: Context, work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` in a savepoint: what the domain refuses is rolled back and raised
    as :class:`Refused`; anything else goes up (a Server Fault, the whole request
    rolled back)."""
    savepoint = await ctx.session.begin_nested()
    try:
        result = await work()
        await ctx.session.flush()
    except Problem as problem:
        await savepoint.rollback()
        raise Refused(problem) from None
    except IntegrityError:
        # A concurrent request stored a conflicting row between check and write.
        await savepoint.rollback()
        raise Refused(ValidationProblem(N_(
            "The change conflicts with data stored meanwhile; send it again.").in_language()
        )) from None
    except DataError:
        await savepoint.rollback()
        raise Refused(ValidationProblem(
            N_("A value is out of range for its field.").in_language())) from None
    await savepoint.commit()
    return result


def refusal_text(problem: Problem, spell: Callable[[str], str]) -> str:
    """What was refused, member by member, in the request's language where the
    catalogue has it, with the detail after."""
    parts: list[str] = []
    if isinstance(problem, BusinessRule):
        for violation in problem.violations:
            members = ", ".join(spell(member) for member in violation.members)
            parts.append(f"{members}: {violation.message(type(problem))}")
    for member, texts in (problem.errors or {}).items():
        parts.extend(f"{spell(member)}: {text}" for text in texts)
    if problem.reason:
        parts.append(problem.reason)
    if problem.detail and not problem.errors:
        parts.append(problem.detail)
    return " ".join(part if part.endswith(".") else part + "." for part in parts)


@dataclass(frozen=True)
class Written:
    obj: Any
    created: bool


async def upsert_by_number(
    ctx: Context, resource: Resource, *, number: str | None, values: dict[str, Any],
    create: type[BaseModel], update: type[BaseModel], missing: Message,
) -> Written:
    """The object ``number`` names updated, or (no number) created — or, with an
    ``import_id`` that exists, that object updated, as ``POST`` does on REST."""
    service = resource.service(ctx.session, ctx.company_id)
    if number is not None:
        existing = await service.repo.find(number=number)
        if existing is None:
            raise NotFound(missing.say(number=number))
        return Written(await service.update(existing.id, validated(update, values)), False)
    known = None
    if values.get("import_id"):
        known = await service.repo.find(import_id=values["import_id"])
    obj = await service.create_or_update(validated(create, values))
    return Written(obj, known is None)


# -- orders ---------------------------------------------------------------------------

ORDER_MEMBERS = (
    Member("OrderNumber", "number"), Member("ImportId", "import_id"),
    Member("CustomerId", "customer_id", "int"),
    Member("CustomerExternalId", "customer_external_id"),
    Member("ContactId", "contact_id", "int"), Member("ContactExternalId", "contact_external_id"),
    Member("WarehouseId", "warehouse_id", "int"), Member("OrderDate", "order_date", "date"),
    Member("DeliveryDate", "delivery_date", "date"), Member("Reference", "reference"),
    Member("Source", "source"), Member("Comment", "comment"),
    Member("WorkflowStatusId", "workflow_status_id", "int"), Member("Status", "status"),
)
ORDER_LINE_MEMBERS = (
    Member("LineId", "id", "int"), Member("Position", "position", "int"),
    Member("ArticleId", "item_id", "int"), Member("ArticleNumber", "item_number"),
    Member("Description", "description"), Member("Quantity", "quantity", "decimal"),
    Member("UnitPrice", "unit_price", "decimal"), Member("TaxRate", "tax_rate", "decimal"),
    Member("Process", "process", "int"),
    Member("WorkflowStatusId", "workflow_status_id", "int"),
    Member("ImportId", "import_id"), Member("SerialNumbers", "serial_numbers", "serials"),
)
ORDER_FILTERS = (
    Filter("OrderId", Order.id, "int"), Filter("OrderNumber", Order.number, "string"),
    Filter("ImportId", Order.import_id, "string"),
    Filter("CustomerId", Order.customer_id, "int"), Filter("Status", Order.status, "string"),
    Filter("FromOrderDate", Order.order_date, "date", "gte"),
    Filter("ToOrderDate", Order.order_date, "date", "lte"),
    Filter("ChangedSince", Order.updated_at, "datetime", "gte"),
)


def with_lines(element: etree._Element | None, members: Sequence[Member],
               line_members: Sequence[Member]) -> dict[str, Any]:
    """An order's members and, when ``Lines`` is sent, its ``lines`` (the whole list:
    ``<Lines/>`` empties it, no ``Lines`` leaves the stored lines as they are)."""
    values = read_members(element, members)
    holder = child(element, "Lines")
    if holder is not None:
        values["lines"] = [read_members(line, line_members)
                           for line in holder.findall(q("Line"))]
    return values


async def process_order(ctx: Context, request: etree._Element) -> Written:
    values = with_lines(child(request, "Order"), ORDER_MEMBERS, ORDER_LINE_MEMBERS)
    return await upsert_by_number(ctx, ORDERS, number=values.pop("number", None),
                                  values=values, create=order_schemas.OrderCreate,
                                  update=order_schemas.OrderUpdate,
                                  missing=N_("No order with number '{number}'."))


def order_line_fields(items: Mapping[int, Item]) -> tuple[tuple[str, Getter], ...]:
    return (
        ("LineId", attr("id")), ("Position", attr("position")), ("ArticleId", attr("item_id")),
        ("ArticleNumber", lambda line: items[line.item_id].number),
        ("Description", attr("description")), ("Quantity", attr("quantity")),
        ("UnitPrice", attr("unit_price")), ("TaxRate", attr("tax_rate")),
        ("Process", attr("process")), ("WorkflowStatusId", attr("workflow_status_id")),
        ("AllocatedQuantity", attr("allocated_quantity")),
        ("PickedQuantity", attr("picked_quantity")),
        ("DeliveredQuantity", attr("delivered_quantity")),
        ("SerialNumbers", lambda line: serial_list(line.serial_numbers or ())),
        ("ImportId", attr("import_id")),
    )


async def get_orders(ctx: Context, request: etree._Element) -> etree._Element:
    service = ORDERS.service(ctx.session, ctx.company_id)
    page = await service.repo.page(list_query(ORDERS, Order, child(request, "Query"),
                                              ORDER_FILTERS))
    items = await item_numbers(ctx, (line.item_id for order in page.items
                                     for line in order.lines))
    line_fields = order_line_fields(items)

    def lines(order: Order) -> etree._Element:
        return E.Lines(*(render("Line", line, line_fields) for line in order.lines))

    fields = (
        ("OrderId", attr("id")), ("OrderNumber", attr("number")),
        ("ImportId", attr("import_id")), ("CustomerId", attr("customer_id")),
        ("ContactId", attr("contact_id")), ("WarehouseId", attr("warehouse_id")),
        ("OrderDate", attr("order_date")), ("DeliveryDate", attr("delivery_date")),
        ("Reference", attr("reference")), ("Source", attr("source")),
        ("Comment", attr("comment")), ("WorkflowStatusId", attr("workflow_status_id")),
        ("Status", attr("status")), ("NetAmount", attr("net_amount")),
        ("TaxAmount", attr("tax_amount")), ("GrossAmount", attr("gross_amount")),
        ("CreatedAt", attr("created_at")), ("UpdatedAt", attr("updated_at")),
        ("Lines", lines),
    )
    return page_result("GetOrdersByQuery", [render("Order", order, fields)
                                            for order in page.items], page.has_next)


# -- articles -------------------------------------------------------------------------

ARTICLE_MEMBERS = (
    Member("ArticleNumber", "number"), Member("Name", "name"), Member("Kind", "kind"),
    Member("Unit", "unit"), Member("SalesPrice", "sales_price", "decimal"),
    Member("PurchasePrice", "purchase_price", "decimal"),
    Member("TaxRate", "tax_rate", "decimal"), Member("SupplierId", "supplier_id", "int"),
    Member("SupplierExternalId", "supplier_external_id"), Member("ImportId", "import_id"),
)
ARTICLE_FILTERS = (
    Filter("ArticleId", Item.id, "int"), Filter("ArticleNumber", Item.number, "string"),
    Filter("ImportId", Item.import_id, "string"), Filter("Kind", Item.kind, "string"),
    Filter("SupplierId", Item.supplier_id, "int"),
    Filter("ChangedSince", Item.updated_at, "datetime", "gte"),
)
ARTICLE_FIELDS = (
    ("ArticleId", attr("id")), ("ArticleNumber", attr("number")), ("Name", attr("name")),
    ("Kind", attr("kind")), ("Unit", attr("unit")), ("SalesPrice", attr("sales_price")),
    ("PurchasePrice", attr("purchase_price")), ("TaxRate", attr("tax_rate")),
    ("SupplierId", attr("supplier_id")), ("ImportId", attr("import_id")),
    ("CreatedAt", attr("created_at")), ("UpdatedAt", attr("updated_at")),
)


async def process_article(ctx: Context, request: etree._Element) -> Written:
    """By ``ArticleNumber``: the company's item with that number is updated, or created.
    Concurrent calls with one new number run one after the other (the repository's
    ``serialize``), so the second updates what the first created."""
    values = read_members(child(request, "Article"), ARTICLE_MEMBERS)
    service = ITEMS.service(ctx.session, ctx.company_id)
    await service.repo.serialize("number", values["number"])
    existing = await service.repo.find(number=values["number"])
    if existing is not None:
        payload = validated(item_schemas.ItemUpdate, values)
        return Written(await service.update(existing.id, payload), False)
    written = await upsert_by_number(ctx, ITEMS, number=None, values=values,
                                     create=item_schemas.ItemCreate,
                                     update=item_schemas.ItemUpdate,
                                     missing=N_("No article with number '{number}'."))
    return written


async def get_articles(ctx: Context, request: etree._Element) -> etree._Element:
    service = ITEMS.service(ctx.session, ctx.company_id)
    page = await service.repo.page(list_query(ITEMS, Item, child(request, "Query"),
                                              ARTICLE_FILTERS))
    return page_result("GetArticlesByQuery", [render("Article", item, ARTICLE_FIELDS)
                                              for item in page.items], page.has_next)


# -- inventory ------------------------------------------------------------------------

INVENTORY_FILTERS = (
    Filter("ArticleId", StockLevel.item_id, "int"),
    Filter("WarehouseId", StockLevel.warehouse_id, "int"),
)


async def get_inventory(ctx: Context, request: etree._Element) -> etree._Element:
    query = child(request, "Query")
    listing = list_query(STOCK, StockLevel, query, INVENTORY_FILTERS)
    number = child(query, "ArticleNumber")
    if number is not None:
        found = await ItemRepository(ctx.session, ctx.company_id).by_number({number.text or ""})
        item = found.get(number.text or "")
        # No such article: a condition no row meets, so the answer is an empty page.
        listing.conditions.append(StockLevel.item_id == (item.id if item else 0))
    service = STOCK.service(ctx.session, ctx.company_id)
    page = await service.repo.page(listing)
    items = await item_numbers(ctx, (level.item_id for level in page.items))
    fields = (
        ("ArticleId", attr("item_id")),
        ("ArticleNumber", lambda level: items[level.item_id].number),
        ("ArticleName", lambda level: items[level.item_id].name),
        ("WarehouseId", attr("warehouse_id")), ("OnHand", attr("on_hand")),
        ("Allocated", attr("allocated")), ("Available", attr("available")),
        ("Incoming", attr("incoming")), ("UpdatedAt", attr("updated_at")),
    )
    return page_result("GetInventoryByQuery", [render("InventoryLine", level, fields)
                                               for level in page.items], page.has_next)


# -- purchase orders ("in-orders") ----------------------------------------------------

IN_ORDER_MEMBERS = (
    Member("InOrderNumber", "number"), Member("ImportId", "import_id"),
    Member("SupplierId", "supplier_id", "int"),
    Member("SupplierExternalId", "supplier_external_id"),
    Member("WarehouseId", "warehouse_id", "int"), Member("OrderDate", "order_date", "date"),
    Member("ExpectedDate", "expected_date", "date"), Member("Reference", "reference"),
    Member("Comment", "comment"), Member("Status", "status"),
)
IN_ORDER_LINE_MEMBERS = (
    Member("Position", "position", "int"), Member("ArticleId", "item_id", "int"),
    Member("ArticleNumber", "item_number"), Member("Quantity", "quantity", "decimal"),
    Member("UnitPrice", "unit_price", "decimal"),
    Member("SerialNumbers", "serial_numbers", "serials"),
)


async def process_in_order(ctx: Context, request: etree._Element) -> Written:
    values = with_lines(child(request, "InOrder"), IN_ORDER_MEMBERS, IN_ORDER_LINE_MEMBERS)
    return await upsert_by_number(ctx, PURCHASE_ORDERS, number=values.pop("number", None),
                                  values=values, create=purchase_schemas.PurchaseOrderCreate,
                                  update=purchase_schemas.PurchaseOrderUpdate,
                                  missing=N_("No purchase order with number '{number}'."))


# -- invoices -------------------------------------------------------------------------

INVOICE_FILTERS = (
    Filter("InvoiceId", Invoice.id, "int"), Filter("InvoiceNumber", Invoice.number, "string"),
    Filter("CustomerId", Invoice.customer_id, "int"), Filter("Status", Invoice.status, "string"),
    Filter("FromDate", Invoice.date, "date", "gte"), Filter("ToDate", Invoice.date, "date", "lte"),
)
INVOICE_ROW_FIELDS = (
    ("RowId", attr("id")), ("OrderId", attr("order_id")), ("Code", attr("code")),
    ("Title", attr("title")), ("Price", attr("price")), ("Quantity", attr("quantity")),
    ("ActionDate", attr("action_date")), ("Comment", attr("comment")),
)


async def get_invoices(ctx: Context, request: etree._Element) -> etree._Element:
    service = INVOICE_RESOURCE.service(ctx.session, ctx.company_id)
    page = await service.repo.page(list_query(INVOICE_RESOURCE, Invoice,
                                              child(request, "Query"), INVOICE_FILTERS))
    rows = await InvoiceRowRepository(ctx.session, ctx.company_id).of_invoices(
        [invoice.id for invoice in page.items])
    fields = (
        ("InvoiceId", attr("id")), ("InvoiceNumber", attr("number")),
        ("CustomerId", attr("customer_id")), ("Date", attr("date")),
        ("DueDate", attr("due_date")), ("Status", attr("status")),
        ("Currency", attr("currency")), ("TotalExclTax", attr("total_excl_tax")),
        ("TotalTax", attr("total_tax")), ("TotalInclTax", attr("total_incl_tax")),
        ("Rows", lambda invoice: E.Rows(*(render("Row", row, INVOICE_ROW_FIELDS)
                                          for row in rows.get(invoice.id, ())))),
    )
    return page_result("GetInvoicesByQuery", [render("Invoice", invoice, fields)
                                              for invoice in page.items], page.has_next)


# -- the operations -------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """A ``Get*ByQuery``: needs ``permission``; answers the page."""

    permission: str
    run: Callable[[Context, etree._Element], Awaitable[etree._Element]]


@dataclass(frozen=True)
class Process:
    """A ``Process*``: needs ``write``; answers ``{Success, Message, ErrorMessage,
    ErrorCode, <Object>Id...}``."""

    run: Callable[[Context, etree._Element], Awaitable[Written]]
    root: str  # the payload element: "Order"
    #: The success messages, a whole sentence each: created, updated (``{number}``).
    created: Message
    updated: Message
    members: Sequence[Member]
    line_members: Sequence[Member]
    ids: Callable[[Any], Sequence[tuple[str, Any]]]
    permission: str = WRITE


OPERATIONS: dict[str, Read | Process] = {
    "GetOrdersByQuery": Read(READ, get_orders),
    "ProcessOrder": Process(process_order, "Order", N_("Order {number} created."),
                            N_("Order {number} updated."), ORDER_MEMBERS,
                            ORDER_LINE_MEMBERS,
                            lambda obj: (("OrderId", obj.id), ("OrderNumber", obj.number))),
    "GetArticlesByQuery": Read(READ, get_articles),
    "ProcessArticle": Process(process_article, "Article", N_("Article {number} created."),
                              N_("Article {number} updated."), ARTICLE_MEMBERS, (),
                              lambda obj: (("ArticleId", obj.id),)),
    "GetInventoryByQuery": Read(READ, get_inventory),
    "ProcessInOrder": Process(process_in_order, "InOrder",
                              N_("Purchase order {number} created."),
                              N_("Purchase order {number} updated."), IN_ORDER_MEMBERS,
                              IN_ORDER_LINE_MEMBERS,
                              lambda obj: (("InOrderId", obj.id),
                                           ("InOrderNumber", obj.number))),
    # Invoice data: only for API users allowed to see it, as on REST (InvoiceReader).
    "GetInvoicesByQuery": Read(INVOICES, get_invoices),
}


async def run(ctx: Context, operation: str, request: etree._Element) -> etree._Element:
    """The answer element of ``operation`` (``...Response``) for a validated request."""
    spec = OPERATIONS[operation]
    if isinstance(spec, Read):
        return await spec.run(ctx, request)
    try:
        written: Written = await attempt(ctx, lambda: spec.run(ctx, request))
    except Refused as refused:
        problem = refused.problem

        def spell(member: str) -> str:
            return soap_member(member, spec.root, spec.members, spec.line_members)

        return process_result(operation, success=False, message=problem.title,
                              error=refusal_text(problem, spell), code=problem.code)
    obj = written.obj
    # Orders, articles and purchase orders all have a number once stored.
    message = (spec.created if written.created else spec.updated).say(number=obj.number)
    return process_result(operation, success=True, message=message, ids=spec.ids(obj))
