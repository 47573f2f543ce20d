"""The messages of event actions come in the user's language; what is stored stays Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from wangge.events import actions
from wangge.events.models import Event, ExtensionRequest
from wangge.lib.language import data_language
from wangge.testing import CJK, POINT_A, POINT_OUTSIDE, english, no_cjk

from .conftest import act, post, report, upload


def test_a_refused_report_answers_in_english_in_english_mode(ew, client_for):
    bad = {"category": "9999", "description": "  ", "attachments": [-1]}
    response = report(english(client_for("worker_a")), **bad)
    assert response.status_code == 422
    body = response.json()
    no_cjk(body)
    assert body["message"] == "Invalid input: please check the fields."
    assert body["fields"]["category"] == ["Unknown event category."]
    assert body["fields"]["description"] == ["Please describe the problem."]
    assert body["fields"]["attachments"] == ["Invalid attachment id."]

    chinese = report(client_for("worker_a"), **bad).json()
    assert chinese["message"] == "输入有误，请检查各字段"
    assert chinese["fields"]["category"] == ["未知的事件类型"]
    assert chinese["fields"]["attachments"] == ["附件编号无效"]


def test_a_point_outside_the_reporters_grids_is_refused_in_english(ew, client_for):
    body = report(english(client_for("worker_a")), point=POINT_OUTSIDE).json()
    no_cjk(body)
    assert body["fields"]["lng"] == ["This place is outside the grids you may report in."]
    nearby = english(client_for("worker_a")).get(
        "/api/v1/events/nearby", {"lng": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}
    )
    assert nearby.status_code == 404
    no_cjk(nearby.json())
    chinese = report(client_for("worker_a"), point=POINT_OUTSIDE).json()
    assert chinese["fields"]["lng"] == ["该位置不在您可上报的网格范围内"]


def test_an_illegal_transition_names_state_and_action_in_the_users_language(ew, client_for):
    created = report(client_for("worker_a")).json()
    street = english(client_for("street"))
    response = act(street, created["id"], "feedback", {"note": "done"})
    assert response.status_code == 409
    body = response.json()
    no_cjk(body)
    assert body["message"] == "The event is “Reported”: “Handling feedback” is not possible."
    chinese = act(client_for("street"), created["id"], "feedback", {"note": "x"}).json()
    assert chinese["message"] == "事件当前状态为「已上报」，不能办结反馈"


def test_a_stale_version_and_a_missing_reason_answer_in_english(ew, client_for):
    created = report(client_for("worker_a")).json()
    street = english(client_for("street"))
    stale = act(street, created["id"], "register", {"version": created["version"] + 5})
    assert stale.status_code == 409
    no_cjk(stale.json())
    assert stale.json()["fields"]["version"] == ["Out of date."]
    missing = act(street, created["id"], "reject", {"reason": " "})
    assert missing.status_code == 422
    no_cjk(missing.json())
    assert missing.json()["fields"]["reason"] == ["Please give the reason for not registering."]
    chinese = act(client_for("street"), created["id"], "reject", {"reason": " "}).json()
    assert chinese["fields"]["reason"] == ["请填写不予立案的理由"]


def test_a_refused_photo_is_explained_in_english(ew, client_for, media):
    response = upload(english(client_for("worker_a")), b"not a photo at all\n" * 10)
    assert response.status_code == 422
    no_cjk(response.json())
    assert response.json()["fields"]["file"] == ["The file is not a recognisable image."]
    bad_kind = upload(english(client_for("worker_a")), kind="selfie")
    no_cjk(bad_kind.json())
    chinese = upload(client_for("worker_a"), b"not a photo at all\n" * 10).json()
    assert chinese["fields"]["file"] == ["文件不是可识别的图片"]


def test_a_batch_answers_each_refused_report_in_english(ew, client_for):
    good = {
        "category": "0601",
        "description": "loose manhole cover",
        "lng": POINT_A[0],
        "lat": POINT_A[1],
    }
    reports = [{**good, "request_id": None}, {**good, "category": "9999", "request_id": "b-1"}]
    body = post(english(client_for("worker_a")), "/api/v1/events/batch", {"reports": reports})
    results = body.json()["results"]
    assert results[0]["fields"]["request_id"] == ["Each report of a batch needs its request id."]
    assert results[1]["message"] == "Invalid input: please check the fields."
    for result in results:
        for errors in result["fields"].values():
            assert not any(CJK.search(text) for text in errors)
        assert not CJK.search(result["message"])
    empty = post(english(client_for("worker_a")), "/api/v1/events/batch", {"reports": []})
    assert empty.status_code == 422
    no_cjk(empty.json())


def test_an_action_refused_on_a_page_is_shown_in_english(ew, login):
    event = actions.do_report_event(
        actor=ew["worker_a"],
        category="0601",
        description="井盖松动",
        lng=POINT_A[0],
        lat=POINT_A[1],
    ).event
    client = english(login("street"))
    response = client.post(f"/events/{event.pk}/reject/", {"version": event.version})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please give the reason for not registering." in page
    assert "请填写不予立案的理由" not in page
    response = login("street").post(f"/events/{event.pk}/reject/", {"version": event.version})
    assert "请填写不予立案的理由" in response.content.decode()


def test_labels_in_messages_follow_the_language_and_open311_stays_chinese(ew):
    event = actions.do_report_event(
        actor=ew["worker_a"],
        category="0601",
        description="井盖松动",
        lng=POINT_A[0],
        lat=POINT_A[1],
    ).event
    with translation.override("en"), pytest.raises(actions.EventConflict) as refused:
        actions.do_accept_event(event, actor=None)
    assert refused.value.message == "The event is “Reported”: “Accept” is not possible."
    # Open311 and other callers answering outside systems evaluate under data_language().
    with translation.override("en"), data_language(), pytest.raises(actions.EventError) as zh:
        actions.do_report_event(
            actor=None, category="9999", description="", lng=POINT_A[0], lat=POINT_A[1]
        )
    assert zh.value.message == "输入有误，请检查各字段"
    assert zh.value.fields == {"category": "未知的事件类型", "description": "请描述问题"}


def test_what_an_english_mode_user_stores_stays_chinese(ew, client_for):
    created = report(client_for("worker_a")).json()
    event = Event.objects.get(pk=created["id"])
    event = actions.do_register_event(event, actor=ew["street"])
    event = actions.do_dispatch_event(event, actor=ew["street"], department="cg")
    event = actions.do_accept_event(event, actor=ew["dept"])
    dept = english(client_for("dept"))
    asked = act(dept, event.pk, "request-extension", {"amount": 2, "reason": "parts"})
    assert asked.status_code == 200, asked.content
    done = act(dept, event.pk, "feedback", {"note": "replaced the cover"})
    assert done.status_code == 200, done.content
    extension = ExtensionRequest.objects.get(event=event)
    assert extension.decision_note == "已办结，申请自动撤销"


def test_a_follower_sees_the_other_reporter_named_in_their_language(ew, client_for):
    original = report(client_for("resident"), reporter_contact="13812341234").json()
    neighbour = english(client_for("resident_b"))
    joined = post(neighbour, f"/api/v1/events/{original['number']}/join", {})
    assert joined.status_code == 200, joined.content
    assert joined.json()["timeline"][0]["actor"] == "A member of the public"
    chinese = client_for("resident_b").get(f"/api/v1/events/{original['id']}").json()
    assert chinese["timeline"][0]["actor"] == "群众"
