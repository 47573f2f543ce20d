"""The API's own answers (schema errors, 401, 404, NUL input) come in the user's language."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from wangge.testing import english, no_cjk


def test_schema_errors_answer_in_english_in_english_mode(api: Callable[[str], Client]) -> None:
    bad = {"category": "0601", "lng": "east", "lat": 22.05, "anonymous": "maybe"}
    response = english(api("worker_a")).post("/api/v1/events", bad, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    no_cjk(body)
    assert body["message"] == "Invalid input: please check the fields."
    assert body["fields"]["description"] == ["Required"]
    assert body["fields"]["lng"] == ["Must be a number."]

    chinese = api("worker_a").post("/api/v1/events", bad, content_type="application/json").json()
    assert chinese["message"] == "输入有误，请检查各字段"
    assert chinese["fields"]["description"] == ["必填"]
    assert chinese["fields"]["lng"] == ["必须是数字"]


def test_limits_and_choices_are_named_in_the_users_language(api: Callable[[str], Client]) -> None:
    client = english(api("district"))
    response = client.get("/api/v1/events", {"limit": 0, "state": "lost"})
    assert response.status_code == 422
    body = response.json()
    no_cjk(body)
    assert body["fields"]["limit"] == ["Must be at least 1."]
    assert body["fields"]["state"][0].startswith("Must be one of reported, registered")

    chinese = api("district").get("/api/v1/events", {"limit": 0, "state": "lost"}).json()
    assert chinese["fields"]["limit"] == ["不能小于 1"]
    assert chinese["fields"]["state"][0].startswith("取值应为 reported、registered")


def test_not_found_and_unauthenticated_answer_in_english(api: Callable[[str], Client]) -> None:
    missing = english(api("district")).get("/api/v1/events/999999")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not found, or you may not see it."
    anonymous = english(Client()).get("/api/v1/events")
    assert anonymous.status_code == 401
    no_cjk(anonymous.json())
    assert api("district").get("/api/v1/events/999999").json()["message"] == (
        "未找到该对象，或您无权访问"
    )
    assert Client().get("/api/v1/events").json()["message"] == "请先登录（提供有效的令牌）"


def test_nul_input_is_refused_in_the_users_language(api: Callable[[str], Client]) -> None:
    english_body = english(api("district")).get("/api/v1/regions", {"under": "4407\x00"}).json()
    no_cjk(english_body)
    assert "NUL" in english_body["message"]
    chinese = api("district").get("/api/v1/regions", {"under": "4407\x00"}).json()
    assert chinese["message"] == "输入含有不允许的空字符（\\0），请删除后重试"


def test_an_id_beyond_the_database_is_refused_in_english(api: Callable[[str], Client]) -> None:
    response = english(api("district")).get(f"/api/v1/events/{2**70}")
    assert response.status_code in (404, 422)
    no_cjk(response.json())
