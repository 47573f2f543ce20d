"""Event figures (see docs/metrics.md for the definitions); callers pass a scoped queryset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from wangge.events.choices import EventState, Satisfaction
from wangge.events.models import Event


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 2)
    # Some backends answer an average of durations in microseconds.
    return round(float(value) / 3_600_000_000, 2)


def event_figures(qs: QuerySet[Event]) -> dict[str, Any]:
    handled = Q(handled_at__isnull=False)
    on_time = handled & (Q(handle_due__isnull=True) | Q(handled_at__lte=F("handle_due")))
    figures = qs.aggregate(
        reported=Count("id"),
        registered=Count("id", filter=Q(registered_at__isnull=False)),
        handled=Count("id", filter=handled),
        handled_on_time=Count("id", filter=on_time),
        closed=Count("id", filter=Q(state=EventState.CLOSED)),
        reworked=Count("id", filter=Q(rework_count__gt=0)),
        overdue=Count("id", filter=Q(overdue=True)),
        self_handled=Count("id", filter=Q(self_handled=True)),
        visited=Count("id", filter=~Q(satisfaction="")),
        dispatched=Count("id", filter=Q(dispatched_at__isnull=False)),
        responded=Count(
            "id",
            filter=Q(accepted_at__isnull=False, dispatched_at__isnull=False)
            & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due"))),
        ),
        return_visits=Count("return_visit"),
        rv_contacted=Count("return_visit", filter=Q(return_visit__contacted=True)),
        rv_solved=Count(
            "return_visit", filter=Q(return_visit__contacted=True, return_visit__solved=True)
        ),
        rv_satisfied=Count(
            "return_visit",
            filter=Q(
                return_visit__contacted=True,
                return_visit__satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY],
            ),
        ),
        rv_rated=Count(
            "return_visit",
            filter=Q(return_visit__contacted=True) & ~Q(return_visit__satisfaction=""),
        ),
        satisfied=Count(
            "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
        ),
    )
    durations = qs.aggregate(
        accept=Avg(
            ExpressionWrapper(F("accepted_at") - F("dispatched_at"), output_field=DurationField()),
            filter=Q(accepted_at__isnull=False, dispatched_at__isnull=False, forced=False),
        ),
        handle=Avg(
            ExpressionWrapper(F("handled_at") - F("accepted_at"), output_field=DurationField()),
            filter=Q(handled_at__isnull=False, accepted_at__isnull=False),
        ),
    )
    visited = figures.pop("visited")
    satisfied = figures.pop("satisfied")
    visits = figures.pop("return_visits")
    contacted = figures.pop("rv_contacted")
    solved = figures.pop("rv_solved")
    rv_satisfied = figures.pop("rv_satisfied")
    rated = figures.pop("rv_rated")
    three = {
        "response_rate": _rate(contacted, visits),
        "solve_rate": _rate(solved, contacted),
        "satisfaction_rate": _rate(rv_satisfied, rated),
    }
    weights = settings.THREE_RATE_WEIGHTS
    score = None
    if all(value is not None for value in three.values()):
        score = round(sum(weights[k] * (three[k] or 0.0) for k in weights) * 100, 2)

    def grouped(field: str) -> dict[str, int]:
        rows = qs.order_by().values(field).annotate(n=Count("id"))
        return {str(row[field]): row["n"] for row in rows if row[field] is not None}

    return {
        **figures,
        "handling_rate": _rate(figures["handled"], figures["registered"]),
        "on_time_rate": _rate(figures["handled_on_time"], figures["handled"]),
        "closure_rate": _rate(figures["closed"], figures["registered"]),
        "rework_rate": _rate(figures["reworked"], figures["handled"]),
        "self_handled_rate": _rate(figures["self_handled"], figures["reported"]),
        "satisfaction_rate": _rate(satisfied, visited),
        "dept_response_rate": _rate(figures["responded"], figures["dispatched"]),
        "return_visits": visits,
        "three_rates": {**three, "score": score, "weights": dict(weights)},
        "avg_accept_hours": _hours(durations["accept"]),
        "avg_handle_hours": _hours(durations["handle"]),
        "by_state": grouped("state"),
        "by_category": grouped("category__parent__code"),
        "by_source": grouped("source"),
        "by_department": grouped("current_department__code"),
    }
