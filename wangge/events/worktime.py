"""Deadlines in working hours, working days or natural hours.

Working days are Monday to Friday, except the calendar's holidays (放假), plus
its adjusted working days (调休上班).  Working hours are the periods of a
working day (08:30–12:00 and 14:00–17:30 unless ``WANGGE_WORKING_HOURS`` says
otherwise), in the installation's time zone.

* ``N working hours``: the clock runs only inside working periods; a start
  outside them begins at the next period.
* ``N working days``: the day of the start does not count (期间开始之日不计入);
  the deadline is the close of business of the N-th working day after it.
* ``N natural hours``: plain elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from wangge.events.choices import CalendarDayKind, TimeUnit

Period = tuple[time, time]
DEFAULT_PERIODS: tuple[Period, ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
#: How far a deadline may lie: a calendar of nothing but holidays must not loop forever.
MAX_DAYS = 3660


class WorkTimeError(ValueError):
    pass


def parse_working_hours(text: str) -> tuple[Period, ...]:
    """``"08:30-12:00,14:00-17:30"`` → periods, checked to be ordered and disjoint."""
    periods: list[Period] = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            start_text, end_text = chunk.split("-")
            start = time.fromisoformat(start_text.strip())
            end = time.fromisoformat(end_text.strip())
        except ValueError:
            raise WorkTimeError(f"无法解析工作时段：{chunk!r}（格式如 08:30-12:00）") from None
        if end <= start:
            raise WorkTimeError(f"工作时段的结束时间必须晚于开始时间：{chunk!r}")
        if periods and start < periods[-1][1]:
            raise WorkTimeError(f"工作时段必须按时间顺序排列且互不重叠：{chunk!r}")
        periods.append((start, end))
    if not periods:
        raise WorkTimeError("至少需要一个工作时段")
    return tuple(periods)


@dataclass(frozen=True)
class WorkCalendar:
    tz: tzinfo
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    periods: tuple[Period, ...] = DEFAULT_PERIODS

    @classmethod
    def from_days(
        cls,
        tz: tzinfo,
        days: Iterable[tuple[date, str]],
        periods: tuple[Period, ...] = DEFAULT_PERIODS,
    ) -> WorkCalendar:
        """Build from ``(date, kind)`` pairs as stored in ``WorkCalendarDay``."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        for day, kind in days:
            (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
        return cls(
            tz=tz, holidays=frozenset(holidays), workdays=frozenset(workdays), periods=periods
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def add(self, start: datetime, amount: int, unit: str) -> datetime:
        """The deadline ``amount`` units after ``start`` (an aware datetime)."""
        if start.tzinfo is None:
            raise WorkTimeError("start must be an aware datetime")
        if amount < 0:
            raise WorkTimeError("amount must not be negative")
        if unit == TimeUnit.NATURAL_HOURS:
            return start + timedelta(hours=amount)
        if unit == TimeUnit.WORKING_HOURS:
            return self.add_working_minutes(start, amount * 60)
        if unit == TimeUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        raise WorkTimeError(f"unknown time unit {unit!r}")

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        local = start.astimezone(self.tz)
        if minutes == 0:
            return local
        remaining = timedelta(minutes=minutes)
        day = local.date()
        cursor = local
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                for period_start, period_end in self.periods:
                    begin = max(self._at(day, period_start), cursor)
                    end = self._at(day, period_end)
                    if begin >= end:
                        continue
                    available = end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
            cursor = self._at(day, time(0, 0))
        raise WorkTimeError("deadline lies too far ahead (no working time in the calendar?)")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(self.tz)
        if days == 0:
            return local
        day = local.date()
        counted = 0
        for _ in range(MAX_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    return self._at(day, self.periods[-1][1])
        raise WorkTimeError("deadline lies too far ahead (no working days in the calendar?)")

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes from ``start`` to ``end`` (0 if ``end`` is not later)."""
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        if b <= a:
            return 0
        total = timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for period_start, period_end in self.periods:
                    lo = max(self._at(day, period_start), a)
                    hi = min(self._at(day, period_end), b)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def configured_periods() -> tuple[Period, ...]:
    from django.conf import settings

    return parse_working_hours(getattr(settings, "WORKING_HOURS", "08:30-12:00,14:00-17:30"))


def load_calendar(start: date, days: int = 800) -> WorkCalendar:
    """The calendar for ``days`` days from ``start``, from the ``WorkCalendarDay`` table."""
    from django.utils import timezone

    from wangge.events.models import WorkCalendarDay

    rows = WorkCalendarDay.objects.filter(
        date__gte=start - timedelta(days=1), date__lte=start + timedelta(days=days)
    ).values_list("date", "kind")
    return WorkCalendar.from_days(timezone.get_default_timezone(), rows, configured_periods())


def deadline(start: datetime, amount: int, unit: str) -> datetime:
    """``start`` plus ``amount`` ``unit`` by the stored work calendar."""
    from django.utils import timezone

    local_day = start.astimezone(timezone.get_default_timezone()).date()
    # Generous window: N working days never span more than ~3N calendar days
    # unless the calendar is pathological, and ``add`` stops at MAX_DAYS anyway.
    span = 60 + (amount * 3 if unit == TimeUnit.WORKING_DAYS else amount)
    return load_calendar(local_day, days=span).add(start, amount, unit)
