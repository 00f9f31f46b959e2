"""The connector's own conventions (DESIGN §8, seed 003): numbered error codes, how a
function reads its parameters and body, and the date and time formats.

These differ from ``/v1`` on purpose: ERP/CRM packages were written against this
envelope, its codes and its field names, and a connector version never changes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from workledger.kit.body import parse_json_body
from workledger.kit.i18n import N_, Message
from workledger.kit.problems import BodyNotParsed

# -- codes ----------------------------------------------------------------------------------
#: The envelope's ``code`` and the HTTP status it comes with. Other refusals (API access
#: off, too many calls, an unknown function, a business rule) carry their HTTP status
#: as the code.
MISSING_TOKEN = 1002
UNAUTHORIZED = 1004
UNPARSABLE_JSON = 1009
EMPLOYEE_FIELD_MISSING = 1101
WORK_ORDER_NOT_FOUND = 1500
WORK_ORDER_FIELD_MISSING = 1501
UNPARSABLE_VALUE = 1504

HTTP_STATUS = {
    MISSING_TOKEN: 401,
    UNAUTHORIZED: 401,
    UNPARSABLE_JSON: 400,
    EMPLOYEE_FIELD_MISSING: 400,
    WORK_ORDER_NOT_FOUND: 404,
    WORK_ORDER_FIELD_MISSING: 400,
    UNPARSABLE_VALUE: 400,
}

#: code → what it means; the OpenAPI document and docs/connector.md show this table.
CODES = {
    200: "Success",
    MISSING_TOKEN: "The `token` parameter is missing (HTTP 401, messages "
                   "`[\"unauthorized\"]`)",
    UNAUTHORIZED: "The token is unknown or revoked (HTTP 401, messages "
                  "`[\"unauthorized\"]`)",
    UNPARSABLE_JSON: "The body is not JSON (HTTP 400)",
    EMPLOYEE_FIELD_MISSING: "An employee lacks a required field (HTTP 400)",
    WORK_ORDER_NOT_FOUND: "No work order with that `row_id` or `workorder_no` (HTTP 404)",
    WORK_ORDER_FIELD_MISSING: "A work order lacks a required field or parameter (HTTP 400)",
    UNPARSABLE_VALUE: "A parameter or field has a value that does not parse, or names "
                      "nothing that exists (HTTP 400)",
}

#: Entries of one ``Post*`` call, at most.
MAX_ENTRIES = 500


class ConnectorFault(Exception):
    """A refused call: answered as the envelope ``{"code", "messages", "response":
    null}`` with ``status``; the transaction rolls back."""

    def __init__(self, code: int, *messages: str, status: int | None = None) -> None:
        super().__init__(code, messages)
        self.code = code
        self.messages = list(messages)
        self.status = status or HTTP_STATUS.get(code, code)


def missing(code: int, where: str, name: str) -> ConnectorFault:
    """``{where}{name} is missing`` in the caller's language (``language_code``);
    ``name`` is a field of the protocol, an identifier."""
    return ConnectorFault(code, N_("{where}{name} is missing").say(where=where, name=name))


def unparsable(where: str, name: str, why: str) -> ConnectorFault:
    """``{where}{name}: {why}``; ``why`` is worded (and translated) by the caller."""
    return ConnectorFault(UNPARSABLE_VALUE, f"{where}{name}: {why}")


def place(kind: Message, index: int) -> str:
    """Where in a body's array: ``place(N_("employee {number}: "), 0)`` → "employee 1: "
    in the caller's language."""
    return kind.say(number=index + 1)


UNKNOWN_FIELD = N_("unknown field")
EXPECTED_STRING = N_("expected a string")
EXPECTED_ONE_OF = N_("expected one of {choices}")


# -- parameters -----------------------------------------------------------------------------
#: Query parameters every call may carry and no function reads.
RESERVED = frozenset({"token", "language_code"})


@dataclass
class Call:
    """What a function is given: its parameters (the query string's, overridden by the
    members of a JSON object body) and the parsed body (``None`` when empty)."""

    parameters: dict[str, Any] = field(default_factory=dict)
    body: Any = None

    def text(self, name: str) -> str | None:
        value = self.parameters.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise unparsable("", name, EXPECTED_STRING.in_language())
        return str(value)

    def integer(self, name: str, *, low: int = 1, high: int = 2**63 - 1) -> int | None:
        value = self.parameters.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,19}", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise unparsable("", name, N_("expected a whole number").in_language())
        if not low <= value <= high:
            raise unparsable("", name, N_("expected a whole number from {low} to {high}").say(
                low=low, high=high))
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.parameters.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "0"):
            return False
        raise unparsable("", name, N_("expected true or false").in_language())

    def array(self, what: tuple[Message, Message], one: Message) -> list[Any]:
        """The body as a JSON array of objects (one object is taken as an array of one).
        ``what``: the refusals of an empty or a too long array (``{maximum}``), ``one``:
        an entry's place (:func:`place`), each worded per call for its kind of entry."""
        body = self.body
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list) or not body:
            raise unparsable("", "body", what[0].in_language())
        if len(body) > MAX_ENTRIES:
            raise unparsable("", "body", what[1].say(maximum=MAX_ENTRIES))
        for index, entry in enumerate(body):
            if not isinstance(entry, dict):
                raise unparsable(place(one, index), "entry",
                                 N_("expected a JSON object").in_language())
        return body


async def read_call(request: Request) -> Call:
    """The parameters and body of a call; 1009 for a body that is not JSON, 1504 for a
    parameter sent twice in the query string (which one was meant is unknown)."""
    parameters: dict[str, Any] = {}
    for name in request.query_params:
        if name in RESERVED:
            continue
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise unparsable("", name, N_("may be sent once").in_language())
        parameters[name] = values[0]
    raw = await request.body()
    body = None
    if raw.strip():
        try:
            body = parse_json_body(raw)
        except (BodyNotParsed, json.JSONDecodeError) as error:
            raise ConnectorFault(UNPARSABLE_JSON, N_("the body is not JSON: {error}").say(
                error=error)) from None
    if isinstance(body, dict):
        parameters.update({k: v for k, v in body.items() if k not in RESERVED})
    return Call(parameters, body)


# -- dates and times --------------------------------------------------------------------------
#: Dates are ``DD-MM-YYYY`` (``YYYY-MM-DD`` is accepted too), times ``HH:MM``, moments
#: ``DD-MM-YYYY HH:MM:SS`` in UTC.
DATE_FORMAT = "%d-%m-%Y"
MOMENT_FORMAT = "%d-%m-%Y %H:%M:%S"
_DUTCH_DATE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")


def date_in(value: Any) -> Any:
    """``DD-MM-YYYY`` → ISO for the ``/v1`` schema to check; anything else is passed on
    as it is, for the schema to accept (ISO) or refuse."""
    if isinstance(value, str):
        match = _DUTCH_DATE.fullmatch(value)
        if match:
            day, month, year = match.groups()
            return f"{year}-{month}-{day}"
    return value


def date_out(value: date | None) -> str | None:
    return None if value is None else value.strftime(DATE_FORMAT)


def time_out(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def moment_out(value: datetime | None) -> str | None:
    return None if value is None else value.strftime(MOMENT_FORMAT)


def number_out(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
