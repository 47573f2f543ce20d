"""Care visits on the grid worker's to-do list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from wangge.care.actions import do_record_visit, generate_visit_tasks
from wangge.care.models import VisitTask
from wangge.care.worklist import work_items
from wangge.fieldwork import worklist as fieldwork

from .conftest import UNIT_A, UNIT_B, UNIT_OTHER, at, make_person

NOW = at("2026-03-10 09:00")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The titles are checked in English (the source language)."""
    with translation.override("en"):
        yield


def test_it_lists_overdue_visits_first(world):
    due_today = make_person("今天", UNIT_A)
    late = make_person("逾期", UNIT_A)
    later = make_person("再访", UNIT_A)
    make_person("西村", UNIT_B)
    generate_visit_tasks(now=NOW)
    VisitTask.objects.filter(person=late).update(due_on=date(2026, 3, 7))
    do_record_visit(later, actor=world["worker_a"], outcome="not_home", now=NOW)
    with CaptureQueriesContext(connection) as queries:
        items = work_items(world["worker_a"], now=NOW)
    assert len(queries) <= 2
    assert [i.title for i in items] == [
        "Visit 逾期",
        "Visit 今天",
        "Visit 再访 again (not home last time)",
    ]
    assert [i.overdue for i in items] == [True, False, False]
    assert items[0].kind == "care" and items[0].url == f"/care/people/{late.pk}/"
    assert items[0].region_code == UNIT_A and items[0].detail == "独居老人 · 逾期家"
    assert items[2].due_at.date() == date(2026, 3, 11)
    assert items[1].due_at.date() == date(2026, 3, 10)
    assert due_today.pk != late.pk


def test_it_gives_work_only_to_those_who_visit_there(world):
    make_person("东", UNIT_A)
    make_person("西", UNIT_B)
    make_person("邻", UNIT_OTHER)
    generate_visit_tasks(now=NOW)
    titles = {u: {i.title for i in work_items(world[u], now=NOW)} for u in world.users}
    assert titles["worker_a"] == {"Visit 东"}
    assert titles["worker_b"] == {"Visit 西"}
    assert titles["community"] == {"Visit 东"}
    assert titles["worker_a2"] == set()
    for username in ("street", "district", "dept", "resident", "part_time_a", "other_district"):
        assert titles[username] == set(), username


def test_it_is_on_the_field_work_list_first_when_overdue(world):
    person = make_person("逾期", UNIT_A)
    generate_visit_tasks(now=NOW - timedelta(days=3))
    items = fieldwork.work_items(world["worker_a"], now=NOW)
    care = [i for i in items if i.kind == "care"]
    assert care and care[0].overdue and care[0].url.endswith(f"/care/people/{person.pk}/")
    assert items.index(care[0]) == 0 or all(i.overdue for i in items[: items.index(care[0])])
