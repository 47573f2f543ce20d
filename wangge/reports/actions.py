"""Writes of the reports app: ask for a report, generate it, schedules and their runs.

``do_request_report`` checks that the user opens the node's dashboard, stores the
report ``queued`` and puts ``generate_report_task`` on the queue after the commit;
the task's ``generate_report`` builds the file.  ``run_schedules`` (the
``reports_worker`` command, or its task) creates the reports of every completed
period a schedule still owes: once per schedule, period and format, whatever the
number of workers running it (a unique constraint).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.scope import prefix_q, scope_for
from wangge.audit.actions import record
from wangge.dashboards.selectors import PERMISSION, Node, dashboard_roots, get_node_for_user
from wangge.lib import codes
from wangge.lib.errors import Refusal
from wangge.lib.language import data_language, in_data_language
from wangge.reports import content, periods
from wangge.reports.choices import PeriodKind, ReportFormat, ReportState
from wangge.reports.models import FAILED, INTERRUPTED, NODE_GONE, Report, ReportSchedule

logger = logging.getLogger(__name__)

INVALID = gettext_lazy("Invalid input: please check the fields")
FORBIDDEN = gettext_lazy("You may not generate statistical reports")
NO_NODE = gettext_lazy("Region not found, or you may not see it")
#: A report generating for longer than this has lost its worker and may be retried.
STALE_AFTER = timedelta(minutes=30)


class ReportError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""

    def __init__(
        self,
        message: str | Promise = INVALID,
        fields: Mapping[str, str | Promise] | None = None,
        *,
        status: int = 422,
        code: str = "invalid",
    ) -> None:
        super().__init__(message, fields)
        self.status = status
        self.code = code


# --- checks -------------------------------------------------------------------------------


def _forbid_without_dashboards(actor: Any) -> None:
    if dashboard_roots(actor) == []:
        raise ReportError(FORBIDDEN, status=403, code="forbidden")


def _node(actor: Any, value: Any, errors: dict[str, str]) -> Node | None:
    """The node ``value`` if the actor opens its dashboard; unknown and out of scope answer
    the same."""
    code = str(value or "").strip()
    if not code:
        errors["node"] = _("Please choose a region")
        return None
    if not codes.is_valid(code):
        errors["node"] = str(NO_NODE)
        return None
    try:
        return get_node_for_user(actor, code)
    except Http404:
        errors["node"] = str(NO_NODE)
        return None


def _kind(value: Any, errors: dict[str, str]) -> str | None:
    kind = str(value or "").strip()
    if kind not in PeriodKind.values:
        errors["kind"] = (
            _("Please choose a daily, weekly or monthly report")
            if not kind
            else _("Unknown report period")
        )
        return None
    return kind


def _format(value: Any, errors: dict[str, str], field: str = "format") -> str | None:
    fmt = str(value or "").strip().lower()
    if fmt not in ReportFormat.values:
        errors[field] = (
            _("Please choose a file format")
            if not fmt
            else _("The file format can only be xlsx or pdf")
        )
        return None
    return fmt


def _day(value: Any, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        errors["period_start"] = _("Please enter the date")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors["period_start"] = _("The date is not in a valid format (YYYY-MM-DD)")
        return None


# --- one report ---------------------------------------------------------------------------


def _enqueue(report: Report) -> None:
    from wangge.reports.tasks import generate_report_task

    transaction.on_commit(partial(generate_report_task.enqueue, report.pk))


def do_request_report(
    *,
    actor: Any,
    node: Any,
    kind: Any,
    period_start: Any,
    fmt: Any,
    today: date | None = None,
) -> Report:
    """Ask for the ``kind`` report (day, week, month) of ``node`` for the period holding
    ``period_start``, as ``fmt``.  A period not over yet is reported up to today; one that
    has not begun is refused.  The same request still queued answers with that report."""
    _forbid_without_dashboards(actor)
    today = today or periods.today()
    errors: dict[str, str] = {}
    found = _node(actor, node, errors)
    period_kind = _kind(kind, errors)
    file_format = _format(fmt, errors)
    day = _day(period_start, errors)
    start = end = None
    if day is not None and period_kind is not None:
        start = periods.period_start(period_kind, day)
        if start > today:
            errors["period_start"] = _("No report can be generated for a period that has not begun")
        else:
            end = min(periods.period_end(period_kind, start), today)
    if errors or found is None or period_kind is None or file_format is None or end is None:
        raise ReportError(INVALID, errors)
    if start is None:  # pragma: no cover - set whenever end is
        raise ReportError(INVALID, errors)
    with transaction.atomic():
        same = Report.objects.filter(
            node=found.code,
            kind=period_kind,
            period_start=start,
            period_end=end,
            format=file_format,
            requested_by_id=actor.pk,
            state__in=(ReportState.QUEUED, ReportState.RUNNING),
        ).first()
        if same is not None:
            return same
        report = Report.objects.create(
            node=found.code,
            node_name=found.name[:100],
            kind=period_kind,
            period_start=start,
            period_end=end,
            format=file_format,
            requested_by=actor,
        )
        record(
            "reports.request",
            actor=actor,
            obj=report,
            region_code=found.code,
            after={
                "node": found.code,
                "kind": period_kind,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "format": file_format,
            },
        )
        _enqueue(report)
    return report


def can_retry(report: Report, now: datetime | None = None) -> bool:
    """Failed, or generating for longer than ``STALE_AFTER`` (its worker died)."""
    if report.state == ReportState.FAILED:
        return True
    now = now or timezone.now()
    return (
        report.state == ReportState.RUNNING
        and report.started_at is not None
        and report.started_at < now - STALE_AFTER
    )


def do_retry_report(report: Report, *, actor: Any, now: datetime | None = None) -> Report:
    """Queue a failed report (or one whose worker died) again."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = Q(state=ReportState.RUNNING, started_at__lt=now - STALE_AFTER)
        updated = (
            Report.objects.filter(pk=report.pk)
            .filter(Q(state=ReportState.FAILED) | stale)
            .update(state=ReportState.QUEUED, error="", started_at=None, finished_at=None)
        )
        if updated != 1:
            message = _(
                "Only reports that failed (or have been generating for a long time) can be retried"
            )
            raise ReportError(message, {"state": message})
        record("reports.retry", actor=actor, obj=report, region_code=report.node)
        _enqueue(report)
    report.refresh_from_db()
    return report


