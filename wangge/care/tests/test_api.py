"""The care API: lists, recording, history, photos and coverage, as every role."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from wangge.care.actions import do_record_visit, generate_visit_tasks
from wangge.care.models import VisitRecord, VisitTask
from wangge.events.models import Event
from wangge.people.models import Person
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER

from .conftest import UNIT_A, UNIT_B, UNIT_OTHER, make_person, ok, post

PEOPLE = {"a": UNIT_A, "a2": GRID_A2 + "001", "b": UNIT_B, "other": UNIT_OTHER}
#: Whose visits each user sees; ``None``: no care pages or API at all (403).
SEES = {
    "admin": {"a", "a2", "b", "other"},
    "district": {"a", "a2", "b"},
    "street": {"a", "a2"},
    "street_b": {"b"},
    "community": {"a", "a2"},
    "worker_a": {"a"},
    "worker_a2": {"a2"},
    "worker_b": {"b"},
    "other_district": {"other"},
    "part_time_a": None,
    "dept": None,
    "resident": None,
}
#: Who records visits of person "a" (grid A): 201; 403 sees but may not; 404 does not see.
RECORDS_A = {
    "admin": 201,
    "community": 201,
    "worker_a": 201,
    "district": 403,
    "street": 403,
    "street_b": 404,
    "worker_a2": 404,
    "worker_b": 404,
    "other_district": 404,
    "part_time_a": 404,
    "dept": 404,
    "resident": 404,
}

#: Those who record visits wherever they see them.
RECORDERS = {"admin", "community", "worker_a", "worker_a2", "worker_b"}


@pytest.fixture
def people(world) -> dict[str, Person]:
    found = {
        label: make_person(f"关爱{label}", code, ["elderly_alone"])
        for label, code in PEOPLE.items()
    }
    generate_visit_tasks()
    return found


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (10, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile("visit.png", buffer.getvalue(), "image/png")


def record(client, person: Person, outcome: str = "seen", **extra):
    body = {"person_id": person.pk, "outcome": outcome, "request_id": str(uuid.uuid4())}
    body.update(extra)
    return post(client, "/api/v1/care/visits", body)


def names(items) -> set[str]:
    return {item["person"]["name"].removeprefix("关爱") for item in items}


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_lists_only_the_tasks_in_scope(api, people, username):
    response = api(username).get("/api/v1/care/tasks")
    if SEES[username] is None:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        return
    body = ok(response)
    assert names(body["items"]) == SEES[username] and body["count"] == len(SEES[username])


def test_it_describes_a_task(api, people):
    [item] = ok(api("worker_a").get("/api/v1/care/tasks"))["items"]
    today = timezone.localdate().isoformat()
    assert item["person"] == {
        "id": people["a"].pk,
        "name": "关爱a",
        "address": "关爱a家",
        "groups": ["独居老人"],
    }
    assert item["region_code"] == UNIT_A and item["grid_code"] == GRID_A
    assert item["place"] == "东一网格 · 第1单元"
    assert (item["group"], item["frequency_days"], item["kind"]) == ("独居老人", 7, "regular")
    assert (item["status"], item["status_label"], item["due_on"]) == ("open", "待走访", today)
    assert item["overdue"] is False and item["last_visited_at"] is None


def test_it_filters_the_tasks(api, people):
    client = api("district")
    VisitTask.objects.filter(person=people["b"]).update(
        due_on=timezone.localdate() - timezone.timedelta(days=3)
    )
    items = ok(client.get("/api/v1/care/tasks"))["items"]
    assert [names([i]).pop() for i in items][0] == "b"  # overdue first
    assert names(ok(client.get("/api/v1/care/tasks?overdue=true"))["items"]) == {"b"}
    assert names(ok(client.get("/api/v1/care/tasks?overdue=false"))["items"]) == {"a", "a2"}
    assert names(ok(client.get(f"/api/v1/care/tasks?under={GRID_A2}"))["items"]) == {"a2"}
    pid = people["a"].pk
    assert names(ok(client.get(f"/api/v1/care/tasks?person_id={pid}"))["items"]) == {"a"}
    do_record_visit(people["a"], actor=None, outcome="seen")
    assert names(ok(client.get("/api/v1/care/tasks?status=done"))["items"]) == {"a"}
    assert len(ok(client.get("/api/v1/care/tasks?status=all"))["items"]) == 3
    assert client.get("/api/v1/care/tasks?under=4407040011").status_code == 422
    assert client.get("/api/v1/care/tasks?status=late").status_code == 422


@pytest.mark.parametrize("username", sorted(RECORDS_A))
def test_it_lets_only_the_people_of_the_place_record(api, people, username):
    response = record(api(username), people["a"])
    assert response.status_code == RECORDS_A[username], response.content
    stored = VisitRecord.objects.count()
    assert stored == (1 if RECORDS_A[username] == 201 else 0)
    if response.status_code == 404:
        assert response.json() == {
            "code": "not_found",
            "message": "未找到该对象，或您无权访问",
            "fields": {},
        }


def test_it_records_a_visit_once_per_request_id(api, people):
    client = api("worker_a")
    request_id = str(uuid.uuid4())
    first = ok(record(client, people["a"], "not_home", request_id=request_id, note="敲门无人"), 201)
    again = ok(record(client, people["a"], "not_home", request_id=request_id, note="敲门无人"))
    assert again == first
    assert first["outcome"] == "not_home" and first["outcome_label"] == "不在家"
    assert first["note"] == "敲门无人" and first["visitor"] == "张伟"
    assert first["task_id"] is not None and first["region_code"] == UNIT_A
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    assert first["follow_up"]["due_on"] == tomorrow
    assert first["event"] is None and first["photo_url"] is None
    assert VisitRecord.objects.count() == 1


def test_it_reports_help_through_the_api(ew, api, people):
    client = api("worker_a")
    body = ok(record(client, people["a"], "needs_help", note="行动不便，需要送餐"), 201)
    event = Event.objects.get()
    assert body["event"] == {"id": event.pk, "number": event.number}
    assert event.reporter == ew["worker_a"]
    # The worker sees the event they reported.
    assert ok(client.get(f"/api/v1/events/{event.pk}"))["id"] == event.pk


def test_it_refuses_bad_visits_field_by_field(api, people):
    client = api("worker_a")
    response = post(client, "/api/v1/care/visits", {"person_id": people["a"].pk, "outcome": "x"})
    body = ok(response, 422)
    assert body["code"] == "invalid" and set(body["fields"]) == {"outcome", "request_id"}
    body = ok(record(client, people["a"], "needs_help"), 422)
    assert body["fields"] == {"note": ["请说明需要什么帮助"]}
    assert not VisitRecord.objects.exists()
    assert ok(record(client, people["a"], photo_id=123456), 422)["fields"] == {
        "photo_id": ["照片不存在或已被使用，请重新上传"]
    }


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_shows_a_persons_visits_in_scope(api, people, username):
    do_record_visit(people["a"], actor=None, outcome="seen", note="很好")
    client = api(username)
    for label, person in people.items():
        response = client.get(f"/api/v1/care/people/{person.pk}/visits")
        if SEES[username] is None:
            assert response.status_code == 403
        elif label in SEES[username]:
            body = ok(response)
            assert body["person"]["name"] == f"关爱{label}"
            assert body["can_record"] is (username in RECORDERS)
            assert len(body["visits"]) == (1 if label == "a" else 0)
        else:
            assert response.status_code == 404, (label, response.content)


def test_it_shows_the_plan_and_history(api, people):
    do_record_visit(people["a"], actor=None, outcome="not_home")
    body = ok(api("worker_a").get(f"/api/v1/care/people/{people['a'].pk}/visits"))
    assert body["rule"] == {"group": "独居老人", "frequency_days": 7}
    assert body["open_task"]["kind"] == "follow_up"
    assert body["last_visited_at"] is None
    assert [v["outcome"] for v in body["visits"]] == ["not_home"]
    assert body["visits"][0]["follow_up"]["id"] == body["open_task"]["id"]


def test_it_keeps_visits_made_elsewhere_from_the_new_grid(api, people):
    """A person who moved: the old grid's visits stay with the old grid."""
    do_record_visit(people["a"], actor=None, outcome="seen")
    Person.objects.filter(pk=people["a"].pk).update(region_code=UNIT_B)
    body = ok(api("worker_b").get(f"/api/v1/care/people/{people['a'].pk}/visits"))
    assert body["visits"] == []
    assert api("worker_a").get(f"/api/v1/care/people/{people['a'].pk}/visits").status_code == 404


