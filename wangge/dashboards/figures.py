"""What each dashboard figure counts, defined once for the three places that compute it.

An event contributes a vector of **counters** (mostly 0/1 flags, plus summed
microseconds for the two mean times) to the figures of the day it was
reported.  The same definitions are written three ways, and the tests hold
them equal to ``wangge.events.stats`` (docs/metrics.md):

* ``contribution(event, visit)`` — in Python, for one event (the incremental path);
* ``contribution_expressions()`` — as ORM expressions, for ``INSERT … SELECT`` (the rebuild);
* ``FIGURE_FILTERS`` — as ``Q`` on events, for the list of events behind a number.

``derive(counters)`` turns summed counters into the figures and rates of
``wangge.events.stats.event_figures`` (without the ``by_*`` breakdowns).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import Func
from django.db.models.fields import BigIntegerField
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.events.choices import EventSource, EventState, HandlingLevel, Satisfaction
from wangge.events.models import Event, ReturnVisit

#: Every counter, in the column order of both aggregate tables.
COUNTERS: tuple[str, ...] = (
    "reported",
    "registered",
    "handled",
    "handled_on_time",
    "closed",
    "reworked",
    "overdue",
    "self_handled",
    "dispatched",
    "responded",
    "visited",
    "satisfied",
    "return_visits",
    "rv_contacted",
    "rv_solved",
    "rv_satisfied",
    "rv_rated",
    "accept_n",
    "accept_us",
    "handle_n",
    "handle_us",
)
#: Counters that sum microseconds rather than count events.
DURATIONS = frozenset({"accept_us", "handle_us"})

#: The breakdowns: a column of the per-event table and a ``dim`` of the tally table each.
DIMENSIONS: tuple[str, ...] = (
    "category",
    "subcategory",
    "source",
    "department",
    "state",
    "level",
)

SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)

_handled = Q(handled_at__isnull=False)
_accepted = Q(accepted_at__isnull=False, dispatched_at__isnull=False)

#: Counters that count events, as a condition on ``events.Event`` (docs/metrics.md).
FIGURE_FILTERS: dict[str, Q] = {
    "reported": Q(),
    "registered": Q(registered_at__isnull=False),
    "handled": _handled,
    "handled_on_time": _handled & (Q(handle_due__isnull=True) | Q(handled_at__lte=F("handle_due"))),
    "closed": Q(state=EventState.CLOSED),
    "reworked": Q(rework_count__gt=0),
    "overdue": Q(overdue=True),
    "self_handled": Q(self_handled=True),
    "dispatched": Q(dispatched_at__isnull=False),
    "responded": _accepted & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due"))),
    "visited": ~Q(satisfaction=""),
    "satisfied": Q(satisfaction__in=SATISFIED),
    "return_visits": Q(return_visit__isnull=False),
    "rv_contacted": Q(return_visit__contacted=True),
    "rv_solved": Q(return_visit__contacted=True, return_visit__solved=True),
    "rv_satisfied": Q(return_visit__contacted=True, return_visit__satisfaction__in=SATISFIED),
    "rv_rated": Q(return_visit__contacted=True) & ~Q(return_visit__satisfaction=""),
    "accept_n": _accepted & Q(forced=False),
    "handle_n": Q(handled_at__isnull=False, accepted_at__isnull=False),
}

#: Names of the figures users see (the drill-down list says which one it shows).
FIGURE_LABELS: dict[str, Promise] = {
    "reported": _("Reported events"),
    "registered": _("Registered events"),
    "handled": _("Handled events"),
    "handled_on_time": _("Handled on time"),
    "closed": _("Closed events"),
    "reworked": _("Reworked events"),
    "overdue": _("Overdue events"),
    "self_handled": _("Handled on the spot"),
    "dispatched": _("Dispatched events"),
    "responded": _("Accepted in time"),
    "visited": _("Rated by the reporter"),
    "satisfied": _("Satisfied"),
    "return_visits": _("Return visits"),
    "rv_contacted": _("Reporter reached"),
    "rv_solved": _("Reached and solved"),
    "rv_satisfied": _("Reached and satisfied"),
    "rv_rated": _("Reached and rated"),
    "accept_n": _("Accepted (not forced)"),
    "handle_n": _("Accepted and handled"),
}

DIMENSION_LABELS: dict[str, Promise] = {
    "category": _("Category"),
    "subcategory": _("Sub-category"),
    "source": _("Source"),
    "department": _("Department"),
    "state": _("State"),
    "level": _("Handling level"),
}

#: Labels of the fixed dimension values (categories and departments are looked up).
VALUE_LABELS: dict[str, type[EventSource | EventState | HandlingLevel]] = {
    "source": EventSource,
    "state": EventState,
    "level": HandlingLevel,
}


def value_labels(dim: str) -> dict[str, str]:
    """Labels of a fixed dimension's values, in the active language."""
    choices = VALUE_LABELS.get(dim)
    return {str(k): str(v) for k, v in choices.choices} if choices is not None else {}


ONE_US = timedelta(microseconds=1)


# --- one event, in Python -------------------------------------------------------------


