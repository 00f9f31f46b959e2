"""The outermost middleware: what every request and response gets, whatever happens.

- ``X-Trace-Id`` on every response (the W3C ``traceparent`` continued, kit.trace);
- the language of messages (``language_code``);
- bodies over the limit refused with 413 before they are read into the app;
- production mode refuses plain HTTP (403 code 6) unless a trusted proxy says HTTPS, and
  moves pages to HTTPS on the configured address (``WORKLEDGER_PUBLIC_URL``);
- any unhandled exception becomes a 500 problem with the traceId, never a stack trace;
- ``HEAD`` is answered wherever ``GET`` is (RFC 9110 §9.3.2): the request runs as a
  ``GET`` and the answer leaves without its body.

It is a pure ASGI middleware so that it wraps even Starlette's own error handling.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workledger.kit.errors import problem_response
from workledger.kit.gates import query_int
from workledger.kit.i18n import ENGLISH, LOCALES, N_, current_language, parse_language
from workledger.kit.problems import (
    BodyNotParsed,
    Forbidden,
    InternalError,
    PayloadTooLarge,
    Problem,
    RateLimited,
)
from workledger.kit.ratelimit import SCOPE_KEY, RateLimiter, Window
from workledger.kit.trace import new_traceparent, set_current_trace
from workledger.kit.urls import public_url_for, route_path

log = logging.getLogger("workledger.edge")
access_log = logging.getLogger("workledger.access")
#: Query parameters that carry credentials (the connector's documented ``?token=``).
SECRET_PARAMETERS = frozenset({"token", "api_key", "password", "client_secret"})

#: Paths that answer over plain HTTP even in production (load balancer health checks).
PLAIN_HTTP_PATHS = ("/health",)
#: The machine-facing prefixes: over plain HTTP in production they answer 403 code 6
#: (a client must not be silently redirected with its credential); pages redirect.
API_PREFIXES = ("/v1/", "/openapi/", "/sandbox/", "/oauth2/token", "/soap/")
#: Where a POST carries its credential in the body (a SOAP envelope's UserName and
#: Password): counted per credential once the endpoint resolved it, like /v1 calls, or
#: by address when it did not. Exact paths: any other POST is counted here, before work.
BODY_CREDENTIAL_PATHS = ("/soap/goodsowner",)


class EdgeMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, dev: bool, trusted_proxies: list[str],
        limiter: RateLimiter, public_url: str, passthrough: tuple[str, ...] = (),
        renderers: Sequence[tuple[str, Callable[[Problem], Response]]] = (),
    ) -> None:
        self.app = app
        #: ``(path prefix, render)``: faces whose clients cannot read a problem document
        #: get the edge's refusals their own way (the SOAP face: a Fault).
        self.renderers = tuple(renderers)
        #: Path prefixes served by a mounted app with an edge of its own (the sandbox):
        #: handed on untouched, so they are neither counted nor marked twice.
        self.passthrough = passthrough
        self.public_url = public_url
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        self.dev = dev
        self.trusted_proxies = set(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Below the application's root (a mounted app's own paths: "/v1/..." in the sandbox).
        path = route_path(scope)
        if any(path.startswith(prefix + "/") for prefix in self.passthrough):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        # Several traceparent fields combine into one list value (RFC 9110 §5.3), which
        # is not a valid traceparent: a new trace starts.
        traceparent = new_traceparent(", ".join(headers.getlist("traceparent")) or None)
        set_current_trace(traceparent)
        language = ENGLISH
        for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if key == "language_code":
                parsed = parse_language(value)  # an invalid code is the endpoint's 400
                language = ENGLISH if parsed is None else parsed
        current_language.set(language)
        started = False
        status = 500
        began = time.perf_counter()
        head = scope["method"] == "HEAD"
        if head:
            # Routes declare GET only; FastAPI does not add HEAD as Starlette's Route does.
            scope["method"] = "GET"

        async def send_with_trace(message: Message) -> None:
            nonlocal started, status
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                extra = [(b"x-trace-id", traceparent.encode())]
                headers_sent = message.get("headers", [])
                if any(name == b"content-type" and b"json" in value
                       for name, value in headers_sent):
                    # The API's answers are in the caller's language (query string or
                    # body, whichever decided last); the pages set their own
                    # (web.common: language_code, else Accept-Language).
                    extra.append((b"content-language",
                                  LOCALES[current_language.get()].encode()))
                if not any(name == b"x-ratelimit-limit" for name, _ in headers_sent):
                    window = scope.get(SCOPE_KEY)
                    if window is None and "workledger.ratelimit_skip" not in scope:
                        window = await self._count_address(scope)
                    if window is not None:
                        extra.extend(window.headers())
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            redirect = self._https_redirect(scope, headers)
            if redirect is not None:
                await redirect(scope, receive, send_with_trace)
                return
            refusal = self._refusal(scope, headers)
            if refusal is not None:
                await self._render(path, refusal)(scope, receive, send_with_trace)
                return
            if path in PLAIN_HTTP_PATHS:
                scope["workledger.ratelimit_skip"] = True  # health probes are never limited
            elif not (_authenticates(path) and _carries_credential(scope, headers)):
                # Counted before the work: an anonymous flood never reaches the app. Calls
                # that authenticate are counted per credential once it is resolved.
                scope[SCOPE_KEY] = await self._count_address(scope, enforce=True)
            if "content-length" not in headers and scope["method"] in ("POST", "PUT", "PATCH"):
                receive = await self._buffered(receive)
            await self.app(scope, receive, send_with_trace)
        except Problem as problem:  # raised by _buffered or the address limit
            if started:
                raise
            scope["workledger.ratelimit_skip"] = True
            await self._render(path, problem)(scope, receive, send_with_trace)
        except Exception:
            log.exception("unhandled error, trace %s", traceparent)
            if started:
                raise
            await self._render(
                path, InternalError(f"Quote trace id {traceparent} when you contact support.")
            )(scope, receive, send_with_trace)
        finally:
            if head:
                scope["method"] = "HEAD"
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    '%s "%s %s" %s %.1fms trace=%s',
                    (scope.get("client") or ("-",))[0], scope["method"], loggable_target(scope),
                    status, (time.perf_counter() - began) * 1000, traceparent,
                )

    def _render(self, path: str, problem: Problem) -> Response:
        for prefix, render in self.renderers:
            if path.startswith(prefix):
                return render(problem)
        return problem_response(problem)

    async def _count_address(self, scope: Scope, *, enforce: bool = False) -> Window | None:
        address = (scope.get("client") or ("unknown",))[0]
        policy, item = self.limiter.item_for(None)
        try:
            return await self.limiter.hit(policy, item, "address", address)
        except RateLimited:
            if enforce:
                raise
            return None

    def _refusal(self, scope: Scope, headers: Headers) -> Problem | None:
        length = headers.get("content-length")
        if length is not None:
            if query_int(length, minimum=0, maximum=2**63 - 1) is None:
                return BodyNotParsed(N_("Content-Length is not a number.").in_language())
            if int(length) > self.max_body_bytes:
                return PayloadTooLarge(N_("The body may be at most {maximum} bytes.").say(
                    maximum=self.max_body_bytes))
        if (not self.dev and scope.get("scheme") == "http"
                and route_path(scope) not in PLAIN_HTTP_PATHS):
            client = (scope.get("client") or ("", 0))[0]
            forwarded = headers.get("x-forwarded-proto", "").lower()
            if not (client in self.trusted_proxies and forwarded == "https"):
                return Forbidden(N_("HTTPS is required.").in_language())
        return None

    def _https_redirect(self, scope: Scope, headers: Headers) -> RedirectResponse | None:
        """Pages (not the API) move to HTTPS in production instead of failing."""
        path = route_path(scope)
        if (self.dev or scope.get("scheme") != "http" or path.startswith(API_PREFIXES)
                or path in PLAIN_HTTP_PATHS):
            return None
        client = (scope.get("client") or ("", 0))[0]
        if client in self.trusted_proxies and headers.get("x-forwarded-proto") == "https":
            return None
        # Never the Host header: the client would choose where it is sent (kit.urls).
        target = public_url_for(self.public_url, scope).replace(scheme="https")
        return RedirectResponse(str(target), status_code=308)

    async def _buffered(self, receive: Receive) -> Receive:
        """Read a body of unknown length up to the limit, then replay it to the app."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise PayloadTooLarge(f"The body may be at most {self.max_body_bytes} bytes.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


def _authenticates(path: str) -> bool:
    """Whether the endpoint resolves a credential (and so counts the call per credential)."""
    if path.startswith("/v1/"):
        return path != "/v1/Account/token"
    if path in BODY_CREDENTIAL_PATHS:
        return True
    return path.startswith("/openapi/") and path != "/openapi/versions"


def _carries_credential(scope: Scope, headers: Headers) -> bool:
    if "authorization" in headers or "x-api-authorization" in headers:
        return True
    if scope["method"] == "POST" and route_path(scope) in BODY_CREDENTIAL_PATHS:
        return True  # the endpoint counts it: per credential, or by address if refused
    return b"token=" in scope.get("query_string", b"")


def loggable_target(scope: Scope) -> str:
    """The path and query for the access log, with credential parameters masked.

    Headers are never logged, so ``Authorization`` cannot leak from here.
    """
    raw = scope.get("query_string", b"").decode("latin-1")
    if not raw:
        return scope["path"]
    pairs = [
        (key, "***" if key.lower() in SECRET_PARAMETERS else value)
        for key, value in parse_qsl(raw, keep_blank_values=True)
    ]
    return f"{scope['path']}?{urlencode(pairs, safe='*')}"
