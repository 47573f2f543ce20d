"""The platform's periodic jobs, run by ``wangge scheduler`` (one process per installation).

Each job is a plain function that does one pass and returns counts; the
scheduler calls it every ``every`` seconds, or once a day at ``daily_at`` (local
time).  A failing job is logged and tried again at its next turn; the others go
on.  The same passes remain available one by one as management commands
(``events_worker --once``, ``care_worker --once``…) for cron or systemd timers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("wangge.scheduler")


def _as_dict(result: Any) -> Any:
    return result.as_dict() if hasattr(result, "as_dict") else result


def dashboards_feed() -> Any:
    from wangge.dashboards.feed import run_feed

    return run_feed()


def events_overdue() -> Any:
    from wangge.events.actions import mark_overdue

    return _as_dict(mark_overdue())


def care_visits() -> Any:
    from wangge.care.actions import generate_visit_tasks
    from wangge.care.photos import delete_unused_photos

    counts = _as_dict(generate_visit_tasks())
    return {**counts, "photos_removed": delete_unused_photos()}


def inspections_overdue() -> Any:
    from wangge.inspections.actions import mark_overdue_hazards

    return _as_dict(mark_overdue_hazards())


def webhooks_retry() -> Any:
    from wangge.notifications.tasks import retry_webhooks_task

    return retry_webhooks_task.call()


def reports_housekeeping() -> Any:
    """Interrupted reports marked failed; reports past their keeping time deleted."""
    from wangge.reports.actions import housekeeping

    return housekeeping()


def reports_schedules() -> Any:
    """Queue the reports of the schedules whose period has ended (built by the task worker)."""
    from wangge.reports.actions import run_schedules

    return _as_dict(run_schedules())


def dashboards_reconcile() -> Any:
    from wangge.dashboards.tasks import reconcile_dashboards_task

    return reconcile_dashboards_task.call()


def triage_retrain() -> Any:
    from wangge.triage.actions import do_train_triage

    row = do_train_triage(actor=None, if_needed=True)
    return {"version": row.version if row is not None else None}


def workforce_assess() -> Any:
    """Last month's scorecards, recomputed each night until the month is well past."""
    from wangge.workforce import months
    from wangge.workforce.actions import do_compute_scorecards

    month = months.previous_month(months.this_month())
    return {"computed": do_compute_scorecards(month=month, actor=None).computed}


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Any] | str
    every: float | None = None
    daily_at: time | None = None

    def call(self) -> Any:
        target = import_string(self.run) if isinstance(self.run, str) else self.run
        return target()

    def first_due(self, now: datetime) -> datetime:
        """When the job first runs after the scheduler starts."""
        if self.daily_at is None:
            return now  # interval jobs: at once
        return self.next_due(now)

    def next_due(self, now: datetime) -> datetime:
        if self.daily_at is None:
            return now + timedelta(seconds=self.every or 60)
        local = timezone.localtime(now)
        due = local.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0
        )
        return due if due > local else due + timedelta(days=1)


#: Every periodic job of the platform.  Apps with jobs of their own add them here.
JOBS: list[Job] = [
    Job("dashboards-feed", dashboards_feed, every=2),
    Job("events-overdue", events_overdue, every=300),
    Job("webhooks-retry", webhooks_retry, every=60),
    Job("care-visits", care_visits, every=3600),
    Job("inspections-overdue", inspections_overdue, every=3600),
    Job("reports-schedules", reports_schedules, every=600),
    Job("dashboards-reconcile", dashboards_reconcile, daily_at=time(2, 30)),
    Job("reports-housekeeping", reports_housekeeping, daily_at=time(4, 0)),
    Job("triage-retrain", triage_retrain, daily_at=time(3, 0)),
    Job("workforce-assess", workforce_assess, daily_at=time(3, 30)),
]


def jobs_named(names: list[str] | None) -> list[Job]:
    if not names:
        return list(JOBS)
    known = {job.name: job for job in JOBS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [known[n] for n in names]


def run_job(job: Job) -> tuple[bool, Any]:
    """One pass of ``job``: (succeeded, its result or the error)."""
    try:
        return True, job.call()
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
        logger.exception("periodic job %s failed", job.name)
        return False, exc
    finally:
        from django.db import close_old_connections, connection

        if not connection.in_atomic_block:  # a test's transaction, or a caller's
            close_old_connections()
