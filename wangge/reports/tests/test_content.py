"""The files: an .xlsx that agrees with the dashboard, a PDF with the Chinese font."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from wangge.reports.content import TOTAL_ZH
from wangge.reports.models import Report
from wangge.reports.periods import today

from .conftest import body, ok, workbook

OVERVIEW = {"上报数": "reported", "立案数": "registered", "办结数": "handled", "结案数": "closed"}


def _request(client: Client, node: str, fmt: str = "xlsx", kind: str = "month") -> dict[str, Any]:
    payload = {"node": node, "kind": kind, "period_start": today().isoformat(), "format": fmt}
    return ok(client.post("/api/v1/reports", payload, content_type="application/json"), 201)


def _summary(client: Client, report: dict[str, Any]) -> dict[str, Any]:
    return ok(
        client.get(
            "/api/v1/dashboards/summary",
            {
                "under": report["node"],
                "since": report["period_start"],
                "until": report["period_end"],
            },
        )
    )


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]


def _overview(wb: Any) -> dict[str, Any]:
    return {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=8, values_only=True) if row[0]}


def test_an_xlsx_report_opens_and_its_totals_equal_the_dashboard(story, api, run_queued):
    for username, node, children in (
        ("street", "440704001", "440704001"),
        ("district", "440704", "440704"),
        ("community", "440704001001", "440704001001"),
    ):
        client = api(username)
        report = _request(client, node)
        assert report["state"] == "queued" and report["download_url"] is None
        run_queued()
        report = ok(client.get(f"/api/v1/reports/{report['id']}"))
        assert report["state"] == "done", report
        assert report["size"] > 0
        wb = workbook(client.get(report["download_url"]))
        summary = _summary(client, report)
        assert summary["reported"] > 0, "the period holds the story's events"
        figures = _overview(wb)
        for label, key in OVERVIEW.items():
            assert figures[label] == summary[key], (username, label)
        assert figures["办结率"] == summary["handling_rate"]
        assert figures["超期数"] == summary["overdue"]

        categories = _rows(wb["分类"])
        *per_category, total = categories
        assert total[0] == TOTAL_ZH
        assert sum(r[1] for r in per_category) == summary["reported"] == total[1]
        assert sum(r[2] for r in per_category) == summary["registered"] == total[2]
        by_category = dict(summary["by_category"])
        assert sorted(r[1] for r in per_category) == sorted(by_category.values())

        *per_source, source_total = _rows(wb["来源"])
        assert sum(r[1] for r in per_source) == summary["reported"] == source_total[1]

        *days, trend_total = _rows(wb["每日趋势"])
        assert (
            len(days)
            == (
                Report.objects.get(pk=report["id"]).period_end
                - Report.objects.get(pk=report["id"]).period_start
            ).days
            + 1
        )
        assert sum(r[1] for r in days) == summary["reported"] == trend_total[1]

        ranking = _rows(wb["下级排名"])
        assert ranking and all(r[2].startswith(children) for r in ranking)
        assert sum(r[3] for r in ranking) == summary["reported"]
        assert wb["分类"]._charts and wb["每日趋势"]._charts


def test_a_street_report_holds_no_child_of_another_street(story, api, run_queued):
    client = api("street")
    report = _request(client, "440704001")
    run_queued()
    wb = workbook(client.get(f"/api/v1/reports/{report['id']}/download"))
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    text = " ".join(cells)
    assert "440704002" not in text and "西村" not in text and "西镇" not in text
    assert "440703" not in text
    assert {r[2] for r in _rows(wb["下级排名"])} == {"440704001001"}


def test_a_report_asked_for_in_english_is_a_chinese_document(story, api, run_queued):
    from django.utils import translation

    from wangge.events.choices import EventSource

    client = api("street")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    report = _request(client, "440704001")
    with translation.override("en"):  # generated inline, in an English request
        run_queued()
    wb = workbook(client.get(f"/api/v1/reports/{report['id']}/download"))
    sources = {r[0] for r in _rows(wb["来源"])} - {TOTAL_ZH}
    with translation.override("zh-hans"):
        chinese = {str(label) for _value, label in EventSource.choices}
    assert sources and sources <= chinese


def test_a_pdf_report_is_a_pdf_with_pages_and_the_chinese_font(story, api, run_queued):
    client = api("district")
    report = _request(client, "440704", fmt="pdf")
    run_queued()
    response = client.get(f"/api/v1/reports/{report['id']}/download")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = body(response)
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s])", content)) >= 1
    assert b"STSong-Light" in content


def test_reports_of_a_node_without_events_and_of_a_grid_are_generated(world, api, run_queued):
    for username, node, fmt in (
        ("worker_a", "440704001001001", "pdf"),
        ("street", "440704001", "pdf"),
    ):
        report = _request(api(username), node, fmt=fmt, kind="day")
        run_queued()
        assert Report.objects.get(pk=report["id"]).state == "done"
    report = _request(api("worker_a"), "440704001001001", kind="week")
    run_queued()
    wb = workbook(api("worker_a").get(f"/api/v1/reports/{report['id']}/download"))
    assert "下级排名" not in wb.sheetnames  # a grid has no children ranked
    assert _overview(wb)["上报数"] == 0
