"""SOAP 1.1 envelopes: a request read safely, answers and Faults written.

Reading (:func:`read_request`), in this order, each refusal a :class:`Fault`:

1. The XML is parsed by lxml with entity expansion, network access, DTD loading and huge
   documents off (:func:`parse`). A document with a document type declaration is
   refused outright, whatever it declares: none of ours has one, and it is where entity
   bombs (billion laughs) and external entities (``file:///etc/passwd``,
   ``http://...``) live. The bytes are looked at before libxml2 sees them (as ASCII, or
   as UTF-16 / UTF-32 when their first bytes say so), and the parsed document again
   (a declaration in any other encoding libxml2 reads, EBCDIC say).
2. The envelope: SOAP 1.1's namespace (another one, SOAP 1.2's say, is a
   ``VersionMismatch`` Fault), an optional ``Header`` whose entries must not demand to be
   understood (``mustUnderstand="1"`` → ``MustUnderstand``: we understand none), a
   ``Body`` with exactly one operation element of ours.
3. ``SOAPAction``, when sent and not empty, names that same operation.
4. The operation element is validated against the schema in the WSDL's ``types``
   (``etree.XMLSchema``): a value of the wrong type or length, a missing or unknown
   element is a ``Client`` Fault naming the element.

The body limit is the edge's (kit.edge): a body over ``WORKLEDGER_MAX_BODY_BYTES`` never
reaches this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree
from lxml.builder import ElementMaker

from workledger.kit.i18n import ENGLISH, translate
from workledger.kit.problems import Problem
from workledger.kit.trace import current_trace_id

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:workledger:goodsowner:1"
WSDL_PATH = Path(__file__).resolve().parent / "schema" / "goodsowner.wsdl"
#: The address written in the WSDL file; served WSDLs carry the server's own instead.
ADDRESS_IN_FILE = "https://workledger.example/soap/goodsowner"
XML_MEDIA_TYPE = "text/xml; charset=utf-8"
#: Operations, each with its ``soapAction`` (the WSDL's binding says the same).
OPERATION_NAMES = ("GetOrdersByQuery", "ProcessOrder", "GetArticlesByQuery",
                   "ProcessArticle", "GetInventoryByQuery", "ProcessInOrder",
                   "GetInvoicesByQuery")


def soap_action(operation: str) -> str:
    return f"{NS}/{operation}"


def q(name: str) -> str:
    """``"Order"`` → ``"{urn:workledger:goodsowner:1}Order"``."""
    return f"{{{NS}}}{name}"


# -- Faults ---------------------------------------------------------------------------


class Fault(Exception):
    """A SOAP 1.1 Fault. ``code``: ``Client`` (the request is at fault: malformed,
    invalid, not allowed), ``Server`` (ours), ``VersionMismatch``, ``MustUnderstand``.
    ``problem_code`` is the REST API's error code for the same refusal (1 unauthorized,
    3 validation, 4 rate limited, 5 not parsed, 6 forbidden, 8 too large, 0 unexpected),
    sent in the Fault's ``detail``."""

    def __init__(self, code: str, message: str, *, problem_code: str = "3",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.problem_code = problem_code
        self.headers = headers or {}

    @classmethod
    def from_problem(cls, problem: Problem) -> Fault:
        """The Fault for a refusal the REST API answers with a problem document: the
        problem's English title and detail, its code, its headers (``Retry-After``)."""
        title = translate(problem.message_id, ENGLISH)
        message = f"{title} {problem.detail}" if problem.detail else title
        if problem.errors:
            message += " " + "; ".join(f"{member}: {text}" for member, texts
                                       in problem.errors.items() for text in texts)
        code = "Server" if problem.status >= 500 else "Client"
        return cls(code, message, problem_code=problem.code, headers=dict(problem.headers))


def fault_document(fault: Fault) -> bytes:
    soap = ElementMaker(namespace=SOAP_ENV, nsmap={"soap": SOAP_ENV})
    plain = ElementMaker()  # faultcode, faultstring, detail: unqualified (SOAP 1.1)
    ours = ElementMaker(namespace=NS, nsmap={None: NS})
    envelope = soap.Envelope(soap.Body(soap.Fault(
        plain.faultcode(f"soap:{fault.code}"),
        plain.faultstring(fault.message),
        plain.detail(ours.FaultDetail(ours.Code(fault.problem_code),
                                      ours.TraceId(current_trace_id()))),
    )))
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def answer_document(payload: etree._Element) -> bytes:
    soap = ElementMaker(namespace=SOAP_ENV, nsmap={"soap": SOAP_ENV})
    return etree.tostring(soap.Envelope(soap.Body(payload)), xml_declaration=True,
                          encoding="utf-8")


# -- the WSDL and its schema ----------------------------------------------------------


@cache
def wsdl_text() -> str:
    return WSDL_PATH.read_text(encoding="utf-8")


@cache
def wsdl_for(address: str) -> bytes:
    """The WSDL with ``address`` (the public URL of this endpoint) as its soap:address."""
    return wsdl_text().replace(f'"{ADDRESS_IN_FILE}"', quoteattr(address)).encode()


@cache
def schema() -> etree.XMLSchema:
    """The request and answer schema: the WSDL's ``types`` section, compiled once."""
    document = etree.fromstring(WSDL_PATH.read_bytes(), _parser())
    types = document.find("{http://schemas.xmlsoap.org/wsdl/}types/"
                          "{http://www.w3.org/2001/XMLSchema}schema")
    # A document of its own: the schema must not depend on the WSDL around it.
    return etree.XMLSchema(etree.fromstring(etree.tostring(types), _parser()))


# -- reading a request ----------------------------------------------------------------

#: A document type declaration, in the bytes as sent (ASCII-compatible encodings).
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
#: How the XML spec (appendix F) tells the encodings that are not ASCII-compatible by
#: their first bytes: a byte order mark, or ``<?`` in UTF-16 / UTF-32.
_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"),
)