def _us(end: Any, start: Any) -> int:
    delta: timedelta = end - start
    return delta // ONE_US


def contribution(event: Event | Any, visit: ReturnVisit | Any | None) -> dict[str, int]:
    """The counters ``event`` (with its return visit, if any) adds to its reporting day.

    Anything with the fields' attributes will do (an ``Event`` or a row of its values)."""
    handled = event.handled_at is not None
    accepted = event.accepted_at is not None and event.dispatched_at is not None
    contacted = visit is not None and visit.contacted
    accept_n = accepted and not event.forced
    handle_n = handled and event.accepted_at is not None
    return {
        "reported": 1,
        "registered": int(event.registered_at is not None),
        "handled": int(handled),
        "handled_on_time": int(
            handled
            and (
                event.handle_due is None
                or (event.handled_at is not None and event.handled_at <= event.handle_due)
            )
        ),
        "closed": int(event.state == EventState.CLOSED),
        "reworked": int(event.rework_count > 0),
        "overdue": int(bool(event.overdue)),
        "self_handled": int(bool(event.self_handled)),
        "dispatched": int(event.dispatched_at is not None),
        "responded": int(
            accepted
            and (
                event.accept_due is None
                or (event.accepted_at is not None and event.accepted_at <= event.accept_due)
            )
        ),
        "visited": int(event.satisfaction != ""),
        "satisfied": int(event.satisfaction in SATISFIED),
        "return_visits": int(visit is not None),
        "rv_contacted": int(contacted),
        "rv_solved": int(contacted and visit is not None and visit.solved),
        "rv_satisfied": int(contacted and visit is not None and visit.satisfaction in SATISFIED),
        "rv_rated": int(contacted and visit is not None and visit.satisfaction != ""),
        "accept_n": int(accept_n),
        "accept_us": _us(event.accepted_at, event.dispatched_at) if accept_n else 0,
        "handle_n": int(handle_n),
        "handle_us": _us(event.handled_at, event.accepted_at) if handle_n else 0,
    }


# --- many events, in SQL ----------------------------------------------------------------


class Microseconds(Func):
    """Whole microseconds from ``start`` to ``end`` (``end - start``), as a big integer."""

    output_field = BigIntegerField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def _parts(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return end, start, (*end_params, *start_params)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        raise NotImplementedError(f"Microseconds is not written for {connection.vendor}")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._parts(compiler)
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000) AS bigint)", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._parts(compiler)
        # Django's own SQLite function behind ``DateTimeField - DateTimeField``: microseconds.
        return f"django_timestamp_diff({end}, {start})", params


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def contribution_expressions() -> dict[str, Any]:
    """The counters of ``contribution`` as expressions over ``events.Event`` rows."""
    exprs: dict[str, Any] = {name: _flag(q) for name, q in FIGURE_FILTERS.items() if q}
    exprs["reported"] = Value(1, output_field=IntegerField())
    exprs["accept_us"] = Case(
        When(FIGURE_FILTERS["accept_n"], then=Microseconds(F("accepted_at"), F("dispatched_at"))),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    exprs["handle_us"] = Case(
        When(FIGURE_FILTERS["handle_n"], then=Microseconds(F("handled_at"), F("accepted_at"))),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    return {name: exprs[name] for name in COUNTERS}


# --- summed counters → figures -----------------------------------------------------------


def zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(microseconds: int, n: int) -> float | None:
    return round(microseconds / n / 3_600_000_000, 2) if n else None


def derive(c: Mapping[str, int]) -> dict[str, Any]:
    """The figures of ``wangge.events.stats.event_figures`` (no ``by_*``) from summed counters."""
    three: dict[str, float | None] = {
        "response_rate": rate(c["rv_contacted"], c["return_visits"]),
        "solve_rate": rate(c["rv_solved"], c["rv_contacted"]),
        "satisfaction_rate": rate(c["rv_satisfied"], c["rv_rated"]),
    }
    weights = settings.THREE_RATE_WEIGHTS
    score = None
    if all(value is not None for value in three.values()):
        score = round(sum(weights[k] * (three[k] or 0.0) for k in weights) * 100, 2)
    counts = (
        "reported",
        "registered",
        "handled",
        "handled_on_time",
        "closed",
        "reworked",
        "overdue",
        "self_handled",
        "dispatched",
        "responded",
    )
    return {
        **{name: int(c[name]) for name in counts},
        "handling_rate": rate(c["handled"], c["registered"]),
        "on_time_rate": rate(c["handled_on_time"], c["handled"]),
        "closure_rate": rate(c["closed"], c["registered"]),
        "rework_rate": rate(c["reworked"], c["handled"]),
        "self_handled_rate": rate(c["self_handled"], c["reported"]),
        "satisfaction_rate": rate(c["satisfied"], c["visited"]),
        "dept_response_rate": rate(c["responded"], c["dispatched"]),
        "return_visits": int(c["return_visits"]),
        "three_rates": {**three, "score": score, "weights": dict(weights)},
        "avg_accept_hours": _hours(c["accept_us"], c["accept_n"]),
        "avg_handle_hours": _hours(c["handle_us"], c["handle_n"]),
    }
