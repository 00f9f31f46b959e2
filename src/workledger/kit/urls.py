"""Absolute URLs from ``WORKLEDGER_PUBLIC_URL``, never from the request.

The request's ``Host`` header is whatever the client chose to send, and behind a proxy
the request's scheme, host and port are the proxy's side of the connection, not the
address people use. A ``Link`` or ``Location`` (or a redirect, or a link on a page, or
an e-mail) built from them sends integrators to ``evil.example`` or to an internal
port. So every absolute URL the server makes starts with the one configured address.

The configured URL is the address of the application's root: with a path
(``https://example.com/workledger``) it is a sub-path deployment, whether the proxy
strips the prefix or passes it on with an ASGI ``root_path`` (``uvicorn --root-path``,
or a ``Mount``). Either way only the path *below* the root comes from the request.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.types import Scope

#: Characters a path segment may carry unescaped (RFC 3986 pchar, plus "/").
_PATH_SAFE = "/:@!$&'()*+,;=~"


def public_base(request: Request) -> str:
    """The configured address, without a trailing ``/``: ``base + "/v1/customers"``."""
    return request.app.state.settings.public_url.rstrip("/")


def route_path(scope: Scope) -> str:
    """The request's path below the application's root (its ``root_path`` removed).

    ASGI servers put the ``root_path`` in front of ``path``; older ones did not, so a
    path that does not start with it is taken as it is.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        rest = path[len(root_path):]
        if rest == "" or rest.startswith("/"):
            return rest
    return path


def _encoded_route_path(scope: Scope) -> str:
    """:func:`route_path` as the client encoded it: ``scope["path"]`` is decoded, and
    encoding it again would turn a ``%2F`` into a ``/``."""
    rest = route_path(scope)
    raw = scope.get("raw_path")
    if raw is not None:
        encoded = raw.decode("latin-1")
        prefix = quote(scope["path"][: len(scope["path"]) - len(rest)], safe=_PATH_SAFE)
        # Only while the raw path is still this request's (nothing rewrote scope["path"]).
        if encoded.startswith(prefix) and unquote(encoded[len(prefix):]) == rest:
            return encoded[len(prefix):]
    return quote(rest, safe=_PATH_SAFE)


def public_url_for(base: str, scope: Scope) -> URL:
    """The request's path and query on the configured ``base`` (scheme, host, port and
    any path prefix)."""
    parts = urlsplit(base)
    path = parts.path.rstrip("/") + _encoded_route_path(scope)
    query = scope.get("query_string", b"").decode("latin-1")
    return URL(urlunsplit((parts.scheme, parts.netloc, path or "/", query, "")))


def public_url(request: Request) -> URL:
    """``request.url`` as the public sees it: the request's own path and query, with
    scheme, host, port and path prefix from ``WORKLEDGER_PUBLIC_URL``.

    Use it wherever ``request.url`` would go into a response (``Link``, ``Location``);
    ``URL.include_query_params`` / ``replace_query_params`` work on it as on
    ``request.url``.
    """
    return public_url_for(request.app.state.settings.public_url, request.scope)
