"""Coverage figures: tagged people, visited (on time) in the period, overdue."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from wangge.care.actions import CareError, CareForbidden
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.coverage import coverage_for
from wangge.care.models import VisitRecord, VisitTask
from wangge.people.models import Person
from wangge.testing import GRID_A, GRID_A2, GRID_B

from .conftest import UNIT_A, at, make_person

NOW = at("2026-03-20 09:00")
COMMUNITY = "440704001001"


def visit(person: Person, when: str, outcome: str = "seen", on_time: bool = True) -> None:
    VisitRecord.objects.create(
        person=person,
        region_code=person.region_code,
        outcome=outcome,
        visited_at=at(when),
        on_time=on_time,
    )


def task(person: Person, due: date, kind: str = TaskKind.REGULAR) -> None:
    VisitTask.objects.create(
        person=person, region_code=person.region_code, frequency_days=7, due_on=due, kind=kind
    )


@pytest.fixture
def figures(world):
    on_time = make_person("按时", UNIT_A, ["elderly_alone"])
    late = make_person("迟到", UNIT_A, ["disabled"])
    overdue = make_person("逾期", UNIT_A, ["elderly_alone"])
    not_home = make_person("不在家", GRID_A2 + "001", ["low_income"])
    untagged = make_person("无标签", GRID_A2 + "001", [])
    last_month = make_person("上月", GRID_A2 + "002", ["elderly_alone"])
    left = make_person("已搬走", UNIT_A, ["elderly_alone"])
    Person.objects.filter(pk=left.pk).update(status="left")
    in_b = make_person("西村", GRID_B + "001", ["elderly_alone"])
    visit(on_time, "2026-03-15 10:00")
    visit(on_time, "2026-03-02 10:00")  # twice: still one person
    visit(late, "2026-03-05 10:00", on_time=False)
    task(overdue, date(2026, 3, 19))
    visit(not_home, "2026-03-18 10:00", outcome="not_home")
    task(not_home, date(2026, 3, 21), TaskKind.FOLLOW_UP)
    visit(untagged, "2026-03-18 10:00")
    visit(last_month, "2026-02-25 10:00")
    task(last_month, date(2026, 3, 4))
    VisitTask.objects.filter(person=last_month).update(status=TaskStatus.DONE)
    visit(left, "2026-03-18 10:00")
    visit(in_b, "2026-03-10 10:00", outcome="needs_help")


def rows(found):
    return {r.code: (r.tagged, r.visited, r.visited_on_time, r.overdue) for r in found.rows}


def test_it_counts_a_community_by_grid(figures, world):
    found = coverage_for(world["community"], under=COMMUNITY, now=NOW)
    assert (found.start, found.end, found.today) == (
        date(2026, 3, 1),
        date(2026, 3, 20),
        NOW.date(),
    )
    assert rows(found) == {GRID_A: (3, 2, 1, 1), GRID_A2: (2, 0, 0, 0)}
    total = found.total
    assert (total.tagged, total.visited, total.visited_on_time, total.overdue) == (5, 2, 1, 1)
    assert total.rate == pytest.approx(0.2)
    assert found.name == "东社区" and found.node == COMMUNITY and found.up == ""


def test_it_counts_a_grid_by_unit_and_a_street_by_community(figures, world):
    grid = coverage_for(world["worker_a"], under=GRID_A, now=NOW)
    assert rows(grid) == {UNIT_A: (3, 2, 1, 1), GRID_A + "002": (0, 0, 0, 0)}
    district = coverage_for(world["district"], now=NOW)
    assert rows(district) == {"440704": (6, 3, 2, 1)}
    street = coverage_for(world["district"], under="440704", now=NOW)
    assert rows(street) == {"440704001": (5, 2, 1, 1), "440704002": (1, 1, 1, 0)}
    assert street.up == ""


def test_it_counts_the_period_asked_for(figures, world):
    found = coverage_for(
        world["community"], under=COMMUNITY, start=date(2026, 2, 1), end=date(2026, 3, 4), now=NOW
    )
    # 按时 (03-02), 迟到 (03-05: outside), 上月 (02-25, on time).
    assert rows(found) == {GRID_A: (3, 1, 1, 1), GRID_A2: (2, 1, 1, 0)}
    with pytest.raises(CareError) as caught:
        coverage_for(world["community"], start=date(2026, 3, 5), end=date(2026, 3, 4), now=NOW)
    assert "start" in caught.value.fields


def test_it_shows_each_user_their_own_area_only(figures, world):
    assert rows(coverage_for(world["worker_a"], now=NOW)) == {GRID_A: (3, 2, 1, 1)}
    assert rows(coverage_for(world["street_b"], now=NOW)) == {"440704002": (1, 1, 1, 0)}
    assert set(rows(coverage_for(world["admin"], now=NOW))) == {"440703", "440704"}
    for username, code in [
        ("worker_a", COMMUNITY),
        ("worker_a", GRID_B),
        ("worker_b", GRID_A),
        ("community", "440704001"),
        ("street_b", GRID_A),
        ("other_district", "440704"),
        ("district", "440704009"),  # no such node
    ]:
        with pytest.raises(Http404):
            coverage_for(world[username], under=code, now=NOW)
    for username in ("dept", "resident", "part_time_a"):
        with pytest.raises(CareForbidden):
            coverage_for(world[username], now=NOW)
