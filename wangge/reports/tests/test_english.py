"""Refusals of the periodic reports in the user's language: English when chosen, Chinese by
default (the same bad input answers in both); what is stored with a report stays Chinese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from wangge.reports.models import Report
from wangge.reports.periods import today
from wangge.testing import english, no_cjk

from .conftest import ok

URL = "/api/v1/reports"


def ask(client: Client, **changes: str) -> Any:
    payload = {
        "node": "440704009009009",
        "kind": "month",
        "period_start": (today() + timedelta(days=40)).isoformat(),
        "format": "docx",
        **changes,
    }
    return client.post(URL, payload, content_type="application/json")


def test_the_same_bad_request_answers_in_the_users_language(world, api) -> None:
    body = ok(ask(english(api("street"))), 422)
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"] == {
        "node": ["Region not found, or you may not see it"],
        "format": ["The file format can only be xlsx or pdf"],
        "period_start": ["No report can be generated for a period that has not begun"],
    }
    no_cjk(body)
    body = ok(ask(api("street")), 422)
    assert body == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {
            "node": ["没有找到该节点，或您无权查看"],
            "format": ["文件格式只能是 xlsx 或 pdf"],
            "period_start": ["不能生成尚未开始的周期的报表"],
        },
    }
    refused = ok(ask(english(api("resident"))), 403)
    assert refused["message"] == "You may not generate statistical reports"
    assert not Report.objects.exists()


def test_the_form_and_retry_speak_english_and_the_stored_error_is_said_again(
    world, api, login, run_queued, monkeypatch
) -> None:
    page = english(login("street")).post(
        reverse("reports:index"),
        {"node": "", "kind": "year", "period_start": today().isoformat(), "format": "xlsx"},
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "Please choose a region" in html and "Unknown report period" in html
    assert "请选择节点" not in html and "未知的报表周期" not in html

    payload = {
        "node": "440704001",
        "kind": "month",
        "period_start": today().isoformat(),
        "format": "xlsx",
    }
    street = english(api("street"))
    report = ok(street.post(URL, payload, content_type="application/json"), 201)

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr("wangge.reports.xlsx.render", broken)
    run_queued()
    monkeypatch.undo()
    failed = ok(street.get(f"{URL}/{report['id']}"))
    # Stored in Chinese; said again in the reader's language, on the page and in the API.
    assert Report.objects.get(pk=report["id"]).error == "生成报表时出错，可重试"
    assert failed["error"] == "Generating the report went wrong; it can be retried"
    assert ok(api("street").get(f"{URL}/{report['id']}"))["error"] == "生成报表时出错，可重试"
    row = english(login("street")).get(reverse("reports:index")).content.decode()
    assert "Generating the report went wrong; it can be retried" in row
    not_ready = ok(street.get(f"{URL}/{report['id']}/download"), 409)
    assert not_ready["message"] == "The report is not ready yet"
    ok(street.post(f"{URL}/{report['id']}/retry"))
    again = ok(street.post(f"{URL}/{report['id']}/retry"), 422)
    assert again["message"] == (
        "Only reports that failed (or have been generating for a long time) can be retried"
    )
    no_cjk(again)
    again = ok(api("street").post(f"{URL}/{report['id']}/retry"), 422)
    assert again["message"] == "只有生成失败（或长时间未完成）的报表可以重试"
