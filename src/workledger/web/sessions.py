"""Page sessions in a signed cookie, and the CSRF token that travels with them.

The cookie holds only the user id (``None`` before login), a CSRF token and the time it
was issued, signed with a key derived from the server secret under its own salt. It is
not encrypted: nothing in it is secret from the browser that holds it. The user is read
from the database on every request, so disabling a user or changing their password ends
their sessions at once (a session issued before the user row last changed is refused).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE_NAME = "workledger_session"
SALT = "workledger.web.session"
MAX_AGE_SECONDS = 12 * 60 * 60


def _new_csrf() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class PageSession:
    user_id: int | None = None
    csrf: str = field(default_factory=_new_csrf)
    issued_at: float = field(default_factory=time.time)
    #: Set when the cookie has to be (re)sent with the response.
    changed: bool = False

    def csrf_matches(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf, presented or "")


class SessionCodec:
    """Signs and reads the session cookie; one per app (keyed from its settings)."""

    def __init__(self, secret_key: str, *, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.secure = secure

    def load(self, request: Request) -> PageSession | None:
        raw = request.cookies.get(COOKIE_NAME)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=MAX_AGE_SECONDS)
            user_id, csrf, issued_at = data["u"], data["c"], data["t"]
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        if not isinstance(csrf, str) or not isinstance(issued_at, int | float):
            return None
        if user_id is not None and not isinstance(user_id, int):
            return None
        if issued_at + MAX_AGE_SECONDS < time.time():
            return None
        return PageSession(user_id=user_id, csrf=csrf, issued_at=float(issued_at))

    def store(self, response: Response, session: PageSession) -> None:
        value = self._serializer.dumps(
            {"u": session.user_id, "c": session.csrf, "t": session.issued_at}
        )
        response.set_cookie(
            COOKIE_NAME, value, max_age=MAX_AGE_SECONDS, path="/", secure=self.secure,
            httponly=True, samesite="lax",
        )


def page_session(request: Request) -> PageSession:
    """This request's session: the cookie's, or a fresh anonymous one (sent back)."""
    current: PageSession | None = getattr(request.state, "page_session", None)
    if current is None:
        codec: SessionCodec = request.app.state.web_sessions
        current = codec.load(request)
        if current is None:
            current = PageSession(changed=True)
        request.state.page_session = current
    return current


def start_user_session(request: Request, user_id: int) -> PageSession:
    """After a login: a new session with a new CSRF token (nothing carries over)."""
    fresh = PageSession(user_id=user_id, changed=True)
    request.state.page_session = fresh
    return fresh


def end_session(request: Request) -> PageSession:
    """Logged out (or the session is no longer good): a fresh anonymous session."""
    fresh = PageSession(changed=True)
    request.state.page_session = fresh
    return fresh
