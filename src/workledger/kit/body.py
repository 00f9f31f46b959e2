"""JSON body semantics, written once for every resource (DESIGN §4.2, seed 002).

- missing field: default on create, unchanged on update;
- ``null``: default on create, ignored on update;
- ``""`` on a string field that allows it: stored / clears;
- unknown fields: ignored (schemas use ``extra="ignore"``); duplicated keys: last wins
  (that is how the JSON parser builds the object);
- read-only fields: accepted when equal to the stored value, 400 otherwise;
- list fields: the sent list becomes the whole list (see :func:`sync_list`).
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from workledger.kit.gates import value_fault
from workledger.kit.i18n import LANGUAGE_CODES, N_, current_language, parse_language
from workledger.kit.problems import BodyNotParsed, ValidationProblem

T = TypeVar("T")
NOT_JSON = N_("The body is not valid JSON: {error}.")
ITEM_MISSING = N_("{member} item {id} does not exist here")
ITEM_TWICE = N_("{member} item {id} is listed twice")
INVALID_LIST = N_("Invalid {member} list.")


class InputModel(BaseModel):
    """Base of every request body: unknown members are silently ignored, and every member
    of every subclass passes the input gates (kit.gates): no NUL or lone surrogate in
    text, integers within 64 bits, date-times that stay in range in UTC. A member that
    fails is a 400 naming it, on both databases alike."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # Nested InputModels (list items) ran this on their own members already.
        if value is None or isinstance(value, BaseModel):
            return value
        fault = value_fault(value)
        if fault:
            raise PydanticCustomError("storable", fault)
        return value


def is_json_media_type(content_type: str | None) -> bool:
    """FastAPI's own rule for a body it reads as JSON: ``application/json`` or any
    ``application/*+json``, parameters ignored."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _not_a_constant(name: str) -> Any:
    raise BodyNotParsed(N_("The body is not valid JSON: {name} is not a JSON value.").say(
        name=name))


def parse_json_body(raw: bytes) -> Any:
    """The body gate: JSON text as RFC 8259 defines it, or 400 code 5.

    Python's ``json.loads`` on bytes also guesses UTF-16 and UTF-32, accepts ``NaN`` and
    ``Infinity``, and fails on deep nesting with a ``RecursionError``; each of those is
    "not JSON" here. A JSON syntax error is re-raised as it is, so that the framework
    reports its position (kit.errors turns it into code 5 too)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyNotParsed(N_(
            "The body is not valid UTF-8 (byte {byte}); JSON must be sent as UTF-8."
        ).say(byte=error.start)) from None
    try:
        return json.loads(text.removeprefix("\ufeff"), parse_constant=_not_a_constant)
    except RecursionError:
        raise BodyNotParsed(
            N_("The body nests arrays or objects too deeply.").in_language()) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # an integer of more than 4300 digits
        raise BodyNotParsed(NOT_JSON.say(error=error)) from None


def apply_body_language(payload: Any) -> None:
    """``language_code`` as a member of a JSON object body (DESIGN §4.8): it wins over
    the query string's, for the whole answer (problem titles, violations, names). A JSON
    integer or a string of digits; an unknown code is a 400 that says it came from the
    body. Schemas ignore the member, so every endpoint accepts it."""
    if not isinstance(payload, dict) or payload.get("language_code") is None:
        return
    raw = payload["language_code"]
    language = None
    if isinstance(raw, str) or (isinstance(raw, int) and not isinstance(raw, bool)):
        language = parse_language(str(raw))
    if language is None:
        raise ValidationProblem.single("language_code", N_(
            "language_code in the body must be one of {codes}"
        ).say(codes=", ".join(map(str, LANGUAGE_CODES))))
    current_language.set(language)


def sent_values(payload: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """The members the caller sent with a value: ``null`` counts as not sent."""
    raw = payload.model_dump(exclude_unset=True) if isinstance(payload, BaseModel) else payload
    return {k: v for k, v in raw.items() if v is not None}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.timestamp() == b.timestamp()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def check_read_only(
    values: Mapping[str, Any], read_only: Iterable[str], current: Any | None, prefix: str = ""
) -> None:
    """400 for each read-only member whose value differs from what is stored.

    On create there is nothing stored yet (``current is None``): any value is a change.
    """
    errors: dict[str, list[str]] = {}
    for name in read_only:
        if name not in values:
            continue
        if current is None or not _same(values[name], getattr(current, name)):
            errors[f"{prefix}{name}"] = [
                N_("{name} is read-only and cannot be changed").say(name=name)]
    if errors:
        raise ValidationProblem(N_("Read-only fields cannot be changed.").in_language(),
                                errors=errors)


def apply_values(target: Any, values: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in values:
            setattr(target, name, values[name])


def sync_list(
    member: str,
    existing: list[T],
    incoming: list[Mapping[str, Any]],
    *,
    create: Callable[[Mapping[str, Any]], T],
    update: Callable[[T, Mapping[str, Any]], None],
) -> list[T]:
    """The list-replace rule: the sent list becomes the whole list.

    Items with a known ``id`` are updated (partially), items without ``id`` are created,
    stored items absent from the list are dropped (the relationship's ``delete-orphan``
    cascade deletes them), ``[]`` drops all. An ``id`` that is not in the stored list is a
    validation problem rather than a silent create, so a typo cannot duplicate a row.
    """
    by_id = {item.id: item for item in existing}  # type: ignore[attr-defined]
    result: list[T] = []
    seen: set[int] = set()
    errors: dict[str, list[str]] = {}
    for index, values in enumerate(incoming):
        item_id = values.get("id")
        if item_id is None:
            result.append(create(values))
            continue
        if item_id not in by_id:
            errors[f"{member}[{index}].id"] = [ITEM_MISSING.say(member=member, id=item_id)]
            continue
        if item_id in seen:
            errors[f"{member}[{index}].id"] = [ITEM_TWICE.say(member=member, id=item_id)]
            continue
        seen.add(item_id)
        update(by_id[item_id], values)
        result.append(by_id[item_id])
    if errors:
        raise ValidationProblem(INVALID_LIST.say(member=member), errors=errors)
    return result
