"""Input gates: one per kind of hostile input, each written once and applied wherever
input enters (bodies, query strings, path ids, headers, form fields).

The rule behind every gate: a value the API accepts is one both databases store or
compare the same way. Without them SQLite and PostgreSQL disagree (SQLite keeps a NUL
that PostgreSQL refuses with an error), or a value the database cannot represent
surfaces as a 500 long after the request was accepted.

- :func:`text_fault`: text without U+0000 and without lone surrogates;
- :func:`query_int` / :func:`plain_id`: integers written with ASCII digits only (Python's
  ``int()`` and ``str.isdigit`` also take "²", "١", " 1", "1_0"), inside their range;
- :func:`column_bounds` / :class:`Bounds`: integers and decimals that fit the column they
  are compared with or stored in (PostgreSQL casts a parameter to the column's type:
  ``NUMERIC(14,4)`` overflows above 10^10 and rounds a fifth decimal away);
- :func:`utc_fault`: date-times that stay inside the representable range once their
  offset is applied (9999-12-31T23:59:59-01:00 is year 10000 in UTC);
- :data:`MAX_CONDITIONS`: the cap on filter conditions in one request;
- :func:`repeated`: single-valued parameters sent more than once;
- :func:`credential_fault`: credential headers that are not printable ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger

from workledger.kit.i18n import N_

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
INT16 = (-(2**15), 2**15 - 1)
MAX_ID = INT64[1]

#: Filter conditions one request may carry, all filter parameters together. SQLite
#: refuses a WHERE clause nested ~1000 deep ("Expression tree is too large"); no real
#: query needs more than a handful.
MAX_CONDITIONS = 50

NUL_MESSAGE = N_("Text must not contain the NUL character (U+0000).")
SURROGATE_MESSAGE = N_("Text must be valid Unicode: it contains a lone surrogate.")

_DIGITS = re.compile(r"[0-9]+")
_SIGNED_DIGITS = re.compile(r"-?[0-9]+")
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,18}")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: RFC 9110 field values as credentials use them: visible ASCII and spaces.
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


# -- text ------------------------------------------------------------------------------


def text_fault(value: str) -> str | None:
    """Why ``value`` cannot be stored as text on both databases, or ``None``.

    PostgreSQL refuses U+0000 in text (SQLite stores it); a lone surrogate (JSON
    ``"\\ud800"``) cannot be encoded as UTF-8 by either driver."""
    if "\x00" in value:
        return NUL_MESSAGE.in_language()
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE.in_language()
    return None


def value_fault(value: Any) -> str | None:
    """:func:`text_fault`, :func:`utc_fault` and the 64-bit range for a value of any
    shape (lists and dicts walked), as a body member's validator sees it."""
    if isinstance(value, str):
        return text_fault(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (None if INT64[0] <= value <= INT64[1]
                else N_("The number is out of range.").in_language())
    if isinstance(value, datetime):
        return utc_fault(value)
    if isinstance(value, list | tuple | set | frozenset):
        return next((f for f in map(value_fault, value) if f), None)
    if isinstance(value, dict):
        return next((f for item in value.items() for f in map(value_fault, item) if f), None)
    return None


def credential_fault(values: list[str], name: str) -> str | None:
    """Why a credential header cannot be read, or ``None``. Starlette decodes header bytes
    as Latin-1, so a raw 0xE9 arrives as "é" and base64 or a database lookup would fail
    on it later; a second header would be silently ignored."""
    if len(values) > 1:
        return N_("Send {name} once; it was sent {count} times.").say(
            name=name, count=len(values))
    if values and not _PRINTABLE_ASCII.fullmatch(values[0]):
        return N_("{name} must be printable ASCII.").say(name=name)
    return None


# -- integers ----------------------------------------------------------------------------


def query_int(raw: str, *, minimum: int, maximum: int, signed: bool = False) -> int | None:
    """``raw`` as an integer when it is ASCII digits (and, if ``signed``, a leading ``-``)
    inside ``[minimum, maximum]``; otherwise ``None``."""
    pattern = _SIGNED_DIGITS if signed else _DIGITS
    if len(raw) > 21 or not pattern.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def plain_id(raw: str) -> int | None:
    """An id exactly as it is written back: ASCII digits, no leading zero, no sign or
    space, in the id range. ``fullmatch``: ``re.match`` with ``$`` also accepts "1\\n"."""
    if not _PLAIN_ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


# -- column bounds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """What a column can hold, read from its SQL type."""

    integers: tuple[int, int] | None = None
    #: (precision, scale) of a NUMERIC column.
    numeric: tuple[int, int] | None = None

    def fault(self, value: Any) -> str | None:
        if isinstance(value, bool):
            return None
        if self.integers is not None and isinstance(value, int):
            low, high = self.integers
            if not low <= value <= high:
                return N_("must be between {low} and {high}").say(low=low, high=high)
        if self.numeric is not None and isinstance(value, Decimal):
            return decimal_fault(value, *self.numeric)
        if isinstance(value, datetime):
            fault = utc_fault(value)
            return fault and fault[0].lower() + fault[1:].rstrip(".")
        return None


def column_bounds(column_type: Any) -> Bounds:
    """The bounds of a SQLAlchemy column type (a ``with_variant`` type counts as its
    base: ``Id`` is BIGINT on PostgreSQL and SQLite's 64-bit INTEGER)."""
    if isinstance(column_type, Float):
        return Bounds()
    if isinstance(column_type, Numeric):
        if column_type.precision is None:
            return Bounds()
        return Bounds(numeric=(column_type.precision, column_type.scale or 0))
    if isinstance(column_type, BigInteger):
        return Bounds(integers=INT64)
    if isinstance(column_type, SmallInteger):
        return Bounds(integers=INT16)
    if isinstance(column_type, Integer):
        return Bounds(integers=INT32)
    return Bounds()


def decimal_fault(value: Decimal, precision: int, scale: int) -> str | None:
    """Why ``value`` does not fit ``NUMERIC(precision, scale)``, or ``None``."""
    if not value.is_finite():
        return N_("must be a finite number").in_language()
    places = max(0, -value.normalize().as_tuple().exponent) if value else 0
    whole = len(str(abs(int(value)))) if abs(value) >= 1 else 0
    if places > scale or whole > precision - scale:
        return N_("must have at most {whole} digits before the decimal point and {scale} "
                  "after it").say(whole=precision - scale, scale=scale)
    return None


def plain_decimal(raw: str) -> Decimal | None:
    """``raw`` as a decimal when written ``-12.5``: ASCII digits and one point. Python's
    ``Decimal`` also reads "1_000", " 1 ", "١" and "1e3"."""
    if not _PLAIN_DECIMAL.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
        return None


# -- date-times --------------------------------------------------------------------------


def utc_fault(value: datetime) -> str | None:
    """Why ``value`` cannot be compared or stored, or ``None``: every date-time is turned
    into UTC on its way to the database, and that must not leave years 1-9999."""
    if value.tzinfo is None:
        return None
    try:
        value.astimezone(UTC)
    except OverflowError:
        return N_("The date-time is out of range once its offset is applied (years 1-9999 "
                  "in UTC).").in_language()
    return None


# -- repeated parameters -----------------------------------------------------------------


def repeated(pairs: Iterable[tuple[str, str]], names: Iterable[str]) -> dict[str, list[str]]:
    """Errors for each of ``names`` sent more than once: only one of the values would be
    used (Starlette keeps the last), silently dropping the others."""
    counts: dict[str, int] = {}
    wanted = set(names)
    for key, _ in pairs:
        if key in wanted:
            counts[key] = counts.get(key, 0) + 1
    return {
        name: [N_("{name} may be sent once; it was sent {count} times").say(
            name=name, count=count)]
        for name, count in counts.items() if count > 1
    }
