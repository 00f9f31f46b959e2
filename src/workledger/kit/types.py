"""Field types for request bodies: strict where JSON has a type, bounded where the
database has a limit, so a bad value is a 400 and never a database error."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    StrictInt,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

from workledger.kit.gates import MAX_ID, plain_id


def text(max_length: int, min_length: int = 0) -> type[str]:
    return Annotated[  # type: ignore[return-value]
        StrictStr, StringConstraints(min_length=min_length, max_length=max_length)
    ]


Email = Annotated[
    StrictStr,
    StringConstraints(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(description="An e-mail address, or \"\" to clear it"),
]
ImportId = Annotated[
    StrictStr,
    StringConstraints(min_length=1, max_length=50),
    Field(description="Your own id for this object (unique per company); a POST with an "
          "existing import_id updates that object"),
]
ObjectRef = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Money = Annotated[
    Decimal, Field(max_digits=14, decimal_places=4, ge=0, allow_inf_nan=False)
]
Percentage = Annotated[
    Decimal, Field(max_digits=6, decimal_places=3, ge=0, le=100, allow_inf_nan=False)
]

#: Amounts render as JSON numbers (12.5), not strings; the database keeps exact decimals.
MoneyOut = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _exactly_int(value: object) -> object:
    # JSON true/1.0 would otherwise pass as 1; the contract says a wrong type is a 400.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Input should be an integer")
    return value


def int_choice(*values: int) -> type[int]:
    """An integer that must be one of ``values``, given as a JSON integer."""
    return Annotated[  # type: ignore[return-value]
        Literal[values], BeforeValidator(_exactly_int)
    ]


def _plain_path_id(value: object) -> object:
    # Before int parsing: FastAPI's lax int reads "%201", "1.0" and "00001" as 1.
    if isinstance(value, str) and plain_id(value) is None:
        raise ValueError("must be a positive integer id: ASCII digits without leading zeros")
    return value


#: A path id for hand-written routes, by the same rule as resource routes
#: (kit.resource.path_id, kit.gates.plain_id).
ObjectId = Annotated[
    int, BeforeValidator(_plain_path_id), Path(ge=1, le=MAX_ID, description="The object's id")
]

#: The caller's own id for a row, resolved through the company's links
#: (``customer_external_id``, ``supplier_external_id``, ``contact_external_id``).
ExternalId = Annotated[
    StrictStr,
    StringConstraints(min_length=1, max_length=50),
    Field(description="Your own id for the object, as in your company or contact links; "
          "instead of the id, or with the same id"),
]


#: A time of day on the company's own clock, without an offset: ``"08:30"`` or
#: ``"08:30:00"``. JSON Schema's ``format: time`` means RFC 3339's full-time, which
#: demands an offset, so the document states the shape with a pattern instead.
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_TIME = re.compile(TIME_PATTERN)


def _local_time(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _TIME.fullmatch(value):
        return time.fromisoformat(value)
    raise ValueError("a time of day: HH:MM or HH:MM:SS, without an offset")


LocalTime = Annotated[
    time,
    BeforeValidator(_local_time),
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str,
                    when_used="json"),
    WithJsonSchema({"type": "string", "pattern": TIME_PATTERN, "examples": ["08:30:00"]}),
]
