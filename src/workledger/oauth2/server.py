"""Authlib's ``AuthorizationServer`` behind a small Starlette adapter.

**Threads.** Authlib is synchronous: its grants call ``query_client``,
``query_authorization_code``, ``save_token`` ... and expect answers. Our database is
async. So an endpoint first does the async I/O Authlib cannot do (reading the form),
then runs Authlib's processing in a worker thread (``anyio.to_thread.run_sync``, see
:func:`in_worker`), and the hooks reach the database by running coroutines back on the
event loop with ``anyio.from_thread.run`` (``OAuthStore.call``). The loop is never
blocked: it keeps serving other requests while the worker waits, and every query still
runs on the loop through the request's own session (which nothing else touches while
the worker runs).

**One server per request.** ``query_client`` receives only a ``client_id``, not the
request, so the server is built per request around that request's store (a handful of
dictionary inserts; no I/O).

**Errors** carry ``error``, ``error_description`` and, as in the seed, ``error_hint``
(and ``state`` at the authorization endpoint), as JSON at the token endpoint and as query
parameters on a redirect to the client.
"""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import anyio.to_thread
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    JsonPayload,
    JsonRequest,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    UnsupportedGrantTypeError,
    UnsupportedResponseTypeError,
)
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from starlette.requests import Request
from starlette.responses import Response

from workledger.auth.secrets import new_secret
from workledger.kit.urls import public_url
from workledger.oauth2.grants import (
    CODE_REPLAYED,
    DENIED,
    REFRESH_RACED,
    REFRESH_REPLAYED,
    AuthorizationCodeGrant,
    RefreshRaceLost,
    RefreshTokenGrant,
)
from workledger.oauth2.store import (
    ACCESS_TOKEN_LIFETIME,
    GRANT_TYPES,
    SCOPE,
    OAuthStore,
)

T = TypeVar("T")
#: Answers that count as a failed credential check (DESIGN §4.6: the sign-in limits).
FAILED_CHECKS = ("invalid_client", "invalid_grant")

TWO_AUTHENTICATION_METHODS = (
    "The client used more than one authentication method: HTTP Basic and a "
    "client_secret in the form."
)
CONFLICTING_CLIENT_IDS = "The client_id in the form is not the one in HTTP Basic."

#: What to try next, by error description (first) or by error code.
HINTS_BY_DESCRIPTION = {
    "Missing 'state' in request.":
        "Send state: an unguessable value that you check when the user comes back.",
    "A public client must send a 'code_challenge' (PKCE).":
        "Make a code_verifier (43-128 characters) and send code_challenge="
        "BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256.",
    "Invalid 'code_challenge'":
        "A code_challenge is 43-128 characters from A-Z a-z 0-9 - . _ ~",
    "Unsupported 'code_challenge_method'": "Use code_challenge_method=S256 or plain.",
    "Missing 'code_verifier'":
        "The authorization request had a code_challenge: send its code_verifier.",
    "Invalid 'code_verifier'": "A code_verifier is 43-128 characters from A-Z a-z 0-9 - . _ ~",
    "Code challenge failed.":
        "Send the code_verifier the code_challenge was made from (S256: BASE64URL("
        "SHA256(code_verifier)); plain: the code_verifier itself).",
    "The authorization request had no 'code_challenge', but a 'code_verifier' was provided.":
        "Send a code_verifier only when the authorization request had a code_challenge.",
    "Invalid 'redirect_uri' in request.":
        "Send exactly the redirect_uri that was sent to /oauth2/auth.",
    "Missing 'code' in request.": "Send the code your redirect_uri received.",
    "Missing 'refresh_token' in request.": "Send the refresh_token of your last token response.",
    "Missing 'grant_type' in request.":
        "Send grant_type=authorization_code or grant_type=refresh_token.",
    "Missing 'response_type' in request.": "Send response_type=code.",
    REFRESH_RACED:
        "Nothing was revoked. Refresh from one place only, or share the new refresh token "
        "between the processes that refresh.",
    TWO_AUTHENTICATION_METHODS:
        "Send client_id and client_secret either in the form (client_secret_post) or with "
        "HTTP Basic (client_secret_basic), not both.",
    CONFLICTING_CLIENT_IDS:
        "Leave client_id out of the form when you authenticate with HTTP Basic.",
}
HINTS_BY_ERROR = {
    "invalid_client":
        "Check client_id and client_secret. Send them in the form (client_secret_post) or "
        "with HTTP Basic (client_secret_basic); a public client sends client_id only.",
    "invalid_grant":
        "Codes and refresh tokens work once; codes live 10 minutes. Start the "
        "authorization again at /oauth2/auth.",
    "unsupported_grant_type": "Use grant_type=authorization_code or grant_type=refresh_token.",
    "unsupported_response_type": "Use response_type=code.",
    "invalid_scope": "The only scope is offline_access.",
    "unauthorized_client": "Ask Workledger support to check the application's registration.",
    "invalid_request": "Check the parameters against the OAuth2 guide (docs/oauth2.md).",
}
CLIENT_AUTHENTICATION_FAILED = (
    "Client authentication failed: the client_secret is wrong or missing, or this client "
    "may not authenticate that way."
)
DEFAULT_DESCRIPTIONS = {
    "invalid_grant": "The code or refresh token is not valid, has expired, was revoked or "
                     "was issued to another client.",
    "invalid_client": "Client authentication failed.",
}


