from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from wangge.events.choices import CalendarDayKind, TimeUnit
from wangge.events.worktime import WorkCalendar, WorkTimeError, parse_working_hours

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# 2026-11-16 is a Monday.
CAL = WorkCalendar.from_days(
    TZ,
    [
        (date(2026, 10, 1), CalendarDayKind.HOLIDAY),
        (date(2026, 10, 2), CalendarDayKind.HOLIDAY),
        (date(2026, 10, 5), CalendarDayKind.HOLIDAY),
        (date(2026, 10, 6), CalendarDayKind.HOLIDAY),
        (date(2026, 10, 7), CalendarDayKind.HOLIDAY),
        (date(2026, 10, 10), CalendarDayKind.WORKDAY),  # a Saturday worked
    ],
)


def test_it_knows_working_days():
    assert CAL.is_working_day(date(2026, 11, 16))
    assert not CAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(date(2026, 10, 1))  # holiday on a Thursday
    assert CAL.is_working_day(date(2026, 10, 10))  # adjusted working Saturday


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2026, 11, 16, 9, 0), 2, at(2026, 11, 16, 11, 0)),
        # crosses lunch: 11:00 + 2h = 12:00 + 1h after 14:00
        (at(2026, 11, 16, 11, 0), 2, at(2026, 11, 16, 15, 0)),
        # before opening starts at 08:30
        (at(2026, 11, 16, 6, 0), 1, at(2026, 11, 16, 9, 30)),
        # in the lunch break starts at 14:00
        (at(2026, 11, 16, 12, 30), 1, at(2026, 11, 16, 15, 0)),
        # after closing: next morning
        (at(2026, 11, 16, 20, 0), 1, at(2026, 11, 17, 9, 30)),
        # Friday afternoon over the weekend
        (at(2026, 11, 20, 17, 0), 1, at(2026, 11, 23, 9, 0)),
        # exactly the end of the day
        (at(2026, 11, 16, 8, 30), 7, at(2026, 11, 16, 17, 30)),
        # a full working day is 7 hours
        (at(2026, 11, 16, 8, 30), 14, at(2026, 11, 17, 17, 30)),
        # half an hour before the National Day holidays, half an hour after them
        (at(2026, 9, 30, 17, 0), 1, at(2026, 10, 8, 9, 0)),
    ],
)
def test_it_adds_working_hours(start, hours, expected):
    assert CAL.add(start, hours, TimeUnit.WORKING_HOURS) == expected


def test_it_adds_working_days_from_the_next_day_to_close_of_business():
    assert CAL.add(at(2026, 11, 16, 9, 0), 1, TimeUnit.WORKING_DAYS) == at(2026, 11, 17, 17, 30)
    assert CAL.add(at(2026, 11, 20, 9, 0), 1, TimeUnit.WORKING_DAYS) == at(2026, 11, 23, 17, 30)
    assert CAL.add(at(2026, 11, 21, 10, 0), 2, TimeUnit.WORKING_DAYS) == at(2026, 11, 24, 17, 30)
    # 30 Sep + 3 working days: 8 Oct, 9 Oct, 10 Oct (adjusted Saturday)
    assert CAL.add(at(2026, 9, 30, 9, 0), 3, TimeUnit.WORKING_DAYS) == at(2026, 10, 10, 17, 30)


def test_it_adds_natural_hours_as_elapsed_time():
    assert CAL.add(at(2026, 11, 21, 23, 30), 2, TimeUnit.NATURAL_HOURS) == at(2026, 11, 22, 1, 30)


def test_it_counts_working_minutes_between():
    assert CAL.working_minutes_between(at(2026, 11, 16, 11, 0), at(2026, 11, 16, 15, 0)) == 120
    assert CAL.working_minutes_between(at(2026, 11, 20, 17, 0), at(2026, 11, 23, 9, 0)) == 60
    assert CAL.working_minutes_between(at(2026, 11, 23, 9, 0), at(2026, 11, 20, 17, 0)) == 0


def test_it_uses_configured_periods():
    cal = WorkCalendar(tz=TZ, periods=parse_working_hours("09:00-12:00, 13:30-18:00"))
    assert cal.add(at(2026, 11, 16, 11, 0), 2, TimeUnit.WORKING_HOURS) == at(2026, 11, 16, 14, 30)
    assert cal.add(at(2026, 11, 16, 11, 0), 1, TimeUnit.WORKING_DAYS) == at(2026, 11, 17, 18, 0)


@pytest.mark.parametrize("text", ["", "8-12", "12:00-08:30", "08:30-12:00,11:00-17:00", "nonsense"])
def test_it_rejects_bad_working_hours(text):
    with pytest.raises(WorkTimeError):
        parse_working_hours(text)


def test_it_refuses_naive_datetimes_and_never_loops_forever():
    with pytest.raises(WorkTimeError):
        CAL.add(datetime(2026, 11, 16, 9, 0), 1, TimeUnit.WORKING_HOURS)  # noqa: DTZ001
    no_work = WorkCalendar(tz=TZ, periods=((time(8, 0), time(8, 1)),), holidays=frozenset())
    assert no_work.add(at(2026, 11, 16, 8, 0), 1, TimeUnit.WORKING_HOURS) > at(2026, 11, 16)
    all_holidays = WorkCalendar(
        tz=TZ,
        holidays=frozenset(date.fromordinal(date(2026, 1, 1).toordinal() + i) for i in range(4000)),
    )
    with pytest.raises(WorkTimeError):
        all_holidays.add(at(2026, 1, 1), 1, TimeUnit.WORKING_DAYS)
