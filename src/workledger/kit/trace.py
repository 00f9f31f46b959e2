"""W3C trace context: every response names its trace in ``X-Trace-Id``.

An incoming ``traceparent`` is continued (same trace id, a new span id), so a caller's
distributed trace and our logs line up; otherwise a new trace starts. What counts as
valid is the W3C Trace Context rule (§3.2, §4.3): lowercase hex only; version ``ff`` is
invalid; version ``00`` has exactly four fields; a later version may add fields after
a ``-``; an all-zero trace id or parent id is invalid. An invalid header is ignored.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_TRACEPARENT = re.compile(
    r"(?P<version>[0-9a-f]{2})-(?P<trace>[0-9a-f]{32})-(?P<parent>[0-9a-f]{16})-[0-9a-f]{2}"
    r"(?P<rest>-.*)?",
    re.DOTALL,
)
_current: ContextVar[str] = ContextVar("current_trace", default="")


def continued_trace_id(incoming: str | None) -> str | None:
    """The trace id of a valid ``traceparent``, or ``None`` when it must be ignored."""
    if not incoming:
        return None
    match = _TRACEPARENT.fullmatch(incoming.strip(" \t"))
    if match is None or match["version"] == "ff":
        return None
    if match["version"] == "00" and match["rest"] is not None:
        return None
    if match["trace"] == "0" * 32 or match["parent"] == "0" * 16:
        return None
    return match["trace"]


def new_traceparent(incoming: str | None = None) -> str:
    trace_id = continued_trace_id(incoming)
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def set_current_trace(value: str) -> None:
    _current.set(value)


def current_trace_id() -> str:
    value = _current.get()
    if not value:
        value = new_traceparent()
        _current.set(value)
    return value
