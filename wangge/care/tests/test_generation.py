"""Generating the visit tasks from the special groups' rules."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext

from wangge.care.actions import generate_visit_tasks
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.models import VisitRecord, VisitTask
from wangge.care.tasks import generate_visit_tasks_task
from wangge.people.actions import do_move_person, do_update_person
from wangge.people.models import Person, Tag
from wangge.testing import GRID_A, GRID_A2

from .conftest import UNIT_A, UNIT_B, UNIT_OTHER, at, bulk_people, make_person

NOW = at("2026-03-10 09:00")
TODAY = date(2026, 3, 10)


def visit(person: Person, when: str, outcome: str = "seen") -> VisitRecord:
    return VisitRecord.objects.create(
        person=person, region_code=person.region_code, outcome=outcome, visited_at=at(when)
    )


def open_tasks() -> dict[str, VisitTask]:
    return {
        t.person.name: t
        for t in VisitTask.objects.filter(status=TaskStatus.OPEN).select_related("person", "tag")
    }


def test_it_makes_a_task_due_today_for_someone_never_visited(world):
    make_person("王婆婆")
    result = generate_visit_tasks(now=NOW)
    task = open_tasks()["王婆婆"]
    assert task.due_on == TODAY
    assert task.region_code == UNIT_A and task.grid_code == GRID_A
    assert task.tag.code == "elderly_alone" and task.frequency_days == 7
    assert task.kind == TaskKind.REGULAR
    assert result.created == 1 and result.people == 1


def test_it_dues_the_next_visit_after_the_last_one(world):
    recent = make_person("近访")
    lapsed = make_person("久未访")
    monthly = make_person("月访", tags=["disabled"])
    visit(recent, "2026-03-07 15:00")  # due 03-14: not yet
    visit(lapsed, "2026-03-01 10:00")  # due 03-08: overdue
    visit(monthly, "2026-02-10 10:00")  # 30 days: due 03-12
    generate_visit_tasks(now=NOW)
    tasks = open_tasks()
    assert set(tasks) == {"久未访"}
    assert tasks["久未访"].due_on == date(2026, 3, 8)
    # The days pass: on the 12th the monthly visit and on the 14th the weekly one fall due.
    generate_visit_tasks(now=at("2026-03-12 07:00"))
    assert set(open_tasks()) == {"久未访", "月访"}
    assert open_tasks()["月访"].due_on == date(2026, 3, 12)
    generate_visit_tasks(now=at("2026-03-14 07:00"))
    assert open_tasks()["近访"].due_on == date(2026, 3, 14)


def test_it_counts_only_visits_that_met_the_person(world):
    person = make_person("不在家的")
    helped = make_person("求助过的")
    visit(person, "2026-03-09 10:00", outcome="not_home")
    visit(helped, "2026-03-09 10:00", outcome="needs_help")
    generate_visit_tasks(now=NOW)
    assert set(open_tasks()) == {"不在家的"}
    assert open_tasks()["不在家的"].due_on == TODAY


def test_it_follows_the_most_frequent_rule(world):
    make_person("独居残疾", tags=["disabled", "elderly_alone"])
    make_person("精神残疾", tags=["disabled", "mental_disorder", "low_income"])
    generate_visit_tasks(now=NOW)
    tasks = open_tasks()
    assert (tasks["独居残疾"].tag.code, tasks["独居残疾"].frequency_days) == ("elderly_alone", 7)
    assert (tasks["精神残疾"].tag.code, tasks["精神残疾"].frequency_days) == ("mental_disorder", 14)


def test_it_makes_no_task_without_a_rule(world):
    Tag.objects.create(code="veteran", name="退役军人", visit_frequency_days=None)
    Tag.objects.create(code="retired_rule", name="停用", visit_frequency_days=3)
    make_person("无标签", tags=[])
    make_person("无频次", tags=["veteran"])
    make_person("停用标签", tags=["retired_rule"])
    Tag.objects.filter(code="retired_rule").update(is_active=False)
    gone = make_person("已离开")
    Person.objects.filter(pk=gone.pk).update(status="left")
    result = generate_visit_tasks(now=NOW)
    assert result.created == 0 and result.people == 0
    assert not VisitTask.objects.exists()


def test_it_is_idempotent(world):
    for i in range(3):
        make_person(f"老人{i}")
    first = generate_visit_tasks(now=NOW)
    assert first.created == 3
    again = generate_visit_tasks(now=NOW)
    later = generate_visit_tasks(now=NOW + timedelta(days=20))
    assert again.created == later.created == 0
    assert VisitTask.objects.count() == 3
    assert VisitTask.objects.filter(status=TaskStatus.OPEN).count() == 3


def test_it_cancels_and_moves_open_tasks_with_their_person(world):
    stays = make_person("留下")
    untagged = make_person("摘标签")
    moved = make_person("搬家")
    gone = make_person("搬走")
    generate_visit_tasks(now=NOW)
    do_update_person(untagged, actor=None, tags=[])
    do_move_person(moved, actor=None, region_code=GRID_A2 + "002", address="新家")
    Person.objects.filter(pk=gone.pk).update(status="left")
    result = generate_visit_tasks(now=NOW)
    assert (result.created, result.cancelled, result.moved) == (0, 2, 1)
    tasks = open_tasks()
    assert set(tasks) == {"留下", "搬家"}
    assert tasks["搬家"].region_code == GRID_A2 + "002"
    assert tasks["留下"].person_id == stays.pk
    assert VisitTask.objects.filter(status=TaskStatus.CANCELLED).count() == 2


def test_it_creates_tasks_ahead_when_asked(world, settings):
    person = make_person("提前")
    visit(person, "2026-03-06 10:00")  # due 03-13
    settings.CARE_TASK_LEAD_DAYS = 2
    assert generate_visit_tasks(now=NOW).created == 0
    assert generate_visit_tasks(now=at("2026-03-11 08:00")).created == 1
    assert open_tasks()["提前"].due_on == date(2026, 3, 13)


def test_it_works_district_by_district(world):
    make_person("本区", UNIT_B)
    make_person("邻区", UNIT_OTHER)
    assert generate_visit_tasks(now=NOW, district="440704").created == 1
    assert set(open_tasks()) == {"本区"}
    assert generate_visit_tasks(now=NOW).created == 1
    assert set(open_tasks()) == {"本区", "邻区"}


def test_it_reads_in_a_fixed_number_of_queries(world):
    def run() -> tuple[int, int, int]:
        VisitTask.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            result = generate_visit_tasks(now=NOW)
        sql = [q["sql"].lstrip().upper() for q in queries.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT")]
        return len(sql) - len(inserts), len(inserts), result.created

    bulk_people(5, UNIT_A, "elderly_alone", prefix="少甲")
    bulk_people(5, UNIT_B, "disabled", prefix="少乙")
    small_reads, small_inserts, created = run()
    assert created == 10
    bulk_people(400, UNIT_A, "elderly_alone", prefix="多甲")
    bulk_people(400, UNIT_B, "disabled", prefix="多乙")
    large_reads, large_inserts, created = run()
    assert created == 810
    # The same reads and updates whatever the number of people; rows go in bulk.
    assert large_reads == small_reads
    assert large_inserts <= small_inserts + 810 // 100


def test_it_runs_as_a_task_on_the_database_backend(transactional_db, world):
    make_person("后台")
    result = generate_visit_tasks_task.enqueue()
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {
        "people": 1,
        "created": 1,
        "cancelled": 0,
        "moved": 0,
        "photos_removed": 0,
    }
    assert VisitTask.objects.filter(status=TaskStatus.OPEN).count() == 1


def test_it_runs_once_from_the_command_line(world):
    make_person("命令行")
    out = StringIO()
    call_command("care_worker", "--once", stdout=out)
    assert out.getvalue().startswith("people 1, created 1, cancelled 0, moved 0, photos removed 0")
    out = StringIO()
    call_command("care_worker", "--once", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued ")


@pytest.mark.parametrize("frequency", [7, 30])
def test_it_follows_a_frequency_an_administrator_changed(world, frequency):
    person = make_person("改频次", tags=["disabled"])
    visit(person, "2026-03-01 10:00")
    Tag.objects.filter(code="disabled").update(visit_frequency_days=frequency)
    generate_visit_tasks(now=NOW)
    assert ("改频次" in open_tasks()) is (frequency == 7)
