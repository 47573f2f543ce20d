"""Sample reports and schedules for tests that walk every endpoint
(``/reports/{periodic_report_id}``, ``/reports/schedules/{schedule_id}``)."""

from __future__ import annotations

from wangge.reports.actions import generate_report
from wangge.reports.choices import PeriodKind, ReportFormat
from wangge.reports.models import Report, ReportSchedule
from wangge.reports.periods import last_completed, period_end, today
from wangge.testing import GRID_A, GRID_B, World

#: (node, name) of the sample reports: street 1, street 2, grid A, grid B, the other district.
SAMPLE_NODES = (
    ("440704001", "东街道"),
    ("440704002", "西镇"),
    (GRID_A, "东一网格"),
    (GRID_B, "西一网格"),
    ("440703", "邻区"),
)


def sample_reports(world: World) -> list[int]:
    """A finished .xlsx monthly report of each sample node; made once."""
    existing = list(
        Report.objects.filter(node__in=[n for n, _ in SAMPLE_NODES], schedule__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if existing:
        return existing
    start = last_completed(PeriodKind.MONTH, today())
    ids = []
    for node, name in SAMPLE_NODES:
        report = Report.objects.create(
            node=node,
            node_name=name,
            kind=PeriodKind.MONTH,
            period_start=start,
            period_end=period_end(PeriodKind.MONTH, start),
            format=ReportFormat.XLSX,
        )
        generate_report(report.pk)
        ids.append(report.pk)
    return ids


def sample_schedules(world: World) -> list[int]:
    """A weekly schedule of each sample node; made once."""
    existing = list(ReportSchedule.objects.order_by("pk").values_list("pk", flat=True))
    if existing:
        return existing
    return [
        ReportSchedule.objects.create(node=node, node_name=name, kind=PeriodKind.WEEK).pk
        for node, name in SAMPLE_NODES
    ]
