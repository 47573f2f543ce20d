"""Suggestions (金点子) through the API: the life cycle, refusals, scope."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from wangge.audit.models import AuditEntry
from wangge.suggestions.models import Suggestion, SuggestionStep
from wangge.suggestions.testing import COMMUNITY_A, COMMUNITY_B

URL = "/api/v1/suggestions"


def post(client: Any, url: str, payload: dict[str, Any]) -> Any:
    return client.post(
        url, json.dumps(payload, ensure_ascii=False), content_type="application/json"
    )


def submit(client: Any, **overrides: Any) -> Any:
    payload = {
        "title": "增设非机动车停放区",
        "content": "小区门口电动车乱停放，建议划设停放区。",
        "topic": "community",
        "node": COMMUNITY_A,
        "request_id": uuid.uuid4().hex,
        **overrides,
    }
    return post(client, URL, payload)


def test_adopted_suggestion_is_tracked_to_done(api) -> None:
    resident, street = api("resident"), api("street")
    r = submit(resident, contact="13812345678")
    assert r.status_code == 201, r.content
    body = r.json()
    sid = body["id"]
    assert body["state"] == "submitted"
    assert body["contact"] == "138****5678"
    # The contact is encrypted at rest.
    raw = Suggestion.objects.filter(pk=sid).values_list("contact", flat=True).get()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM suggestions_suggestion WHERE id = %s", [sid])
        stored = cursor.fetchone()[0]
    assert raw == "13812345678" and "13812345678" not in stored

    r = post(
        street, f"{URL}/{sid}/triage", {"department": "cg", "note": "请城管研究", "version": 1}
    )
    assert r.status_code == 200, r.content
    assert r.json()["assigned_department"] == "城管局"
    r = post(street, f"{URL}/{sid}/answer", {"adopted": True, "answer": "采纳，将划设停放区"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "adopted"
    r = post(street, f"{URL}/{sid}/start", {"note": "已联系施工队"})
    assert r.json()["state"] == "in_progress"
    r = post(street, f"{URL}/{sid}/complete", {"note": ""})
    assert r.status_code == 422
    assert r.json()["fields"] == {"note": ["请填写落实情况"]}
    r = post(street, f"{URL}/{sid}/complete", {"note": "停放区已划设完成"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "done"

    # The submitter sees the answer and every step.
    mine = resident.get(f"{URL}/{sid}").json()
    assert mine["state"] == "done"
    assert mine["answer"] == "采纳，将划设停放区"
    assert mine["completion_note"] == "停放区已划设完成"
    assert [s["action"] for s in mine["steps"]] == [
        "submit",
        "triage",
        "answer",
        "start",
        "complete",
    ]
    assert mine["actions"] == []
    assert SuggestionStep.objects.filter(suggestion_id=sid).count() == 5
    assert list(
        AuditEntry.objects.filter(object_type="suggestions.suggestion", object_id=str(sid))
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "suggestions.submit",
        "suggestions.triage",
        "suggestions.answer",
        "suggestions.start",
        "suggestions.complete",
    ]


def test_department_tracks_an_adopted_suggestion(api) -> None:
    sid = submit(api("resident")).json()["id"]
    street, dept = api("street"), api("dept")
    assert dept.get(f"{URL}/{sid}").status_code == 404
    post(street, f"{URL}/{sid}/triage", {"department": "cg"})
    assert dept.get(f"{URL}/{sid}").status_code == 200
    # A department does not triage or reject, but answers and follows up what it was given.
    assert post(dept, f"{URL}/{sid}/reject", {"reason": "不归我们管"}).status_code == 403
    assert post(dept, f"{URL}/{sid}/answer", {"adopted": True, "answer": "采纳"}).status_code == 200
    assert post(dept, f"{URL}/{sid}/complete", {"note": "已完成"}).json()["state"] == "done"


def test_reject_needs_a_reason(api) -> None:
    sid = submit(api("resident")).json()["id"]
    street = api("street")
    r = post(street, f"{URL}/{sid}/reject", {"reason": "   "})
    assert r.status_code == 422
    assert r.json()["fields"] == {"reason": ["请填写不予受理的理由"]}
    assert Suggestion.objects.get(pk=sid).state == "submitted"
    r = post(street, f"{URL}/{sid}/reject", {"reason": "属于投诉，请通过事件上报"})
    assert r.status_code == 200
    body = api("resident").get(f"{URL}/{sid}").json()
    assert body["state"] == "rejected"
    assert body["answer"] == "属于投诉，请通过事件上报"


def test_concurrent_answers_one_wins(api) -> None:
    sid = submit(api("resident")).json()["id"]
    street, district = api("street"), api("district")
    version = post(street, f"{URL}/{sid}/triage", {"node": "440704001"}).json()["version"]
    first = post(
        street, f"{URL}/{sid}/answer", {"adopted": True, "answer": "采纳", "version": version}
    )
    second = post(
        district, f"{URL}/{sid}/answer", {"adopted": False, "answer": "不采纳", "version": version}
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    s = Suggestion.objects.get(pk=sid)
    assert (s.state, s.answer) == ("adopted", "采纳")
    assert SuggestionStep.objects.filter(suggestion=s, action="answer").count() == 1


def test_compare_and_set_refuses_a_stale_row(world) -> None:
    """Two handlers holding the same row in memory: the second update finds it moved."""
    from wangge.suggestions import actions

    result = actions.do_submit_suggestion(
        actor=world["resident"], title="t", content="c", topic="other", node=COMMUNITY_A
    )
    actions.do_triage_suggestion(result.suggestion, actor=None, node="440704001")
    one = Suggestion.objects.get(pk=result.suggestion.pk)
    two = Suggestion.objects.get(pk=result.suggestion.pk)
    actions.do_answer_suggestion(one, actor=world["street"], adopted=True, answer="采纳")
    with pytest.raises(actions.SuggestionConflict):
        actions.do_answer_suggestion(two, actor=world["district"], adopted=False, answer="否")


def test_submit_is_idempotent(api) -> None:
    resident = api("resident")
    rid = uuid.uuid4().hex
    first = submit(resident, request_id=rid)
    again = submit(resident, request_id=rid, title="另一个标题")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Suggestion.objects.count() == 1
    # Another user's same id is their own request.
    assert submit(api("worker_a"), node=None, request_id=rid).status_code == 201


def test_bad_input_is_refused_field_by_field(api) -> None:
    resident = api("resident")
    r = submit(resident, title=" ", content="", contact="abc", node="440703001001")
    assert r.status_code == 422
    assert r.json()["fields"] == {
        "title": ["请填写标题"],
        "content": ["请填写建议内容"],
        "node": ["请选择您所在区的街道或社区"],
        "contact": ["请填写有效的电话号码"],
    }
    r = submit(resident, title="x" * 101)
    assert r.status_code == 422
    assert "title" in r.json()["fields"]
    r = submit(resident, topic="nonsense")
    assert r.status_code == 422 and "topic" in r.json()["fields"]
    # A grid is deeper than a resident picks.
    r = submit(resident, node="440704001001001")
    assert r.status_code == 422 and "node" in r.json()["fields"]
    assert Suggestion.objects.count() == 0


def test_staff_default_to_their_node(api) -> None:
    r = submit(api("community"), node=None)
    assert r.status_code == 201, r.content
    assert r.json()["node"] == COMMUNITY_A


def test_triage_needs_one_target_in_scope(api) -> None:
    sid = submit(api("resident")).json()["id"]
    street = api("street")
    r = post(street, f"{URL}/{sid}/triage", {})
    assert r.status_code == 422 and "department" in r.json()["fields"]
    r = post(street, f"{URL}/{sid}/triage", {"node": "440704002"})
    assert r.status_code == 422 and r.json()["fields"] == {"node": ["请选择您辖区内的承办节点"]}
    r = post(street, f"{URL}/{sid}/triage", {"department": "nope"})
    assert r.status_code == 422 and "department" in r.json()["fields"]
    # Answering before triage is out of order.
    r = post(street, f"{URL}/{sid}/answer", {"adopted": True, "answer": "采纳"})
    assert r.status_code == 409


def test_scope(api) -> None:
    resident = api("resident")
    a = submit(resident, node=COMMUNITY_A).json()["id"]
    b = submit(api("street_b"), node=COMMUNITY_B).json()["id"]
    street, street_b = api("street"), api("street_b")
    ids = lambda c: {row["id"] for row in c.get(URL).json()["items"]}  # noqa: E731
    assert ids(street) == {a}
    assert ids(street_b) == {b}
    assert ids(api("district")) == {a, b}
    assert ids(api("other_district")) == set()
    assert ids(resident) == {a}
    assert street.get(f"{URL}/{b}").status_code == 404
    assert street_b.get(f"{URL}/{a}").status_code == 404
    assert resident.get(f"{URL}/{b}").status_code == 404
    assert post(street, f"{URL}/{b}/reject", {"reason": "x"}).status_code == 404
    # A resident may not act on their own suggestion.
    assert post(resident, f"{URL}/{a}/reject", {"reason": "x"}).status_code == 403
    # A grid worker sees only what they submitted.
    assert ids(api("worker_a")) == set()
    assert api("worker_a").get(f"{URL}/{a}").status_code == 404
    # Anonymous callers get nothing.
    from django.test import Client

    assert Client().get(URL).status_code == 401


def test_triaged_to_a_community_is_seen_there(api) -> None:
    sid = submit(api("resident"), node="440704001").json()["id"]
    community = api("community")
    assert community.get(f"{URL}/{sid}").status_code == 404
    post(api("street"), f"{URL}/{sid}/triage", {"node": COMMUNITY_A})
    assert community.get(f"{URL}/{sid}").status_code == 200
    r = post(community, f"{URL}/{sid}/answer", {"adopted": False, "answer": "暂不具备条件"})
    assert r.json()["state"] == "not_adopted"


def test_anonymous_flag_hides_the_name_from_readers(api) -> None:
    sid = submit(api("resident"), anonymous=True).json()["id"]
    assert api("resident").get(f"{URL}/{sid}").json()["submitter"] == "陈静"
    assert api("street").get(f"{URL}/{sid}").json()["submitter"] == "陈静"


def test_nodes_to_pick(api) -> None:
    codes = {row["code"] for row in api("resident").get(f"{URL}/nodes").json()}
    assert codes == {"440704", "440704001", "440704002", COMMUNITY_A, COMMUNITY_B}
    codes = {row["code"] for row in api("street").get(f"{URL}/nodes").json()}
    assert codes == {"440704001", COMMUNITY_A}
    assert api("dept").get(f"{URL}/nodes").json() == []
