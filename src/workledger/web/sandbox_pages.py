"""Staff administration → Sandbox: the last restore, the next one, and "Restore now"."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from workledger.kit.i18n import N_
from workledger.kit.session import Session
from workledger.models import SandboxRestore
from workledger.sandbox.restore import RestoreBusy, is_running, restore
from workledger.sandbox.schedule import next_restore
from workledger.web.common import CSRF, PageRoute, StaffUser, redirect, render

log = logging.getLogger("workledger.sandbox")
router = APIRouter(prefix="/admin/sandbox", route_class=PageRoute, include_in_schema=False)

NOTICES = {
    "started": N_("The restore has started. Reload this page to see when it is done."),
    "busy": N_("A restore is running already: reload this page to see when it is done."),
}


def _tasks(request: Request) -> set[asyncio.Task]:
    state = request.app.state
    if not hasattr(state, "sandbox_restores"):
        state.sandbox_restores = set()
    return state.sandbox_restores


@router.get("")
async def sandbox_page(request: Request, session: Session, _user: StaffUser) -> Response:
    settings = request.app.state.settings
    recent = (await session.scalars(
        select(SandboxRestore).order_by(SandboxRestore.id.desc()).limit(5)
    )).all()
    running = any(not task.done() for task in _tasks(request)) or await is_running(
        settings.database_url, settings.resolved_sandbox_database_url()
    )
    return render(
        request, "sandbox.html", title=N_("Sandbox"), last=recent[0] if recent else None,
        recent=recent, next_restore=next_restore(settings), schedule=settings.sandbox_restore,
        running=running, notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.post("/restore", dependencies=CSRF)
async def restore_now(request: Request, user: StaffUser) -> Response:
    """Starts the restore in this process and answers at once: a restore of a large
    database takes longer than a page should."""
    settings = request.app.state.settings
    sandbox_url = settings.resolved_sandbox_database_url()
    if any(not task.done() for task in _tasks(request)) or await is_running(
        settings.database_url, sandbox_url
    ):
        return redirect("/admin/sandbox?done=busy")

    async def run() -> None:
        try:
            await restore(settings.database_url, sandbox_url, trigger="staff",
                          requested_by=email, sandbox=request.app.state.sandbox)
        except RestoreBusy:
            log.info("restore requested by %s: another restore is running", email)
        except Exception:
            log.exception("restore requested by %s failed", email)

    email = user.email
    task = asyncio.create_task(run())
    _tasks(request).add(task)
    task.add_done_callback(_tasks(request).discard)
    return redirect("/admin/sandbox?done=started")