def render(report: Report) -> bytes:
    """The file of ``report`` as it would be generated now: a Chinese document (the labels of
    sources and the like too), whoever asked for it and whatever their language."""
    from wangge.reports import pdf, xlsx

    node = content.node_of(report.node)
    if node is None:
        raise LookupError(report.node)
    natural_end = periods.period_end(report.kind, report.period_start)
    with data_language():
        built = content.build(
            node,
            report.kind,
            report.period_start,
            report.period_end,
            partial=report.period_end < natural_end,
        )
        return xlsx.render(built) if report.format == ReportFormat.XLSX else pdf.render(built)


def generate_report(report_id: int) -> Report | None:
    """Build the file of a queued report (what the task runs); None if it is not queued."""
    claimed = Report.objects.filter(pk=report_id, state=ReportState.QUEUED).update(
        state=ReportState.RUNNING, started_at=timezone.now(), error=""
    )
    if claimed != 1:
        logger.info("report %s: not queued, skipped", report_id)
        return None
    report = Report.objects.get(pk=report_id)
    try:
        data = render(report)
        name = (
            f"{report.node}-{report.kind}-{report.period_start:%Y%m%d}-{report.pk}.{report.format}"
        )
        report.file.save(name, ContentFile(data), save=False)
    except LookupError:
        _finish(report, ReportState.FAILED, error=in_data_language(NODE_GONE))
    except Exception:
        logger.exception("report %s failed", report_id)
        _finish(report, ReportState.FAILED, error=in_data_language(FAILED))
    else:
        _finish(report, ReportState.DONE, file=report.file.name, size=len(data))
    report.refresh_from_db()
    return report


def _finish(report: Report, state: str, **fields: Any) -> None:
    Report.objects.filter(pk=report.pk, state=ReportState.RUNNING).update(
        state=state, finished_at=timezone.now(), **fields
    )


# --- schedules ----------------------------------------------------------------------------


