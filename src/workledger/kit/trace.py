"""W3C trace context: every response names its trace in ``X-Trace-Id``.

An incoming ``traceparent`` is continued (same trace id, a new span id), so a caller's
distributed trace and our logs line up; otherwise a new trace starts.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_current: ContextVar[str] = ContextVar("current_trace", default="")


def new_traceparent(incoming: str | None = None) -> str:
    trace_id = None
    if incoming:
        match = _TRACEPARENT.match(incoming.strip().lower())
        if match and match.group(1) != "0" * 32:
            trace_id = match.group(1)
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def set_current_trace(value: str) -> None:
    _current.set(value)


def current_trace_id() -> str:
    value = _current.get()
    if not value:
        value = new_traceparent()
        _current.set(value)
    return value
