"""Absolute URLs the server builds come from ``WORKLEDGER_PUBLIC_URL``, never from the
request's ``Host`` header (which a caller controls)."""

from __future__ import annotations

from starlette.datastructures import URL
from starlette.requests import Request


def public_url(request: Request) -> URL:
    """The request's own path and query on the configured public scheme, host and port."""
    base = URL(request.app.state.settings.public_url.rstrip("/"))
    return request.url.replace(scheme=base.scheme, netloc=base.netloc,
                               path=base.path + request.url.path)