def do_create_schedule(*, actor: Any, node: Any, kind: Any, formats: Any) -> ReportSchedule:
    """Produce the ``kind`` report of ``node`` for every completed period, as ``formats``."""
    _forbid_without_dashboards(actor)
    errors: dict[str, str] = {}
    found = _node(actor, node, errors)
    period_kind = _kind(kind, errors)
    wanted = [formats] if isinstance(formats, str) else list(formats or [])
    chosen: list[str] = []
    for value in wanted:
        fmt = _format(value, errors, "formats")
        if fmt is not None and fmt not in chosen:
            chosen.append(fmt)
    if not chosen and "formats" not in errors:
        errors["formats"] = _("Please choose at least one file format")
    if found is not None and period_kind is not None:
        if ReportSchedule.objects.filter(
            node=found.code, kind=period_kind, is_active=True
        ).exists():
            errors["kind"] = _("This region already has a scheduled report of the same period")
    if errors or found is None or period_kind is None:
        raise ReportError(INVALID, errors)
    with transaction.atomic():
        schedule = ReportSchedule.objects.create(
            node=found.code,
            node_name=found.name[:100],
            kind=period_kind,
            formats=",".join(sorted(chosen)),
            created_by=actor,
        )
        record(
            "reports.schedule_create",
            actor=actor,
            obj=schedule,
            region_code=found.code,
            after={"node": found.code, "kind": period_kind, "formats": schedule.formats},
        )
    return schedule


def do_deactivate_schedule(schedule: ReportSchedule, *, actor: Any) -> ReportSchedule:
    if not schedule.is_active:
        return schedule
    with transaction.atomic():
        ReportSchedule.objects.filter(pk=schedule.pk).update(is_active=False)
        record(
            "reports.schedule_deactivate",
            actor=actor,
            obj=schedule,
            region_code=schedule.node,
            before={"is_active": True},
            after={"is_active": False},
        )
    schedule.refresh_from_db()
    return schedule


@dataclass
class RunResult:
    schedules: int = 0
    created: int = 0
    deactivated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "schedules": self.schedules,
            "created": self.created,
            "deactivated": self.deactivated,
        }


def _create_scheduled(schedule: ReportSchedule, start: date, fmt: str) -> bool:
    try:
        with transaction.atomic():
            report = Report.objects.create(
                node=schedule.node,
                node_name=schedule.node_name,
                kind=schedule.kind,
                period_start=start,
                period_end=periods.period_end(schedule.kind, start),
                format=fmt,
                schedule=schedule,
            )
            _enqueue(report)
    except IntegrityError:
        return False  # another run made it
    return True


def run_schedules(*, today: date | None = None, district: str | None = None) -> RunResult:
    """Create (and queue) the reports the active schedules owe for completed periods.

    A schedule whose creator no longer opens the node's dashboard is deactivated."""
    today = today or periods.today()
    result = RunResult()
    qs = ReportSchedule.objects.filter(is_active=True).select_related("created_by")
    if district:
        qs = qs.filter(prefix_q("node", [district]))
    for schedule in qs.order_by("pk"):
        creator = schedule.created_by
        if creator is not None and not scope_for(creator).can(PERMISSION, schedule.node):
            do_deactivate_schedule(schedule, actor=None)
            result.deactivated += 1
            continue
        result.schedules += 1
        starts = periods.due_periods(schedule.kind, schedule.last_run_period, today)
        for start in starts:
            for fmt in schedule.format_list:
                result.created += _create_scheduled(schedule, start, fmt)
        if starts:
            ReportSchedule.objects.filter(pk=schedule.pk).filter(
                Q(last_run_period__isnull=True) | Q(last_run_period__lt=starts[-1])
            ).update(last_run_period=starts[-1])
    return result


# --- housekeeping -------------------------------------------------------------------------


def keep_days() -> int:
    """How long generated reports are kept (``WANGGE_REPORT_KEEP_DAYS``, default 400)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "WANGGE_REPORT_KEEP_DAYS", 400)))


def housekeeping(*, now: datetime | None = None) -> dict[str, int]:
    """The nightly job: a report ``running`` for longer than ``STALE_AFTER`` is marked failed
    (its worker died; the retry button queues it again — not automatically, so a report
    that kills its worker does not do so every night), and reports older than
    ``keep_days()`` are deleted with their files."""
    now = now or timezone.now()
    interrupted = Report.objects.filter(
        state=ReportState.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(state=ReportState.FAILED, error=in_data_language(INTERRUPTED), finished_at=now)
    deleted = 0
    old = Report.objects.filter(created_at__lt=now - timedelta(days=keep_days())).exclude(
        state__in=(ReportState.QUEUED, ReportState.RUNNING)
    )
    for report in old.order_by("pk").iterator(chunk_size=500):
        if report.file:
            report.file.delete(save=False)
        report.delete()
        deleted += 1
    return {"interrupted": interrupted, "deleted": deleted}