def test_it_takes_and_serves_a_photo_in_scope(api, people):
    client = api("worker_a")
    uploaded = ok(client.post("/api/v1/care/photos", {"file": png_upload()}), 201)
    assert uploaded["content_type"] == "image/png" and uploaded["width"] == 10
    body = ok(record(client, people["a"], photo_id=uploaded["id"]), 201)
    url = body["photo_url"]
    assert url == f"/api/v1/care/visits/{body['id']}/photo"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    for username in sorted(SEES):
        expected = 200 if SEES[username] and "a" in SEES[username] else 404
        assert api(username).get(url).status_code == expected, username
    bad = client.post(
        "/api/v1/care/photos", {"file": SimpleUploadedFile("x.jpg", b"nope", "image/jpeg")}
    )
    assert ok(bad, 422)["fields"] == {"file": ["文件不是可识别的图片"]}
    assert api("dept").post("/api/v1/care/photos", {"file": png_upload()}).status_code == 403


def test_it_answers_a_photo_of_a_visit_without_one_with_404(api, people):
    visit = do_record_visit(people["a"], actor=None, outcome="seen").visit
    assert api("worker_a").get(f"/api/v1/care/visits/{visit.pk}/photo").status_code == 404


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_gives_coverage_only_in_scope(api, people, username):
    client = api(username)
    response = client.get("/api/v1/care/coverage")
    if SEES[username] is None:
        assert response.status_code == 403
        return
    body = ok(response)
    assert body["total"]["tagged"] == len(SEES[username])
    assert body["total"]["overdue"] == 0
    for code, label in ((GRID_A, "a"), (GRID_B, "b"), (GRID_OTHER, "other")):
        response = client.get(f"/api/v1/care/coverage?under={code}")
        if label in SEES[username]:
            assert ok(response)["total"]["tagged"] == 1
        else:
            assert response.status_code == 404, (code, response.content)


def test_it_describes_the_coverage(api, people):
    do_record_visit(people["a"], actor=None, outcome="seen")
    body = ok(api("community").get("/api/v1/care/coverage?under=440704001001"))
    assert body["node"] == "440704001001" and body["name"] == "东社区" and body["up"] == ""
    assert body["rows"] == [
        {
            "code": GRID_A,
            "name": "东一网格",
            "level": "grid",
            "tagged": 1,
            "visited": 1,
            "visited_on_time": 1,
            "overdue": 0,
            "rate": 1.0,
        },
        {
            "code": GRID_A2,
            "name": "东二网格",
            "level": "grid",
            "tagged": 1,
            "visited": 0,
            "visited_on_time": 0,
            "overdue": 0,
            "rate": 0.0,
        },
    ]
    bad = api("community").get("/api/v1/care/coverage?start=2026-03-05&end=2026-03-01")
    assert ok(bad, 422)["fields"] == {"start": ["开始日期不能晚于结束日期"]}
