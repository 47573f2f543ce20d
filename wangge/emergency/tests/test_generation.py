"""The point-to-point list is generated set-based; the catalogue is data; the worker's to-do
list; the demo; races decided by the database."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.emergency import actions
from wangge.emergency.choices import DEFAULT_KIND_TAGS, DEFAULT_OUTCOMES
from wangge.emergency.models import Emergency, KindTag, OutcomeOption, OutcomeRecord, Task
from wangge.emergency.testing import STREET, sample_emergencies
from wangge.emergency.worklist import work_items
from wangge.testing import GRID_A, GRID_A2, make_id_number

from .conftest import rid


def test_the_seeded_catalogue_is_the_default_one(db):
    seeded = {
        kind: {code for k, code in KindTag.objects.values_list("kind", "tag__code") if k == kind}
        for kind in DEFAULT_KIND_TAGS
    }
    assert seeded == {kind: set(tags) for kind, tags in DEFAULT_KIND_TAGS.items()}
    for kind, options in DEFAULT_OUTCOMES.items():
        found = list(
            OutcomeOption.objects.filter(target_kind=kind)
            .order_by("sort_order")
            .values_list("code", "label", "is_final")
        )
        assert found == list(options)


def test_seeding_the_catalogue_again_keeps_what_an_administrator_changed(db):
    from wangge.emergency.catalogue import seed_catalogue

    option = OutcomeOption.objects.get(target_kind="person", code="no_one")
    option.label = "无人在家"
    option.save()
    KindTag.objects.filter(kind="typhoon", tag__code="left_behind_child").update(is_active=False)
    OutcomeOption.objects.filter(target_kind="enterprise", code="not_applicable").delete()
    assert seed_catalogue() == 1
    assert OutcomeOption.objects.get(pk=option.pk).label == "无人在家"
    assert not KindTag.objects.get(kind="typhoon", tag__code="left_behind_child").is_active
    assert seed_catalogue() == 0


def test_the_targets_follow_the_catalogue_data(world, ledgers):
    from wangge.people.models import Tag

    # An administrator adds low-income households to the typhoon list.
    KindTag.objects.create(kind="typhoon", tag=Tag.objects.get(code="low_income"))
    result = actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    people = set(
        Task.objects.filter(emergency=result.emergency, target_kind="person").values_list(
            "target_id", flat=True
        )
    )
    assert ledgers.people["low_income_a"] in people
    assert result.counts == {"person": 4, "building": 2, "enterprise": 3}
    # …and switches left-behind children off.
    KindTag.objects.filter(kind="typhoon", tag__code="left_behind_child").update(is_active=False)
    actions.do_deactivate_emergency(result.emergency, actor=None)
    again = actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    assert again.counts["person"] == 3


def _add_people(n, start):
    from wangge.people.actions import do_create_person

    for i in range(n):
        do_create_person(
            actor=None,
            name=f"批量{start + i}",
            id_number=make_id_number("440704", "19450101", f"{start + i:03d}"),
            region_code=(GRID_A if i % 2 else GRID_A2) + "001",
            tags=["elderly_alone"],
        )


def test_generation_takes_the_same_queries_for_few_or_many_targets(world, ledgers, settings):
    def queries_for(code):
        with CaptureQueriesContext(connection) as captured:
            result = actions.do_activate_emergency(actor=None, region_code=code, kind="typhoon")
        actions.do_deactivate_emergency(result.emergency, actor=None)
        return len(captured), result.emergency.task_count

    few, few_tasks = queries_for(STREET)
    _add_people(60, 100)
    many, many_tasks = queries_for(STREET)
    assert many_tasks == few_tasks + 60
    assert many == few


def test_it_writes_tasks_in_batches(world, ledgers, monkeypatch):
    from wangge.emergency import targets

    monkeypatch.setattr(targets, "BATCH", 2)
    result = actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    assert result.emergency.task_count == Task.objects.count() == 8


def test_the_worker_to_do_list_holds_their_open_tasks(world, api):
    ids = sample_emergencies(world)
    now = datetime.now(UTC)
    items = work_items(world["worker_a"], now=now)
    open_a = Task.objects.filter(region_code__startswith=GRID_A, emergency_id=ids[0])
    assert len(items) == open_a.count() > 0
    assert {i.kind for i in items} == {"emergency"}
    assert all(i.region_code.startswith(GRID_A) for i in items)
    assert all(i.url.startswith("/emergency/tasks/#task-") for i in items)
    assert any("台风 · 重点人群：应急甲" == i.title for i in items)
    # Covering one takes it off the list.
    actions.do_record_outcome(
        actor=world["worker_a"], task_id=open_a.first().pk, outcome="notified"
    )
    assert len(work_items(world["worker_a"], now=now)) == len(items) - 1
    # The west town's typhoon is over; command centres and communities use the pages.
    assert work_items(world["worker_b"], now=now) == []
    assert work_items(world["street"], now=now) == []
    assert work_items(world["community"], now=now) == []
    assert work_items(world["resident"], now=now) == []
    # The fieldwork list gathers them.
    from wangge.fieldwork.worklist import work_items as everything

    assert [i for i in everything(world["worker_a"], now=now) if i.kind == "emergency"]


def test_a_request_id_racing_in_twice_stores_one_outcome(world, ledgers, monkeypatch):
    """The second of two identical requests misses the first in its pre-check (it was not
    committed yet) and meets it at the unique constraint: it answers with that record."""
    result = actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    task = Task.objects.filter(emergency=result.emergency, grid_code=GRID_A).first()
    worker = world["worker_a"]
    request_id = rid()
    first = actions.do_record_outcome(
        actor=worker, task_id=task.pk, outcome="notified", request_id=request_id
    )
    real = actions._recorded
    calls = []

    def blind_first(actor, value):
        calls.append(value)
        return None if len(calls) == 1 else real(actor, value)

    monkeypatch.setattr(actions, "_recorded", blind_first)
    again = actions.do_record_outcome(
        actor=worker, task_id=task.pk, outcome="no_one", request_id=request_id
    )
    assert again.created is False and again.record.pk == first.record.pk
    assert OutcomeRecord.objects.count() == 1
    task.refresh_from_db()
    assert task.outcome.code == "notified" and task.covered


def test_the_same_area_twice_is_refused_by_the_database_too(world, ledgers, monkeypatch):
    actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    # Even if the overlap check missed it (two requests at once), the constraint refuses.
    monkeypatch.setattr(actions.selectors, "active_overlapping", lambda code: [])
    with pytest.raises(actions.EmergencyConflict):
        actions.do_activate_emergency(actor=None, region_code=STREET, kind="cold_wave")
    assert Emergency.objects.count() == 1


def test_the_demo_seeds_a_past_typhoon_with_its_record(world, ledgers):
    from wangge.emergency.demo import seed_demo

    summary = seed_demo("440704", seed=1)
    assert "台风「马鞍」" in summary and "已解除" in summary
    emergency = Emergency.objects.get()
    assert emergency.status == "archived" and emergency.region_code == STREET
    assert emergency.final_tasks == emergency.task_count == 8
    assert emergency.final_covered == Task.objects.filter(covered=True).count()
    assert OutcomeRecord.objects.filter(task__emergency=emergency).exists()
    assert emergency.ended_at > emergency.started_at
    # Nothing stays active; a second run changes nothing.
    assert not Emergency.objects.filter(status="active").exists()
    assert "跳过" in seed_demo("440704", seed=1)
    assert Emergency.objects.count() == 1
