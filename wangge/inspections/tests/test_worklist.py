"""The worker's to-do list, the map's selector, the demo data and the command-line worker."""

from datetime import datetime, time, timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from wangge.fieldwork.worklist import work_items as all_work_items
from wangge.inspections import selectors
from wangge.inspections.demo import seed_demo
from wangge.inspections.models import EnforcementRecord, Hazard, Inspection
from wangge.inspections.worklist import work_items
from wangge.testing import GRID_A

from .conftest import ENTERPRISE_A, ENTERPRISE_B, inspect, ok, post


def test_hazards_due_for_reinspection_are_on_the_grid_workers_list(api, samples, iw):
    hazard = ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)[
        "hazards"
    ][0]
    ok(inspect(api("worker_b"), samples.enterprises[ENTERPRISE_B], hose=2.5), 201)
    now = timezone.now()
    [item] = work_items(iw["worker_a"], now=now)
    assert item.kind == "inspection" and item.region_code == GRID_A + "001"
    assert item.url == f"/inspections/hazards/{hazard['id']}/"
    assert "样例企业1" in item.title and "实测 2.5 m" in item.detail
    deadline = timezone.localdate() + timedelta(days=3)
    assert item.due_at == timezone.make_aware(datetime.combine(deadline, time(23, 59)))
    assert item.overdue is False
    # Gathered with the other apps' items; nothing for others in grid A's stead.
    assert item in all_work_items(iw["worker_a"], now=now)
    assert work_items(iw["worker_a2"], now=now) == []
    assert work_items(iw["street"], now=now) == []  # re-inspection is not the centre's work
    assert work_items(iw["admin"], now=now) == []  # no grid of their own
    assert len(work_items(iw["community"], now=now)) == 1
    # Past the deadline (the task has not run yet): shown as overdue.
    assert work_items(iw["worker_a"], now=now + timedelta(days=4))[0].overdue is True
    # Closed: off the list.
    url = f"/api/v1/inspections/hazards/{hazard['id']}/reinspections"
    ok(post(api("worker_a"), url, {"passed": True}), 201)
    assert work_items(iw["worker_a"], now=now) == []


def test_enterprises_with_open_hazards_for_the_map(api, samples, iw):
    ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)
    second = ok(
        inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], fail=("hose-condition",)), 201
    )["hazards"][0]
    ok(inspect(api("worker_b"), samples.enterprises[ENTERPRISE_B], hose=1.0), 201)  # no hazard
    [found] = selectors.enterprises_with_open_hazards(iw["worker_a"])
    assert found.pk == samples.enterprises[ENTERPRISE_A]
    assert found.open_hazards == 2
    assert found.next_deadline == timezone.localdate() + timedelta(days=1)
    assert [e.pk for e in selectors.enterprises_with_open_hazards(iw["street"])] == [found.pk]
    assert list(selectors.enterprises_with_open_hazards(iw["worker_b"])) == []
    assert list(selectors.enterprises_with_open_hazards(iw["resident"])) == []
    url = f"/api/v1/inspections/hazards/{second['id']}/reinspections"
    ok(post(api("worker_a"), url, {"passed": True}), 201)
    [found] = selectors.enterprises_with_open_hazards(iw["worker_a"])
    assert found.open_hazards == 1


def test_the_demo_inspects_restaurants_with_one_open_hazard_and_the_seizure(samples, iw):
    summary = seed_demo("440704")
    assert summary.startswith("安全检查：3 家餐饮单位")
    assert "1 项隐患整改中" in summary and "液化石油气钢瓶 45 个（实瓶5个、空瓶40个）" in summary
    assert Inspection.objects.filter(district_code="440704").count() == 3
    assert Hazard.objects.filter(state="open").count() == 1
    open_hazard = Hazard.objects.get(state="open")
    assert "软管" in open_hazard.description and open_hazard.deadline >= timezone.localdate()
    record = EnforcementRecord.objects.select_related("hazard", "department").get()
    assert (record.item, record.quantity, record.unit) == ("液化石油气钢瓶", 45, "个")
    assert "实瓶5个，空瓶40个" in record.details and record.department.code == "cg"
    assert record.hazard.state == "rectified"
    # Each inspection was made by the grid worker of its grid.
    for inspection in Inspection.objects.select_related("inspector"):
        assert inspection.inspector is not None
        assert inspection.region_code.startswith(
            {"worker_a": GRID_A, "worker_a2": "440704001001002", "worker_b": "440704002001001"}[
                inspection.inspector.username
            ]
        )
    assert seed_demo("440704") == "安全检查：本区已有检查记录，跳过"
    assert Inspection.objects.count() == 3


def test_the_demo_skips_a_district_without_restaurants(iw):
    assert "跳过" in seed_demo("440704")
    assert not Inspection.objects.exists()


def test_the_worker_command_runs_once_or_enqueues(api, samples):
    hazard = ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)[
        "hazards"
    ][0]
    Hazard.objects.filter(pk=hazard["id"]).update(deadline=timezone.localdate() - timedelta(days=1))
    out = StringIO()
    call_command("inspections_worker", "--once", stdout=out)
    assert out.getvalue().strip() == "escalated 1, failed 0"
    assert Hazard.objects.get(pk=hazard["id"]).state == "escalated"
    out = StringIO()
    call_command("inspections_worker", "--once", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued ")


def test_the_sample_inspections_for_the_leak_test_are_made_once(iw):
    from wangge.inspections.testing import sample_inspections

    first = sample_inspections(iw)
    assert len(first.inspections) == len(first.hazards) == 4
    assert sample_inspections(iw) == first
    assert {h.region_code[:6] for h in Hazard.objects.all()} == {"440704", "440703"}
