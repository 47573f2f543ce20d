"""Background work of the dashboards: the nightly reconcile.

``wangge rebuild_dashboards --days 400 --enqueue`` (from cron, at night) puts
``reconcile_dashboards_task`` on the queue for the task worker; it rebuilds the
aggregates of the events reported in the last ``days`` days from the events
table, a district and a month per transaction (see ``aggregates.reconcile``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.tasks import task
from django.utils import timezone

from wangge.dashboards.aggregates import reconcile

#: What the nightly reconcile covers by default: a year and a bit.
DEFAULT_DAYS = 400


@task()
def reconcile_dashboards_task(
    days: int = DEFAULT_DAYS, district: str | None = None
) -> dict[str, int]:
    """Rebuild the dashboards' aggregates of the last ``days`` days (every district)."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    start: date = today - timedelta(days=max(0, days - 1))
    result = reconcile(start=start, end=today, districts=[district] if district else None)
    return {"events": result.events, "tallies": result.tallies, "chunks": len(result.chunks)}
