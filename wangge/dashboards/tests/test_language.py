"""Dashboard API refusals in the user's language (Chinese by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from wangge.testing import CJK, english

BASE = "/api/v1/dashboards"


def test_a_user_without_dashboards_is_refused_in_english(api: Callable[[str], Client]) -> None:
    response = english(api("dept")).get(f"{BASE}/summary")
    assert response.status_code == 403
    assert response.json()["message"] == "You may not see the dashboards."
    chinese = api("dept").get(f"{BASE}/summary")
    assert chinese.json()["message"] == "您无权查看统计看板"


def test_a_bad_period_is_refused_in_english(api: Callable[[str], Client]) -> None:
    today = timezone.localdate()
    query = {
        "period": "custom",
        "since": today.isoformat(),
        "until": (today - timedelta(days=3)).isoformat(),
    }
    response = english(api("district")).get(f"{BASE}/summary", query)
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Invalid input: please check the fields."
    assert body["fields"]
    for errors in body["fields"].values():
        assert not any(CJK.search(text) for text in errors), errors
    chinese = api("district").get(f"{BASE}/summary", query).json()
    assert chinese["message"] == "输入有误，请检查各字段"
    assert any(CJK.search(text) for errors in chinese["fields"].values() for text in errors)
