"""Background work of the reports, run by the configured task backend (``wangge db_worker``).

``generate_report_task`` builds one report's file; ``run_schedules_task`` creates the
reports the schedules owe (``wangge reports_worker --once --enqueue`` puts it on the
queue from cron).
"""

from __future__ import annotations

from django.tasks import task

from wangge.reports.actions import generate_report, run_schedules


@task()
def generate_report_task(report_id: int) -> dict[str, object]:
    report = generate_report(report_id)
    if report is None:
        return {"report_id": report_id, "state": "skipped"}
    return {"report_id": report.pk, "state": report.state, "size": report.size}


@task()
def run_schedules_task(district: str | None = None) -> dict[str, int]:
    return run_schedules(district=district).as_dict()
