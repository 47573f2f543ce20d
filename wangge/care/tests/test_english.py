"""Refusals of care visits in the user's language: English when chosen, Chinese by default
(the same bad input answers in both); the event a visit reports stays Chinese."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from wangge.care.actions import CareError, do_record_visit, generate_visit_tasks
from wangge.events.models import Event
from wangge.testing import english, no_cjk

from .conftest import UNIT_A, make_person, ok, post


def visit(client: Client, person_id: int, outcome: str, **extra: Any) -> Any:
    body = {"person_id": person_id, "outcome": outcome, "request_id": str(uuid.uuid4()), **extra}
    return post(client, "/api/v1/care/visits", body)


@pytest.fixture
def granny(world):
    person = make_person("李奶奶", UNIT_A, ["elderly_alone"], address="东街1号")
    generate_visit_tasks()
    return person


def test_the_same_bad_visit_answers_in_the_users_language(api, granny) -> None:
    future = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
    bad = {"visited_at": future, "photo_id": 123456}
    body = ok(visit(english(api("worker_a")), granny.pk, "needs_help", **bad), 422)
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"] == {
        "note": ["Please say what help is needed"],
        "visited_at": ["The visit cannot be later than now"],
        "photo_id": ["The photo does not exist or is already used: please upload it again"],
    }
    no_cjk(body)
    body = ok(visit(api("worker_a"), granny.pk, "needs_help", **bad), 422)
    assert body == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {
            "note": ["请说明需要什么帮助"],
            "visited_at": ["走访时间不能晚于现在"],
            "photo_id": ["照片不存在或已被使用，请重新上传"],
        },
    }


def test_the_coverage_period_is_refused_in_the_users_language(api, granny) -> None:
    url = "/api/v1/care/coverage?start=2026-03-05&end=2026-03-01"
    body = ok(english(api("community")).get(url), 422)
    assert body["fields"] == {"start": ["The start cannot be later than the end"]}
    no_cjk(body)
    body = ok(api("community").get(url), 422)
    assert body["fields"] == {"start": ["开始日期不能晚于结束日期"]}
    body = ok(english(api("resident")).get("/api/v1/care/tasks"), 403)
    assert body["message"] == "You may not see care visits"


def test_a_missing_help_category_is_explained_in_english(ew, granny, settings) -> None:
    settings.CARE_HELP_CATEGORY = "9999"
    with translation.override("en"), pytest.raises(CareError) as caught:
        do_record_visit(granny, actor=ew["worker_a"], outcome="needs_help", note="需要帮助")
    assert caught.value.fields["outcome"] == (
        "The event catalogue has no “special groups services” category: help cannot be reported"
    )
    with translation.override("zh-hans"), pytest.raises(CareError) as caught:
        do_record_visit(granny, actor=ew["worker_a"], outcome="needs_help", note="需要帮助")
    assert caught.value.fields["outcome"] == "事件目录中没有「特殊人群服务」类别，无法上报求助"


def test_the_event_an_english_visitor_reports_stays_chinese(ew, api, granny) -> None:
    body = ok(visit(english(api("worker_a")), granny.pk, "needs_help", note="需要送餐"), 201)
    assert body["outcome_label"] == "Needs help"
    event = Event.objects.get()
    assert event.description.startswith("关爱走访发现需要帮助：需要送餐")
    assert "走访对象：李奶奶" in event.description
    assert event.title == "关爱走访：李奶奶需要帮助"
