"""The demo loader of care visits."""

from __future__ import annotations

from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.demo import seed_demo
from wangge.care.models import VisitRecord, VisitTask
from wangge.testing import GRID_A

from .conftest import UNIT_A, UNIT_B, at, make_person

NOW = at("2026-03-10 09:00")


def test_it_loads_a_history_tasks_and_a_few_visits(ew):
    for i in range(8):
        make_person(f"东{i}", UNIT_A, ["elderly_alone"] if i % 2 else ["disabled"])
    for i in range(4):
        make_person(f"西{i}", UNIT_B, ["low_income"])
    make_person("无标签", UNIT_A, [])
    summary = seed_demo("440704", now=NOW)
    assert summary.startswith("关爱走访：12 名特殊人群")
    live = VisitRecord.objects.filter(request_id__startswith="demo-")
    assert live.exists() and all(v.visitor == ew["worker_a"] for v in live)
    assert live.filter(outcome="needs_help", event__isnull=False).count() == 1
    assert VisitTask.objects.filter(kind=TaskKind.FOLLOW_UP, status=TaskStatus.OPEN).count() == 1
    assert all(t.region_code.startswith("440704") for t in VisitTask.objects.all())
    assert not VisitTask.objects.filter(region_code__startswith=GRID_A, person__name="无标签")
    # The same seed again leaves the district alone.
    assert seed_demo("440704", now=NOW).endswith("跳过")
    assert VisitRecord.objects.filter(request_id__startswith="demo-").count() == live.count()
