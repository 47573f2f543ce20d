"""Arrival reports for staff through the API: scope, masking, unmasking, follow-ups, filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.arrivals import actions
from wangge.arrivals.models import ArrivalReport, FollowUp
from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, make_id_number

from .conftest import ok, post

URL = "/api/v1/arrivals"
NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}
PLACES = {"A": GRID_A + "001", "A2": GRID_A2 + "001", "B": GRID_B + "001", "邻": GRID_OTHER + "001"}


def arrive(key, *, hours_ago=2.0, name=None, id_number="", phone="13912345678"):
    return actions.do_report_arrival(
        actor=None,
        name=name or f"报备{key}",
        id_number=id_number,
        phone=phone,
        unit_code=PLACES[key],
        address="样例路1号",
        arrival_at=timezone.now() - timedelta(hours=hours_ago),
        origin="广州市",
        travel_mode="train",
    ).report


@pytest.fixture
def reports(world):
    return {key: arrive(key) for key in PLACES}


def names(client, query=""):
    return {r["name"] for r in ok(client.get(f"{URL}{query}"))["items"]}


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("admin", {"A", "A2", "B", "邻"}),
        ("district", {"A", "A2", "B"}),
        ("street", {"A", "A2"}),
        ("street_b", {"B"}),
        ("community", {"A", "A2"}),
        ("worker_a", {"A"}),
        ("worker_a2", {"A2"}),
        ("worker_b", {"B"}),
        ("part_time_a", set()),
        ("dept", set()),
        ("resident", set()),
        ("other_district", {"邻"}),
    ],
)
def test_it_shows_each_role_its_reports(api, reports, username, seen):
    client = api(username)
    assert names(client) == {f"报备{k}" for k in seen}
    assert {t["report"]["name"] for t in ok(client.get(f"{URL}/tasks"))["items"]} == {
        f"报备{k}" for k in seen
    }
    for key, report in reports.items():
        response = client.get(f"{URL}/{report.pk}")
        if key in seen:
            assert ok(response)["number"] == report.number
        else:
            assert response.status_code == 404
            assert response.json() == NOT_FOUND


def test_it_answers_a_missing_report_like_one_out_of_scope(api, reports):
    client = api("worker_b")
    missing = client.get(f"{URL}/999999")
    hidden = client.get(f"{URL}/{reports['A'].pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content


def test_it_masks_identifiers(api, world):
    report = arrive("A", id_number=make_id_number("110101", "19900101", "123"))
    detail = ok(api("worker_a").get(f"{URL}/{report.pk}"))
    assert detail["id_number"] == "110101********" + report.id_number[-4:]
    assert detail["phone"] == "139****5678"
    assert detail["follow_up"]["status"] == "open"
    assert set(detail["actions"]) == {"unmask", "follow_up", "match"}
    assert report.id_number not in str(ok(api("worker_a").get(URL)))
    assert set(ok(api("street").get(f"{URL}/{report.pk}"))["actions"]) == set()


def test_it_unmasks_with_a_reason_and_audits_it(api, reports):
    report = reports["A"]
    path = f"{URL}/{report.pk}/unmask"
    answer = ok(post(api("worker_a"), path, {"field": "phone", "reason": "电话回访"}))
    assert answer == {"report_id": report.pk, "field": "phone", "value": "13912345678"}
    entry = AuditEntry.objects.get(action="arrivals.unmask")
    assert entry.actor.username == "worker_a" and entry.reason == "电话回访"
    assert "13912345678" not in str(entry.after) + entry.reason + entry.object_repr
    no_reason = post(api("worker_a"), path, {"field": "phone", "reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"] == {"reason": ["请填写查看原因（至少 2 个字）"]}
    forbidden = post(api("street"), path, {"field": "phone", "reason": "电话回访"})
    assert forbidden.status_code == 403
    hidden = post(api("worker_b"), path, {"field": "phone", "reason": "电话回访"})
    assert hidden.status_code == 404
    assert AuditEntry.objects.filter(action="arrivals.unmask").count() == 1


def test_it_lets_the_destination_worker_record_the_follow_up(api, reports):
    task = reports["A"].follow_up
    path = f"{URL}/tasks/{task.pk}/done"
    assert post(api("worker_b"), path, {"outcome": "contacted"}).status_code == 404
    assert post(api("street"), path, {"outcome": "contacted"}).status_code == 403
    unreachable = post(api("worker_a"), path, {"outcome": "unreachable"})
    assert unreachable.status_code == 422
    assert unreachable.json()["fields"] == {"note": ["请说明联系的方式和次数（如 电话 2 次未接）"]}
    bad = post(api("worker_a"), path, {"outcome": "maybe"})
    assert bad.status_code == 422 and "outcome" in bad.json()["fields"]

    done = ok(post(api("worker_a"), path, {"outcome": "verified_home", "note": "已上门，在家"}))
    assert done["status"] == "done"
    assert done["outcome_label"] == "已上门核实在家"
    assert done["done_by"] == "张伟"
    assert done["can_complete"] is False
    again = post(api("worker_a"), path, {"outcome": "contacted"})
    assert again.status_code == 409
    assert FollowUp.objects.get(pk=task.pk).outcome == "verified_home"
    assert ok(api("worker_a").get(f"{URL}/tasks"))["items"] == []
    assert [t["id"] for t in ok(api("worker_a").get(f"{URL}/tasks?status=done"))["items"]] == [
        task.pk
    ]
    # Community staff follow reports up in their grids too.
    other = reports["A2"].follow_up
    ok(post(api("community"), f"{URL}/tasks/{other.pk}/done", {"outcome": "contacted"}))
    assert AuditEntry.objects.filter(action="arrivals.follow_up").count() == 2


def test_it_filters_reports(api, world):
    late = arrive("A", hours_ago=20, name="逾期者")
    timely = arrive("A", hours_ago=1, name="及时者")
    earlier = arrive("A", hours_ago=24 * 5, name="五天前")
    client = api("worker_a")
    assert names(client, "?late=true") == {"逾期者", "五天前"}
    assert names(client, "?late=false") == {"及时者"}
    today = timezone.localdate()
    assert names(client, f"?date_from={today - timedelta(days=2)}") >= {"逾期者", "及时者"}
    assert "五天前" not in names(client, f"?date_from={today - timedelta(days=2)}")
    assert names(client, f"?date_to={today - timedelta(days=4)}") == {"五天前"}
    assert names(client, f"?under={GRID_A}001") == {"逾期者", "及时者", "五天前"}
    bad = client.get(f"{URL}?date_from={today}&date_to={today - timedelta(days=1)}")
    assert bad.status_code == 422
    FollowUp.objects.filter(report=late).update(status="done", outcome="contacted")
    assert names(client, "?follow_up=open") == {"及时者", "五天前"}
    assert {late.pk, timely.pk, earlier.pk} == {r.pk for r in ArrivalReport.objects.all()}


def test_it_links_the_person_once_registered(api, world):
    id_number = make_id_number("110101", "19900101", "321")
    report = arrive("A", id_number=id_number, name="新来者")
    assert report.person is None
    assert names(api("worker_a"), "?unlinked=true") == {"新来者"}
    person = do_create_person(
        actor=world["worker_a"], name="新来者", id_number=id_number, region_code=GRID_A + "001"
    )
    detail = ok(post(api("worker_a"), f"{URL}/{report.pk}/match"))
    assert detail["person"] == {"id": person.pk, "name": "新来者"}
    assert names(api("worker_a"), "?unlinked=true") == set()
    assert names(api("worker_a"), "?unlinked=false") == {"新来者"}
    assert post(api("street"), f"{URL}/{report.pk}/match").status_code == 403
    assert post(api("worker_b"), f"{URL}/{report.pk}/match").status_code == 404


def test_it_lists_reports_in_few_queries(api, world, django_assert_max_num_queries):
    for i in range(6):
        arrive("A", name=f"批量{i}")
    client = api("worker_a")
    with django_assert_max_num_queries(12):
        assert len(ok(client.get(URL))["items"]) == 6
    with django_assert_max_num_queries(12):
        assert len(ok(client.get(f"{URL}/tasks"))["items"]) == 6
