"""The sandbox: every API face again under ``/sandbox``, on a copy of production
(DESIGN §4.9, §8; docs/sandbox.md).

It is the same application built a second time by the same factory
(``create_app(environment="sandbox")``) and mounted at ``/sandbox``: every router that
production serves, now or added later, is served there too with no change here. What
differs is given to that second application:

- its database is a :class:`SandboxDatabase` (the current copy, switched by restores);
- its settings send no mail (no SMTP host) and make its URLs under ``/sandbox``;
- its rate-limit counters are its own (another key prefix in Redis, its own memory);
- :class:`SandboxMiddleware`, outermost, pins each request to one copy and marks every
  answer ``X-Workledger-Environment: sandbox``;
- no pages: people sign in, and staff restore the sandbox, on production's pages.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workledger.config import Settings
from workledger.sandbox.database import SandboxDatabase

PREFIX = "/sandbox"
ENVIRONMENT_HEADER = (b"x-workledger-environment", b"sandbox")
#: Redis keys of the sandbox's rate-limit counters start with this, production's "LIMITS".
RATE_LIMIT_PREFIX = "LIMITS:sandbox"


def sandbox_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "smtp_host": None,
        "public_url": settings.public_url.rstrip("/") + PREFIX,
    })


class SandboxMiddleware:
    """Outermost in the sandbox app: one copy per request, and the environment header."""

    def __init__(self, app: ASGIApp, *, database: SandboxDatabase) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        copy = await self.database.pin()
        copy.in_flight += 1  # type: ignore[attr-defined]
        scope["workledger.database"] = copy  # kit.session.database_for

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), ENVIRONMENT_HEADER]
            await send(message)

        try:
            await self.app(scope, receive, send_marked)
        finally:
            copy.in_flight -= 1  # type: ignore[attr-defined]


def install_sandbox(app: FastAPI, factory: Callable[..., FastAPI]) -> FastAPI:
    """Build the sandbox app with ``factory`` (create_app) and mount it at ``/sandbox``."""
    settings: Settings = app.state.settings
    database = SandboxDatabase(
        settings.resolved_sandbox_database_url(), app.state.database,
        echo=settings.echo_sql, check_seconds=settings.sandbox_check_seconds,
    )
    sandbox = factory(sandbox_settings(settings), environment="sandbox", database=database)
    app.state.sandbox = database
    app.state.sandbox_app = sandbox
    app.mount(PREFIX, sandbox, name="sandbox")
    return sandbox
