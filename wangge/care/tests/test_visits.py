"""Recording visits: closing tasks, follow-ups, help events, idempotency, photos."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from wangge.audit.models import AuditEntry
from wangge.care import actions
from wangge.care.actions import CareError, CareForbidden, do_record_visit, generate_visit_tasks
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.models import VisitPhoto, VisitRecord, VisitTask
from wangge.care.photos import delete_unused_photos, do_upload_visit_photo
from wangge.events.models import Event
from wangge.people.models import Person
from wangge.testing import GRID_A

from .conftest import UNIT_A, at, make_person

NOW = at("2026-03-10 09:00")
TODAY = date(2026, 3, 10)


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 40, 40)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def person(world) -> Person:
    found = make_person("李奶奶", address="东街1号")
    generate_visit_tasks(now=NOW)
    return found


def open_task(person: Person) -> VisitTask | None:
    return VisitTask.objects.filter(person=person, status=TaskStatus.OPEN).first()


def test_it_closes_the_open_task(world, person):
    task = open_task(person)
    result = do_record_visit(
        person, actor=world["worker_a"], outcome="seen", note="精神很好", now=NOW, request_id="r1"
    )
    visit = result.visit
    assert result.created and result.closed == [task.pk]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_at == NOW
    assert visit.task_id == task.pk and visit.on_time
    assert visit.region_code == UNIT_A and visit.visitor == world["worker_a"]
    assert visit.visitor_label == "张伟" and visit.note == "精神很好"
    assert open_task(person) is None
    entry = AuditEntry.objects.get(action="care.record_visit")
    assert entry.object_id == str(visit.pk) and entry.region_code == UNIT_A
    # The next visit is due a week after this one.
    assert generate_visit_tasks(now=NOW + timedelta(days=6)).created == 0
    generate_visit_tasks(now=NOW + timedelta(days=7))
    assert open_task(person).due_on == TODAY + timedelta(days=7)


def test_it_marks_a_visit_after_the_due_day_late(world, person):
    result = do_record_visit(
        person,
        actor=world["worker_a"],
        outcome="seen",
        now=NOW + timedelta(days=2),
    )
    assert result.closed and not result.visit.on_time


def test_it_keeps_a_follow_up_when_nobody_is_home(world, person):
    task = open_task(person)
    result = do_record_visit(person, actor=world["worker_a"], outcome="not_home", now=NOW)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    follow_up = open_task(person)
    assert follow_up == result.follow_up
    assert follow_up.kind == TaskKind.FOLLOW_UP and follow_up.due_on == TODAY + timedelta(days=1)
    assert follow_up.follows_id == result.visit.pk and follow_up.tag.code == "elderly_alone"
    # Generation leaves the follow-up alone; tomorrow it is on the list, the day after overdue.
    assert generate_visit_tasks(now=NOW + timedelta(days=2)).created == 0
    seen = do_record_visit(
        person, actor=world["worker_a"], outcome="seen", now=NOW + timedelta(days=1)
    )
    assert seen.closed == [follow_up.pk] and seen.visit.on_time
    assert open_task(person) is None


@pytest.mark.parametrize(("days", "due"), [(3, date(2026, 3, 13)), (0, TODAY), (None, None)])
def test_it_follows_up_as_configured(world, person, settings, days, due):
    settings.CARE_NOT_HOME_FOLLOW_UP_DAYS = days
    result = do_record_visit(person, actor=world["worker_a"], outcome="not_home", now=NOW)
    if due is None:
        assert result.follow_up is None and open_task(person) is None
    else:
        assert open_task(person).due_on == due


def test_it_reports_an_event_when_the_person_needs_help(ew, person):
    worker = ew["worker_a"]
    result = do_record_visit(
        person,
        actor=worker,
        outcome="needs_help",
        note="家中水管漏水，无法自行维修",
        request_id="help-1",
    )
    event = Event.objects.select_related("category__parent").get()
    assert result.visit.event_id == event.pk
    assert event.category.parent.name == "特殊人群服务" and event.category.name == "困难群众帮扶"
    assert event.reporter == worker and event.source == "grid_worker"
    assert event.grid_code == GRID_A and event.region_code == UNIT_A
    assert "家中水管漏水" in event.description and "李奶奶" in event.description
    assert event.address == "东街1号" and event.state == "reported"
    assert open_task(person) is None  # the visit closed the task: the person was met
    # A retry of the same visit stores nothing new.
    again = do_record_visit(
        person, actor=worker, outcome="needs_help", note="家中水管漏水", request_id="help-1"
    )
    assert not again.created and again.visit.pk == result.visit.pk
    assert Event.objects.count() == 1 and VisitRecord.objects.count() == 1


def test_it_uses_the_configured_help_category(ew, person, settings):
    settings.CARE_HELP_CATEGORY = "1001"
    do_record_visit(person, actor=ew["worker_a"], outcome="needs_help", note="情绪异常")
    assert Event.objects.get().category.code == "1001"


def test_it_stores_nothing_when_help_cannot_be_reported(ew, person, settings):
    settings.CARE_HELP_CATEGORY = "9999"
    with pytest.raises(CareError) as caught:
        do_record_visit(person, actor=ew["worker_a"], outcome="needs_help", note="需要帮助")
    assert "特殊人群服务" in caught.value.fields["outcome"]
    with pytest.raises(CareError) as caught:
        do_record_visit(person, actor=ew["worker_a"], outcome="needs_help", note="  ")
    assert caught.value.fields == {"note": "请说明需要什么帮助"}
    assert not VisitRecord.objects.exists() and not Event.objects.exists()
    assert open_task(person) is not None


def test_it_refuses_what_does_not_parse(world, person):
    worker = world["worker_a"]
    cases = [
        ({"outcome": "gone"}, "outcome"),
        ({"outcome": "seen", "visited_at": NOW + timedelta(hours=1)}, "visited_at"),
        ({"outcome": "seen", "visited_at": NOW - timedelta(days=31)}, "visited_at"),
        ({"outcome": "seen", "photo_id": 987654}, "photo_id"),
    ]
    for kwargs, name in cases:
        with pytest.raises(CareError) as caught:
            do_record_visit(person, actor=worker, now=NOW, **kwargs)
        assert name in caught.value.fields, kwargs
    Person.objects.filter(pk=person.pk).update(status="deceased")
    with pytest.raises(CareError) as caught:
        do_record_visit(person, actor=worker, outcome="seen", now=NOW)
    assert "person_id" in caught.value.fields
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize("username", ["worker_b", "worker_a2", "street", "district", "dept"])
def test_it_refuses_visitors_from_elsewhere(world, person, username):
    with pytest.raises(CareForbidden):
        do_record_visit(person, actor=world[username], outcome="seen", now=NOW)
    assert not VisitRecord.objects.exists()


def test_it_lets_community_staff_record(world, person):
    assert do_record_visit(person, actor=world["community"], outcome="seen", now=NOW).created


def test_it_stores_one_visit_per_request_id(world, person):
    worker = world["worker_a"]
    first = do_record_visit(person, actor=worker, outcome="not_home", request_id="x", now=NOW)
    second = do_record_visit(person, actor=worker, outcome="not_home", request_id="x", now=NOW)
    assert first.created and not second.created and second.visit.pk == first.visit.pk
    assert VisitRecord.objects.count() == 1
    assert VisitTask.objects.filter(kind=TaskKind.FOLLOW_UP).count() == 1
    # The id is the visitor's own: another worker's request with it is another visit.
    other = do_record_visit(person, actor=world["community"], outcome="seen", request_id="x")
    assert other.created and VisitRecord.objects.count() == 2


def test_it_answers_a_racing_duplicate_with_the_first_visit(world, person, monkeypatch):
    worker = world["worker_a"]
    first = do_record_visit(person, actor=worker, outcome="seen", request_id="race", now=NOW)
    real = actions._recorded
    calls = {"n": 0}

    def blind(actor, request_id):
        # The second request checked before the first one was stored (twice: before and
        # after waiting for the lock); it finds it only after its insert fails.
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(actor, request_id)

    monkeypatch.setattr(actions, "_recorded", blind)
    second = do_record_visit(person, actor=worker, outcome="seen", request_id="race", now=NOW)
    assert not second.created and second.visit.pk == first.visit.pk
    assert VisitRecord.objects.count() == 1 and calls["n"] == 3


def test_it_attaches_a_photo_once(world, person):
    worker = world["worker_a"]
    photo = do_upload_visit_photo(png(), actor=worker)
    assert photo.content_type == "image/png" and photo.width == 12
    result = do_record_visit(person, actor=worker, outcome="seen", photo_id=photo.pk, now=NOW)
    photo.refresh_from_db()
    assert photo.visit_id == result.visit.pk
    with pytest.raises(CareError) as caught:
        do_record_visit(person, actor=worker, outcome="seen", photo_id=photo.pk, now=NOW)
    assert "photo_id" in caught.value.fields
    # Somebody else's upload cannot be used either.
    theirs = do_upload_visit_photo(png(), actor=world["community"])
    with pytest.raises(CareError):
        do_record_visit(person, actor=worker, outcome="seen", photo_id=theirs.pk, now=NOW)


def test_it_refuses_what_is_not_a_photo(world):
    with pytest.raises(CareError) as caught:
        do_upload_visit_photo(io.BytesIO(b"not an image"), actor=world["worker_a"])
    assert caught.value.fields == {"file": "文件不是可识别的图片"}
    with pytest.raises(CareForbidden):
        do_upload_visit_photo(png(), actor=world["dept"])
    assert not VisitPhoto.objects.exists()


def test_it_removes_photos_no_visit_used(world, person):
    worker = world["worker_a"]
    used = do_upload_visit_photo(png(), actor=worker)
    do_record_visit(person, actor=worker, outcome="seen", photo_id=used.pk)
    unused = do_upload_visit_photo(png(), actor=worker)
    name = unused.file.name
    assert delete_unused_photos() == 0
    assert delete_unused_photos(now=unused.created_at + timedelta(days=2)) == 1
    assert list(VisitPhoto.objects.values_list("pk", flat=True)) == [used.pk]
    assert not unused.file.storage.exists(name)