#: RFC 6749 Appendix A: every parameter value is printable ASCII (VSCHAR, %x20-7E), and
#: some have a narrower syntax. The narrower ones matter where Authlib quotes the value
#: into an error description, which raises on characters RFC 6749 forbids there (" and
#: \): ``response_type`` and ``redirect_uri``.
_VSCHAR = re.compile(r"[\x20-\x7e]*")
_SYNTAX = {
    "response_type": re.compile(r"(?:[A-Za-z0-9_]+(?: [A-Za-z0-9_]+)*)?"),
    # A URI reference (RFC 3986): no space, quote, backslash, angle brackets or braces.
    "redirect_uri": re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*"),
    "scope": re.compile(r"[\x21\x23-\x5b\x5d-\x7e ]*"),
}
_NAME = re.compile(r"[a-z_]{1,40}")


def parameter_fault(items: Iterable[tuple[str, str]]) -> str | None:
    """The OAuth parameter gate: why the parameters cannot be used, or ``None``.

    What fails here would otherwise reach a database query (a NUL: PostgreSQL refuses
    it, SQLite stores it) or an Authlib error description (a 500 instead of the error
    the client should get)."""
    for key, value in items:
        named = f"'{key}'" if _NAME.fullmatch(key) else "a parameter"
        if not _VSCHAR.fullmatch(value):
            return f"The value of {named} must be printable ASCII (RFC 6749 Appendix A)."
        syntax = _SYNTAX.get(key)
        if syntax is not None and not syntax.fullmatch(value):
            return f"The value of {named} does not have its syntax (RFC 6749 Appendix A)."
    return None


def basic_client_fault(request: OAuth2Request) -> str | None:
    """Why HTTP Basic client credentials cannot be read, or ``None``. Authlib decodes
    them itself and fails with a 500 on a non-ASCII header or non-UTF-8 credentials."""
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    if not _VSCHAR.fullmatch(encoded):
        return "Malformed Basic credentials: the header must be printable ASCII."
    try:
        base64.b64decode(encoded.strip()).decode("utf-8")
    except ValueError:  # not base64, not UTF-8
        return "Malformed Basic credentials: expected base64 of 'client_id:client_secret'."
    client_id, client_secret = extract_basic_authorization(request.headers)
    if parameter_fault([("client_id", client_id or ""), ("client_secret", client_secret or "")]):
        return "Malformed Basic credentials: client_id and client_secret are printable ASCII."
    return None


def hint_for(error: OAuth2Error) -> str | None:
    if error.error == "access_denied":
        return None  # the seed's Deny redirect carries no hint
    description = error.get_error_description() or ""
    return HINTS_BY_DESCRIPTION.get(description) or HINTS_BY_ERROR.get(error.error)


def secure_uri(request: Request) -> str:
    """The request URL as the edge admitted it, on the configured address (kit.urls), not
    the Host header. Transport security is kit.edge's job: in production a plain-HTTP
    request never gets here (403 for /oauth2/token, a redirect for pages) and in
    development plain HTTP is allowed on purpose; Authlib's own check would otherwise
    refuse ``http://`` hosts that are not loopback."""
    return str(public_url(request).replace(scheme="https"))


