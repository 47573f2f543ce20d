"""The reports' demo: the district's monthly and weekly schedules and their last reports.

Seeded after the dashboards (the reports read their aggregates).  The files of the
last completed month and week are generated here, so the list has something to
download before the task worker first runs.
"""

from __future__ import annotations

from wangge.regions.models import Region
from wangge.reports.actions import generate_report, run_schedules
from wangge.reports.choices import PeriodKind, ReportState
from wangge.reports.models import Report, ReportSchedule


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    district = Region.objects.filter(code=district_code).values_list("name", flat=True).first()
    if district is None:
        return "统计报表：没有该区"
    for kind, formats in ((PeriodKind.MONTH, "pdf,xlsx"), (PeriodKind.WEEK, "xlsx")):
        ReportSchedule.objects.get_or_create(
            node=district_code,
            kind=kind,
            is_active=True,
            defaults={"node_name": district, "formats": formats},
        )
    run_schedules(district=district_code)
    queued = Report.objects.filter(
        node=district_code, schedule__isnull=False, state=ReportState.QUEUED
    ).values_list("pk", flat=True)
    done = sum(1 for pk in list(queued) if generate_report(pk) is not None)
    return f"统计报表：{district}的月报、周报定时生成，已生成 {done} 份"
