"""The restore schedule, ``WORKLEDGER_SANDBOX_RESTORE``: APScheduler's cron trigger, run
inside every server process; which one restores is settled by the restore lock and by
the slot it records (``sandbox_restores.scheduled_for`` is unique), so a slot is
restored once however many workers and machines fire it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from workledger.config import Settings
from workledger.sandbox.database import SandboxDatabase
from workledger.sandbox.restore import RestoreBusy, RestoreSummary, restore

log = logging.getLogger("workledger.sandbox")

#: A process that was busy (or down) at a slot still restores it within this time.
MISFIRE_GRACE = timedelta(hours=1)


def trigger_of(expression: str) -> CronTrigger | None:
    if expression == "off":
        return None
    return CronTrigger.from_crontab(expression, timezone=UTC)


def next_restore(settings: Settings, now: datetime | None = None) -> datetime | None:
    trigger = trigger_of(settings.sandbox_restore)
    if trigger is None:
        return None
    return trigger.get_next_fire_time(None, now or datetime.now(UTC))


def slot_at(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before ``now`` (within the grace): the slot a job that
    runs now was fired for."""
    slot = None
    candidate = trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
    while candidate is not None and candidate <= now:
        slot = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
    return slot


async def run_scheduled_restore(
    settings: Settings, sandbox: SandboxDatabase | None = None, *, now: datetime | None = None,
) -> RestoreSummary | None:
    """The job: restore for the slot that just passed, unless another process does or did."""
    trigger = trigger_of(settings.sandbox_restore)
    if trigger is None:
        return None
    slot = slot_at(trigger, now or datetime.now(UTC))
    if slot is None:
        return None
    try:
        return await restore(
            settings.database_url, settings.resolved_sandbox_database_url(),
            trigger="schedule", scheduled_for=slot, sandbox=sandbox,
        )
    except RestoreBusy:
        log.info("scheduled sandbox restore for %s: another process is restoring", slot)
        return None
    except Exception:
        log.exception("scheduled sandbox restore for %s failed", slot)
        return None


def start_schedule(settings: Settings, sandbox: SandboxDatabase) -> AsyncIOScheduler | None:
    trigger = trigger_of(settings.sandbox_restore)
    if trigger is None:
        return None
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        run_scheduled_restore, trigger, args=(settings, sandbox), id="sandbox-restore",
        coalesce=True, max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
    )
    scheduler.start()
    return scheduler
