"""Months as the first day of the month, and their bounds in local time."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils import timezone

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> date | None:
    """``2026-10`` → date(2026, 10, 1); anything else → None."""
    m = MONTH_RE.match(value.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 2000:
        return None
    return date(year, month, 1)


def first_of(d: date) -> date:
    return d.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month in the current time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(month, time.min, tzinfo=tz)
    end = datetime.combine(next_month(month), time.min, tzinfo=tz)
    return start, end


def this_month(now: datetime | None = None) -> date:
    return first_of(timezone.localdate(now or timezone.now()))
