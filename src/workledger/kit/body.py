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

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from workledger.kit.problems import ValidationProblem

T = TypeVar("T")


class InputModel(BaseModel):
    """Base of every request body: unknown members are silently ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


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
            errors[f"{prefix}{name}"] = [f"{name} is read-only and cannot be changed"]
    if errors:
        raise ValidationProblem("Read-only fields cannot be changed.", errors=errors)


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
            errors[f"{member}[{index}].id"] = [f"{member} item {item_id} does not exist here"]
            continue
        if item_id in seen:
            errors[f"{member}[{index}].id"] = [f"{member} item {item_id} is listed twice"]
            continue
        seen.add(item_id)
        update(by_id[item_id], values)
        result.append(by_id[item_id])
    if errors:
        raise ValidationProblem(f"Invalid {member} list.", errors=errors)
    return result
