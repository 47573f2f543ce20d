"""Who asks for, lists and downloads which reports; bad input answers field by field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wangge.audit.models import AuditEntry
from wangge.reports import actions
from wangge.reports.models import Report
from wangge.reports.periods import today

from .conftest import ok

URL = "/api/v1/reports"


def _payload(node: str, **extra: str) -> dict[str, str]:
    return {
        "node": node,
        "kind": "month",
        "period_start": today().isoformat(),
        "format": "xlsx",
        **extra,
    }


def _post(client, payload):
    return client.post(URL, payload, content_type="application/json")


@pytest.fixture
def reports(world, api, run_queued) -> dict[str, int]:
    """A finished report of street 1 (by street) and of street 2 (by street_b)."""
    ids = {
        "street": ok(_post(api("street"), _payload("440704001")), 201)["id"],
        "street_b": ok(_post(api("street_b"), _payload("440704002")), 201)["id"],
    }
    run_queued()
    return ids


def test_a_street_user_cannot_ask_for_another_streets_report(world, api):
    client = api("street")
    refused = _post(client, _payload("440704002"))
    unknown = _post(client, _payload("440704009"))
    assert refused.status_code == unknown.status_code == 422
    assert refused.json() == unknown.json()
    assert refused.json()["fields"] == {"node": ["没有找到该节点，或您无权查看"]}
    for node in ("440704", "440703001", ""):
        assert _post(client, _payload(node)).status_code == 422
    assert not Report.objects.exists()
    # Below their street is fine.
    assert _post(client, _payload("440704001001001")).status_code == 201


def test_a_street_user_cannot_list_or_download_another_streets_report(reports, api):
    client = api("street")
    listed = ok(client.get(URL))
    assert [r["id"] for r in listed["items"]] == [reports["street"]]
    assert ok(client.get(URL, {"node": "440704002"}))["items"] == []
    missing = client.get(f"{URL}/999999")
    for path in ("", "/download"):
        other = client.get(f"{URL}/{reports['street_b']}{path}")
        assert other.status_code == 404
        assert other.content == client.get(f"{URL}/999999{path}").content == missing.content
    assert client.post(f"{URL}/{reports['street_b']}/retry").status_code == 404
    # Their own downloads; so do the district (above) and the administrator.
    assert client.get(f"{URL}/{reports['street']}/download").status_code == 200
    for username in ("district", "admin"):
        ids = {r["id"] for r in ok(api(username).get(URL))["items"]}
        assert ids == set(reports.values())
    # A community below the street does not see the street's report (it covers more).
    assert ok(api("community").get(URL))["items"] == []
    assert api("other_district").get(f"{URL}/{reports['street']}").status_code == 404


def test_users_without_dashboards_may_not_ask(world, api):
    for username in ("dept", "resident", "part_time_a"):
        response = _post(api(username), _payload("440704001"))
        assert response.status_code == 403, username
        assert response.json()["code"] == "forbidden"
        assert ok(api(username).get(URL))["items"] == []
    assert Client_anonymous_status() == 401


def Client_anonymous_status() -> int:  # noqa: N802 - reads as a sentence
    from django.test import Client

    return Client().get(URL).status_code


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"node": "440704009009009"}, {"node": "没有找到该节点，或您无权查看"}),
        ({"node": "abc"}, {"node": "没有找到该节点，或您无权查看"}),
        ({"node": ""}, {"node": "请选择节点"}),
        ({"kind": "year"}, {"kind": "未知的报表周期"}),
        ({"kind": ""}, {"kind": "请选择日报、周报或月报"}),
        ({"format": "docx"}, {"format": "文件格式只能是 xlsx 或 pdf"}),
        ({"period_start": "2026-13-01"}, {"period_start": "日期格式不正确（应为 YYYY-MM-DD）"}),
        ({"period_start": ""}, {"period_start": "请填写日期"}),
        (
            {"period_start": (today() + timedelta(days=1)).isoformat(), "kind": "day"},
            {"period_start": "不能生成尚未开始的周期的报表"},
        ),
        (
            {"period_start": (today() + timedelta(days=40)).isoformat()},
            {"period_start": "不能生成尚未开始的周期的报表"},
        ),
    ],
)
def test_bad_input_gives_chinese_field_errors_and_stores_nothing(world, api, change, fields):
    response = _post(api("street"), {**_payload("440704001"), **change})
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid" and answer["message"] == actions.INVALID
    assert answer["fields"] == {k: [v] for k, v in fields.items()}
    assert not Report.objects.exists()
    assert not AuditEntry.objects.filter(action="reports.request").exists()


def test_every_field_is_checked_at_once(world, api):
    response = _post(api("street"), {})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"node", "kind", "period_start", "format"}


def test_a_period_is_normalised_and_a_running_one_is_cut_at_today(world, api):
    day = today()
    report = ok(_post(api("street"), _payload("440704001", kind="week")), 201)
    assert report["period_start"] == (day - timedelta(days=day.weekday())).isoformat()
    assert report["period_end"] == day.isoformat()
    old = day.replace(day=1) - timedelta(days=20)
    report = ok(_post(api("street"), _payload("440704001", period_start=old.isoformat())), 201)
    assert report["period_start"] == old.replace(day=1).isoformat()
    assert report["period_end"] == (day.replace(day=1) - timedelta(days=1)).isoformat()
    entry = AuditEntry.objects.filter(action="reports.request").latest("pk")
    assert entry.region_code == "440704001"


def test_the_same_request_still_queued_answers_with_that_report(world, api):
    first = ok(_post(api("street"), _payload("440704001")), 201)
    again = ok(_post(api("street"), _payload("440704001")), 201)
    assert first["id"] == again["id"]
    assert Report.objects.count() == 1


def test_a_request_is_generated_by_the_task_after_the_commit(
    world, api, immediate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = ok(_post(api("street"), _payload("440704001", format="pdf")), 201)
    assert Report.objects.get(pk=report["id"]).state == "done"


def test_a_failed_report_can_be_retried(world, api, run_queued, monkeypatch):
    report = ok(_post(api("street"), _payload("440704001")), 201)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("wangge.reports.xlsx.render", broken)
    run_queued()
    failed = ok(api("street").get(f"{URL}/{report['id']}"))
    assert failed["state"] == "failed" and failed["error"] == "生成报表时出错，可重试"
    assert api("street").get(f"{URL}/{report['id']}/download").status_code == 409
    monkeypatch.undo()
    again = ok(api("street").post(f"{URL}/{report['id']}/retry"))
    assert again["state"] == "queued"
    assert api("street").post(f"{URL}/{report['id']}/retry").status_code == 422
    run_queued()
    assert ok(api("street").get(f"{URL}/{report['id']}"))["state"] == "done"


def test_a_report_whose_worker_died_can_be_retried(world, api, run_queued):
    from django.utils import timezone

    report = ok(_post(api("street"), _payload("440704001")), 201)
    started = timezone.now() - actions.STALE_AFTER
    Report.objects.filter(pk=report["id"]).update(state="running", started_at=started)
    assert api("street").post(f"{URL}/{report['id']}/retry").status_code == 200
    run_queued()
    assert ok(api("street").get(f"{URL}/{report['id']}"))["state"] == "done"
    Report.objects.filter(pk=report["id"]).update(state="running", started_at=timezone.now())
    assert api("street").post(f"{URL}/{report['id']}/retry").status_code == 422
