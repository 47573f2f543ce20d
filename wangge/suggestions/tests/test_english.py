"""Refusals of suggestions and drafts in the user's language: English when chosen, Chinese
by default (the same bad input answers in both)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from wangge.suggestions import actions
from wangge.suggestions.actions import SuggestionError
from wangge.suggestions.testing import COMMUNITY_A
from wangge.testing import english, no_cjk


def post(client: Any, url: str, payload: dict[str, Any]) -> Any:
    return client.post(
        url, json.dumps(payload, ensure_ascii=False), content_type="application/json"
    )


def bad_suggestion(client: Any) -> Any:
    return post(
        client,
        "/api/v1/suggestions",
        {
            "title": " ",
            "content": "",
            "topic": "city",
            "node": COMMUNITY_A,
            "contact": "abc",
            "request_id": uuid.uuid4().hex,
        },
    )


def test_the_same_bad_suggestion_answers_in_the_users_language(api) -> None:
    r = bad_suggestion(english(api("resident")))
    assert r.status_code == 422
    body = r.json()
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"] == {
        "title": ["Please enter a title"],
        "content": ["Please enter your suggestion"],
        "contact": ["Please enter a valid phone number"],
    }
    no_cjk(body)

    r = bad_suggestion(api("resident"))
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {
            "title": ["请填写标题"],
            "content": ["请填写建议内容"],
            "contact": ["请填写有效的电话号码"],
        },
    }


def test_a_conflict_names_the_state_and_action_in_the_users_language(api, world) -> None:
    s = actions.do_submit_suggestion(
        actor=world["resident"], title="建议", content="内容", topic="city", node=COMMUNITY_A
    ).suggestion
    actions.do_triage_suggestion(s, actor=world["street"], department="cg")
    url = f"/api/v1/suggestions/{s.pk}/triage"
    r = post(english(api("street")), url, {"department": "cg"})
    assert r.status_code == 409
    assert r.json()["message"] == "The suggestion is “Assigned”: “Assign” is not possible"
    no_cjk(r.json())
    r = post(api("street"), url, {"department": "cg"})
    assert r.status_code == 409
    assert r.json()["message"] == "该建议当前状态为「已分办」，不能分办"


def test_draft_refusals_in_english_and_chinese(world) -> None:
    point = actions.do_create_liaison_point(
        actor=world["district"], name="东社区立法联系点", node=COMMUNITY_A
    )
    draft = actions.do_create_draft(
        actor=world["district"],
        title="草案",
        body="正文",
        issuing_body="法工委",
        deadline=timezone.now() + timedelta(days=3),
        points=[point.pk],
    )
    for language, texts in (
        (
            "en",
            (
                "The draft is “Not published”: no opinions are accepted",
                "The draft is “Not published”: its collection of opinions cannot be closed",
                "At most 100 characters",
            ),
        ),
        (
            "zh-hans",
            (
                "该草案未发布，不接受意见",
                "草案当前状态为「未发布」，不能截止征集",
                "不能超过 100 个字",
            ),
        ),
    ):
        with translation.override(language):
            try:
                actions.do_submit_opinion(
                    draft, actor=world["resident"], point=point.pk, content="意见"
                )
            except SuggestionError as exc:
                assert exc.fields == {"draft": texts[0]}
            else:  # pragma: no cover
                raise AssertionError("accepted")
            try:
                actions.do_close_draft(draft, actor=world["district"])
            except SuggestionError as exc:
                assert exc.message == texts[1]
            else:  # pragma: no cover
                raise AssertionError("closed")
            try:
                actions.do_create_liaison_point(
                    actor=world["district"], name="x" * 101, node=COMMUNITY_A
                )
            except SuggestionError as exc:
                assert exc.fields["name"] == texts[2]
            else:  # pragma: no cover
                raise AssertionError("created")


def test_the_pages_show_refusals_in_the_users_language(world, login) -> None:
    data = {
        "title": "路灯不亮",
        "content": "建议增设路灯",
        "topic": "city",
        "node": COMMUNITY_A,
        "contact": "abc",
    }
    resident = login("resident")
    r = resident.post("/suggestions/new/", {**data, "request_id": uuid.uuid4().hex})
    assert r.status_code == 422 and "请填写有效的电话号码" in r.content.decode()
    english(resident)
    r = resident.post("/suggestions/new/", {**data, "request_id": uuid.uuid4().hex})
    text = r.content.decode()
    assert r.status_code == 422 and "Please enter a valid phone number" in text
    assert "请填写有效的电话号码" not in text and "输入有误" not in text
    # The state filter of the list speaks English too.
    listing = english(login("street")).get("/suggestions/").content.decode()
    assert "Being carried out" in listing and "落实中" not in listing


def test_a_liaison_point_without_a_node_is_refused_in_the_users_language(world) -> None:
    for language, text in (
        ("en", "Please choose a node of the hierarchy"),
        ("zh-hans", "请选择层级节点"),
    ):
        with translation.override(language), pytest.raises(actions.SuggestionError) as caught:
            actions.do_create_liaison_point(actor=None, name="联系点", node="")
        assert caught.value.fields["node"] == text