def _declares_doctype(body: bytes) -> bool:
    """Whether the bytes show a DOCTYPE, read as ASCII or, when the first bytes say so,
    as UTF-16 / UTF-32 (so libxml2 never reads its internal subset)."""
    if _DOCTYPE.search(body):
        return True
    for start, codec in _WIDE_ENCODINGS:
        if body.startswith(start):
            return "<!DOCTYPE" in body.decode(codec, errors="ignore").upper()
    return False
NO_DOCTYPE = "Document type declarations (DOCTYPE) are not accepted."


def _parser() -> etree.XMLParser:
    # A parser per document: an lxml parser must not be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=True,
                           collect_ids=False)


def parse(body: bytes) -> etree._Element:
    """The document's root element, or a ``Client`` Fault: not well-formed, or with a
    document type declaration (refused before parsing when the bytes show it, and after
    parsing when an encoding hid it)."""
    if not body.strip():
        raise Fault("Client", "The request has no body: send a SOAP 1.1 envelope.",
                    problem_code="5")
    if _declares_doctype(body):
        raise Fault("Client", NO_DOCTYPE, problem_code="5")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        raise Fault("Client", f"The body is not well-formed XML: {error.msg}",
                    problem_code="5") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise Fault("Client", NO_DOCTYPE, problem_code="5")
    return root


@dataclass(frozen=True)
class SoapRequest:
    operation: str
    element: etree._Element


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Child elements (comments and processing instructions are not elements)."""
    return [child for child in parent if isinstance(child.tag, str)]


def read_request(body: bytes, action: str | None) -> SoapRequest:
    """The operation a SOAP 1.1 request calls and its element, validated against the
    schema; a :class:`Fault` for anything else (module docstring)."""
    root = parse(body)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        if etree.QName(root).localname == "Envelope":
            raise Fault("VersionMismatch", "Only SOAP 1.1 envelopes are accepted "
                        f"(namespace {SOAP_ENV}).")
        raise Fault("Client", "The body is not a SOAP envelope.", problem_code="5")
    parts = _elements(root)
    names = [part.tag for part in parts]
    if names not in ([f"{{{SOAP_ENV}}}Body"],
                     [f"{{{SOAP_ENV}}}Header", f"{{{SOAP_ENV}}}Body"]):
        raise Fault("Client", "The envelope must hold an optional Header and one Body.",
                    problem_code="5")
    if len(parts) == 2:
        for entry in _elements(parts[0]):
            if entry.get(f"{{{SOAP_ENV}}}mustUnderstand") in ("1", "true"):
                raise Fault("MustUnderstand", "Header entry "
                            f"{etree.QName(entry).localname} is not understood here.")
    contents = _elements(parts[-1])
    if len(contents) != 1:
        raise Fault("Client", "The Body must hold exactly one operation element.",
                    problem_code="5")
    element = contents[0]
    qname = etree.QName(element)
    if qname.namespace != NS or qname.localname not in OPERATION_NAMES:
        raise Fault("Client", f"Unknown operation {qname.localname} "
                    f"(namespace {qname.namespace or 'none'}). Operations, in namespace "
                    f"{NS}: {', '.join(OPERATION_NAMES)}.")
    operation = qname.localname
    sent_action = (action or "").strip().strip('"')
    if sent_action and sent_action != soap_action(operation):
        raise Fault("Client", f"SOAPAction '{sent_action}' does not name the operation "
                    f"in the Body ({operation}: '{soap_action(operation)}').")
    validator = schema()
    # A copy as its own document: the schema validates a document's root element.
    if not validator.validate(etree.fromstring(etree.tostring(element), _parser())):
        raise Fault("Client", "The request does not match the service's schema: "
                    + _schema_error(validator))
    return SoapRequest(operation, element)


def _schema_error(validator: etree.XMLSchema) -> str:
    error = validator.error_log.last_error
    # "{urn:workledger:goodsowner:1}Quantity" reads better as "Quantity".
    return error.message.replace(f"{{{NS}}}", "") if error is not None else "invalid"


# -- values of a validated request ----------------------------------------------------


def child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else parent.find(q(name))


def text_of(parent: etree._Element | None, name: str) -> str | None:
    found = child(parent, name)
    return None if found is None else (found.text or "")


def _date(text: str) -> date:
    # xs:date may carry a time zone ("2026-11-30Z", "2026-11-30+01:00"): the day stays.
    return date.fromisoformat(text.strip()[:10])


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _decimal(text: str) -> Decimal:
    return Decimal(text.strip())


def _int(text: str) -> int:
    return int(text.strip())


def _boolean(text: str) -> bool:
    return text.strip() in ("true", "1")


def _string(text: str) -> str:
    return text


READERS: dict[str, Callable[[str], Any]] = {
    "int": _int, "decimal": _decimal, "date": _date, "datetime": _datetime,
    "boolean": _boolean, "string": _string,
}


def value_of(element: etree._Element, kind: str) -> Any:
    """The Python value of a schema-valid element. What the schema allows but Python
    cannot hold (a year 10000 date) is a ``Client`` Fault naming the element."""
    try:
        return READERS[kind](element.text or "")
    except (ValueError, InvalidOperation, OverflowError):
        raise Fault("Client", f"{etree.QName(element).localname}: '{element.text}' is out "
                    "of the range this service stores.") from None


# -- writing values -------------------------------------------------------------------


def text_for(value: Any) -> str:
    """A Python value as its XML Schema lexical form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        plain = format(value.normalize(), "f")
        return plain if plain not in ("-0", "") else "0"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
