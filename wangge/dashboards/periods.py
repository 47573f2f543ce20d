"""Periods (today, 7 days, 30 days, this month, this year, custom) and trend buckets.

Every figure counts the events **reported** in the period (local calendar days,
both ends inclusive), as ``GET /api/v1/stats/events?since=&until=`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PERIODS: dict[str, Promise] = {
    "today": _("Today"),
    "7d": _("7 days"),
    "30d": _("30 days"),
    "month": _("This month"),
    "year": _("This year"),
    "custom": _("Custom"),
}
DEFAULT_PERIOD = "30d"
BUCKETS: dict[str, Promise] = {"day": _("By day"), "week": _("By week"), "month": _("By month")}
#: The longest custom period, in days (three years).
MAX_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period we refuse; ``fields`` maps field names to messages (in the active language)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def resolve_period(
    key: str | None, since: date | None, until: date | None, *, today: date
) -> Period:
    """The period named ``key``, or ``[since, until]`` (custom, also without a key)."""
    if not key:
        key = "custom" if since or until else DEFAULT_PERIOD
    if key == "today":
        return Period(key, today, today)
    if key == "7d":
        return Period(key, today - timedelta(days=6), today)
    if key == "30d":
        return Period(key, today - timedelta(days=29), today)
    if key == "month":
        return Period(key, today.replace(day=1), today)
    if key == "year":
        return Period(key, today.replace(month=1, day=1), today)
    if key != "custom":
        raise PeriodError({"period": gettext("Unknown period.")})
    errors: dict[str, str] = {}
    if since is None:
        errors["since"] = gettext("Enter the first day.")
    if until is None:
        errors["until"] = gettext("Enter the last day.")
    if since is not None and until is not None:
        if until < since:
            errors["until"] = gettext("The last day cannot be before the first.")
        elif (until - since).days + 1 > MAX_DAYS:
            errors["until"] = gettext("A period is at most %(days)s days.") % {"days": MAX_DAYS}
    if errors or since is None or until is None:
        raise PeriodError(errors)
    return Period(key, since, until)


def default_bucket(period: Period) -> str:
    if period.days <= 62:
        return "day"
    if period.days <= 190:
        return "week"
    return "month"


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date
    label: str


def buckets(period: Period, size: str) -> list[Bucket]:
    """The period cut into days, weeks (Monday to Sunday) or calendar months, clipped to it."""
    if size not in BUCKETS:
        raise PeriodError({"bucket": gettext("Unknown trend step.")})
    result: list[Bucket] = []
    current = period.start
    while current <= period.end:
        if size == "day":
            last = current
            label = f"{current:%m-%d}"
        elif size == "week":
            last = current + timedelta(days=6 - current.weekday())
            label = f"{current:%m-%d}"
        else:
            following = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = following - timedelta(days=1)
            label = f"{current:%Y-%m}"
        last = min(last, period.end)
        result.append(Bucket(current, last, label))
        current = last + timedelta(days=1)
    return result
