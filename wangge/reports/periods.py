"""Report periods: a day, a week (Monday to Sunday) or a calendar month."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from wangge.reports.choices import PeriodKind

#: At most this many missed periods are made up by a schedule (the most recent ones).
MAX_BACKFILL = 31


def today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def period_start(kind: str, day: date) -> date:
    """The first day of the ``kind`` period holding ``day``."""
    if kind == PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    return day


def period_end(kind: str, start: date) -> date:
    """The last day of the ``kind`` period starting on ``start``."""
    if kind == PeriodKind.WEEK:
        return start + timedelta(days=6)
    if kind == PeriodKind.MONTH:
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return start


def next_start(kind: str, start: date) -> date:
    return period_end(kind, start) + timedelta(days=1)


def last_completed(kind: str, on: date) -> date:
    """Start of the latest ``kind`` period that ended before ``on``."""
    return period_start(kind, period_start(kind, on) - timedelta(days=1))


def due_periods(kind: str, last_run: date | None, on: date) -> list[date]:
    """Starts of the completed periods a schedule still owes, oldest first.

    A new schedule owes the latest completed period only; one that missed runs owes every
    period since its last one (at most ``MAX_BACKFILL``, the most recent)."""
    latest = last_completed(kind, on)
    if last_run is None:
        return [latest]
    starts: list[date] = []
    current = next_start(kind, period_start(kind, last_run))
    while current <= latest:
        starts.append(current)
        current = next_start(kind, current)
    return starts[-MAX_BACKFILL:]
