"""The pages: login, company settings, staff administration and OAuth consent (DESIGN §2,
§3, §4.7, §6).

Plain server-rendered HTML (Jinja, autoescaped), one stylesheet, one tiny script for
"Copy token", a CSRF token in every form and a signed session cookie.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from workledger.web.common import HERE, SECURITY_HEADERS
from workledger.web.sessions import SessionCodec


class _SecureStatic:
    """The page assets, with the same security headers as the pages."""

    def __init__(self, directory: str) -> None:
        self.files = StaticFiles(directory=directory)
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.files(scope, receive, send_secured)


def install_web(app: FastAPI) -> None:
    from workledger.web.admin_pages import router as admin_router
    from workledger.web.authorized_apps_pages import router as authorized_apps_router
    from workledger.web.consent import router as consent_router
    from workledger.web.login import router as login_router
    from workledger.web.oauth_admin_pages import router as oauth_admin_router
    from workledger.web.sandbox_pages import router as sandbox_router
    from workledger.web.settings_pages import router as settings_router

    settings = app.state.settings
    app.state.web_sessions = SessionCodec(settings.resolved_secret_key(), secure=not settings.dev)
    for router in (login_router, settings_router, authorized_apps_router, admin_router,
                   oauth_admin_router, sandbox_router, consent_router):
        app.include_router(router)
    app.mount("/static/web", _SecureStatic(str(HERE / "static")), name="web-assets")
