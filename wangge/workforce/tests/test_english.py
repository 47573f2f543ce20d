"""Refusals and checks of the workforce in the user's language: English when chosen, Chinese by
default (the same bad input answers in both)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from wangge.testing import CJK, GRID_A, GRID_A2, World, english, no_cjk

ApiFactory = Callable[[str], Client]
COMMUNITY_A = GRID_A[:12]


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_same_bad_tick_answers_in_the_users_language(world: World, api: ApiFactory) -> None:
    url = "/api/v1/workforce/method/ticks"
    bad = {"item": "X9", "month": "2001-01"}
    body = post(english(api("worker_a")), url, bad).json()
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"] == {
        "item": ["There is no such “553” item"],
        "month": ["Only items of this month or last month can be ticked"],
    }
    no_cjk(body)
    body = post(api("worker_a"), url, bad).json()
    assert body == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {"item": ["没有这个“553”事项"], "month": ["只能勾选本月或上月的事项"]},
    }
    refused = post(english(api("community")), url, {"item": "K1"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "You are not a full-time grid worker"


def test_training_refusals_name_the_attendees_in_the_users_language(
    world: World, api: ApiFactory
) -> None:
    b, c = world["worker_b"].pk, world["other_district"].pk
    payload = {"title": "", "node": COMMUNITY_A, "attendee_ids": [b, c]}
    url = "/api/v1/workforce/training/sessions"
    body = post(english(api("community")), url, {**payload, "held_on": "2026-08-18"}).json()
    assert body["fields"] == {
        "title": ["Please enter the training's subject"],
        "attendees": [f"Attendees outside this area: {b}, {c}"],
    }
    no_cjk(body)
    body = post(api("community"), url, {**payload, "held_on": "2026-08-18"}).json()
    assert body["fields"] == {
        "title": ["请填写培训主题"],
        "attendees": [f"参训人员不在本辖区：{b}、{c}"],
    }


def test_the_coverage_check_speaks_the_users_language(world: World, api: ApiFactory, login) -> None:
    body = english(api("community")).get("/api/v1/workforce/coverage").json()
    assert body["failing"][0]["problems"] == ["No second grid worker"]
    assert not CJK.search(body["rule"])
    body = api("community").get("/api/v1/workforce/coverage").json()
    assert body["failing"][0]["problems"] == ["缺少第二名网格员"]
    assert body["rule"].endswith("（一格两员）")
    page = english(login("community")).get("/workforce/roster/").content.decode()
    assert f"({GRID_A2}): No second grid worker" in page and "缺少第二名网格员" not in page


def test_the_tick_page_refuses_in_the_users_language(world: World, login) -> None:
    from django.urls import reverse

    url = reverse("workforce:tick")
    page = english(login("worker_a")).post(url, {"item": "X9"}, follow=True)
    text = page.content.decode()
    assert "Invalid input: please check the fields; There is no such “553” item" in text
    assert "没有这个" not in text
    page = login("worker_a").post(url, {"item": "X9"}, follow=True)
    assert "输入有误，请检查各字段；没有这个“553”事项" in page.content.decode()