class StarlettePayload(OAuth2Payload):
    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        datalist: defaultdict[str, list] = defaultdict(list)
        for key, value in items:
            datalist[key].append(value)
        self._datalist = datalist
        self._data = {key: values[0] for key, values in datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist

    def datalist_items(self) -> list[tuple[str, str]]:
        return [(key, value) for key, values in self._datalist.items() for value in values]


class StarletteOAuth2Request(OAuth2Request):
    """The OAuth parameters come from the query at the authorization endpoint and from
    the form body (never the query) at the token endpoint."""

    def __init__(self, request: Request, items: list[tuple[str, str]], form: dict[str, str]):
        super().__init__(request.method, secure_uri(request), headers=request.headers)
        self.payload = StarlettePayload(items)
        self._args = dict(request.query_params)
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class StarletteJsonPayload(JsonPayload):
    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def data(self) -> Any:
        return self._data


async def authorization_request(request: Request) -> StarletteOAuth2Request:
    return StarletteOAuth2Request(request, list(request.query_params.multi_items()), {})


async def token_request(request: Request) -> StarletteOAuth2Request:
    form = await request.form()
    items = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    first = {key: value for key, value in reversed(items)}  # a repeated key: the first wins
    return StarletteOAuth2Request(request, items, first)


async def in_worker(function: Callable[..., T], *args: Any) -> T:
    """Run Authlib's synchronous processing off the event loop (its hooks call back)."""
    return await anyio.to_thread.run_sync(function, *args)


class WorkledgerAuthorizationServer(AuthorizationServer):
    def __init__(self, store: OAuthStore) -> None:
        super().__init__(scopes_supported=[SCOPE])
        self.store = store
        #: The ``error`` of the last error response (the token endpoint counts failures).
        self.last_error: str | None = None
        #: Whether that error counts as a failed credential check (the sign-in limits).
        self.failed_check = False
        self.register_token_generator("default", self.generate_bearer_token)
        self.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=False)])
        self.register_grant(RefreshTokenGrant)

    # -- the adapter ---------------------------------------------------------------------

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request  # built before the worker started (reading a form is async)
        raise TypeError("build the request with authorization_request() / token_request()")

    def create_json_request(self, request: Any) -> JsonRequest:
        """For JSON endpoints (none registered yet): ``request`` is ``(Request, body)``."""
        starlette_request, body = request
        json_request = JsonRequest(
            starlette_request.method, secure_uri(starlette_request), starlette_request.headers
        )
        json_request.payload = StarletteJsonPayload(body)
        return json_request

    def handle_response(self, status: int, body: Any, headers: Iterable[tuple[str, str]]):
        if status == 302:
            status = 303  # a redirect after the consent POST must not repeat the POST
        content = json.dumps(body) if isinstance(body, dict) else (body or "")
        return Response(content, status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's signals (client authenticated, token revoked): nothing listens."""

    # -- our rules -----------------------------------------------------------------------

    def query_client(self, client_id: str):
        return self.store.call(self.store.client, client_id)

    def generate_bearer_token(
        self, grant_type: str, client: Any, user: Any = None, scope: str | None = None,
        expires_in: int | None = None, include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """Exactly the seed's response, in its order."""
        token: dict[str, Any] = {
            "access_token": new_secret("oauth_access_token"),
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        }
        if include_refresh_token:
            token["refresh_token"] = new_secret("oauth_refresh_token")
        token["scope"] = scope or SCOPE
        token["token_type"] = "bearer"
        return token

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        store = self.store
        if request.refresh_token is not None:
            if not store.call(store.rotate, request.refresh_token, token):
                if store.call(store.lost_refresh_race, request.refresh_token.id):
                    raise RefreshRaceLost()  # PostgreSQL: both read it unused, one rotated
                store.revoke_after.append(("family", request.refresh_token.family_id))
                raise InvalidGrantError(REFRESH_REPLAYED)
        elif not store.call(store.issue_for_code, request.authorization_code, token):
            store.revoke_after.append(("code", request.authorization_code.id))
            raise InvalidGrantError(CODE_REPLAYED)

    def get_authorization_grant(self, request: OAuth2Request):
        try:
            return super().get_authorization_grant(request)
        except UnsupportedResponseTypeError as error:
            response_type = request.payload.response_type
            if response_type:  # Authlib 1.9 passes its arguments the wrong way round
                raise UnsupportedResponseTypeError(
                    response_type, redirect_uri=error.redirect_uri
                ) from None
            raise InvalidRequestError(
                "Missing 'response_type' in request.", redirect_uri=error.redirect_uri
            ) from None

    def get_consent_grant(self, request: Any = None, end_user: Any = None):
        request = self.create_oauth2_request(request)
        fault = parameter_fault(request.payload.datalist_items())
        if fault:
            # No redirect_uri on the error: one that fails the gate cannot be trusted.
            raise InvalidRequestError(fault)
        return super().get_consent_grant(request, end_user)

    def create_token_response(self, request: Any = None) -> Response:
        request = self.create_oauth2_request(request)
        try:
            fault = parameter_fault(request.payload.datalist_items())
            if fault:
                raise InvalidRequestError(fault)
            fault = basic_client_fault(request)
            if fault:
                raise InvalidClientError(fault)
            check_one_authentication_method(request)
            if not request.payload.grant_type:
                raise InvalidRequestError("Missing 'grant_type' in request.")
            grant = self.get_token_grant(request)
            grant.validate_token_request()
            return self.handle_response(*grant.create_token_response())
        except (OAuth2Error, UnsupportedGrantTypeError) as error:
            return self.handle_error_response(request, error)

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> Response:
        self.last_error = error.error
        self.failed_check = error.error in FAILED_CHECKS and getattr(
            error, "counts_as_failed_check", True)
        if error.error == "invalid_client":
            error.status_code = 401  # however it failed (with the Basic challenge, RFC 6749 §5.2)
        description = error.get_error_description() or DEFAULT_DESCRIPTIONS.get(error.error)
        if description and description.startswith("The client cannot authenticate with"):
            description = CLIENT_AUTHENTICATION_FAILED  # Authlib lists its methods as Python
        params = [("error", error.error)]
        if description:
            params.append(("error_description", description))
        hint = hint_for(error)
        if hint:
            params.append(("error_hint", hint))
        if error.redirect_uri:
            if error.state:
                params.append(("state", error.state))
            location = add_params_to_uri(error.redirect_uri, params, error.redirect_fragment)
            return self.handle_response(303, "", [("Location", location)])
        return self.handle_response(error.status_code, dict(params), error.get_headers())


def check_one_authentication_method(request: OAuth2Request) -> None:
    """RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in
    each request." Checked before any secret, so that a wrong secret in one place cannot
    hide behind a right one in the other (Authlib tries its methods in turn and takes the
    first that succeeds).

    A bare ``client_id`` in the form beside HTTP Basic is allowed when it names the same
    client: it identifies, it does not authenticate (§3.2.1 lets a client send it to
    identify itself; §4.1.3 requires it only when the client does not authenticate), and
    common client libraries send it always. Naming another client is a contradiction."""
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return
    if "client_secret" in request.payload.datalist:
        raise InvalidRequestError(TWO_AUTHENTICATION_METHODS)
    basic_client_id, _ = extract_basic_authorization(request.headers)
    for client_id in request.payload.datalist.get("client_id", []):
        if client_id != basic_client_id:
            raise InvalidRequestError(CONFLICTING_CLIENT_IDS)


def metadata(public_url: str) -> AuthorizationServerMetadata:
    """RFC 8414 authorization server metadata."""
    base = public_url.rstrip("/")
    return AuthorizationServerMetadata({
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth2/auth",
        "token_endpoint": f"{base}/oauth2/token",
        "scopes_supported": [SCOPE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": [
            "client_secret_post", "client_secret_basic", "none",
        ],
        "code_challenge_methods_supported": list(CodeChallenge.SUPPORTED_CODE_CHALLENGE_METHOD),
        "service_documentation": f"{base}/docs",
    })


__all__ = [
    "DENIED", "WorkledgerAuthorizationServer", "authorization_request", "in_worker",
    "metadata", "token_request",
]
