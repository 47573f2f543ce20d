from __future__ import annotations

from wangge.reports.demo import seed_demo
from wangge.reports.models import Report, ReportSchedule


def test_the_demo_schedules_and_generates_the_district_reports(world):
    line = seed_demo("440704", seed=1)
    assert "已生成 3 份" in line
    assert ReportSchedule.objects.filter(node="440704", is_active=True).count() == 2
    assert set(Report.objects.values_list("state", flat=True)) == {"done"}
    assert "已生成 0 份" in seed_demo("440704", seed=1)  # again: nothing new
    assert Report.objects.count() == 3
