"""Property: whatever happens to events, the dashboards say what the events table says.

Hypothesis reports random events (places, categories, sources, days) and walks each
through random transitions of the real actions — register, reject, dispatch, send
back, redispatch, force, summon, accept, extensions, feedback, parts, verify (pass
or fail), return visit, escalate, supervise — with the ``event_changed`` receivers
running after each step as after a commit, then flags overdue events.  Then, for
random nodes and periods, the aggregates' figures equal ``wangge.events.stats`` on
the raw events, and a rebuild from the events table leaves the aggregates as the
incremental path made them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wangge.accounts.scope import prefix_q
from wangge.dashboards import aggregates, queries, raw, selectors
from wangge.dashboards.figures import COUNTERS, derive
from wangge.dashboards.models import EventFact, Tally
from wangge.dashboards.periods import Period
from wangge.events import actions, stats
from wangge.events.choices import TRANSITIONS, EventAction, EventState, HandlingLevel
from wangge.events.models import Event, ExtensionRequest
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, World

#: Points in grid A (its two units), grid A2, grid B and the other district's grid.
POINTS = [(113.02, 22.05), (113.02, 22.15), (113.07, 22.05), (113.15, 22.05), (113.35, 22.05)]
#: Sub-categories: with and without a default department, and one not admitted (1602).
CATEGORIES = ["0601", "0101", "0701", "0901", "1101", "1501", "1602"]
SOURCES = ["grid_worker", "resident", "hotline", "department", "inspection"]
NODES = [
    "",
    "440704",
    "440704001",
    "440704002",
    "440704001001",
    "440704002001",
    GRID_A,
    GRID_A2,
    GRID_B,
    GRID_A + "001",
    GRID_A + "002",
    "440703",
    "440703001",
    GRID_OTHER,
]
DEPARTMENTS = ["cg", "sz", "zj", "xf"]

SKIPPED = {EventAction.REPORT, EventAction.OVERDUE}
#: Moves that take an event towards its end, preferred most of the time.
FORWARD = [
    EventAction.REGISTER,
    EventAction.DISPATCH,
    EventAction.ACCEPT,
    EventAction.FEEDBACK,
    EventAction.REPORT_IN,
    EventAction.COMPLETE_PART,
    EventAction.VERIFY,
    EventAction.RETURN_VISIT,
    EventAction.REDISPATCH,
]


@dataclass(frozen=True)
class Plan:
    point: tuple[float, float]
    category: str
    source: str
    days_ago: int
    hour: int
    moves: tuple[int, ...]


plans = st.builds(
    Plan,
    point=st.sampled_from(POINTS),
    category=st.sampled_from(CATEGORIES),
    source=st.sampled_from(SOURCES),
    days_ago=st.integers(0, 40),
    hour=st.integers(0, 23),
    moves=st.lists(st.integers(0, 10_000), max_size=12).map(tuple),
)
checks = st.lists(
    st.tuples(st.sampled_from(NODES), st.integers(0, 45), st.integers(0, 45)),
    min_size=1,
    max_size=4,
)


def _available(event: Event) -> list[str]:
    found = []
    for action, transition in TRANSITIONS.items():
        if action in SKIPPED or event.state not in transition.sources:
            continue
        if action == EventAction.RETURN_VISIT and event.visited_at is not None:
            continue
        if action == EventAction.ESCALATE and event.level == HandlingLevel.DISTRICT:
            continue
        found.append(str(action))
    return sorted(found)


def _move(event: Event, action: str, n: int) -> None:
    """One action on ``event`` by the system, its parameters drawn from ``n``."""
    dept = DEPARTMENTS[n % len(DEPARTMENTS)]
    a = actions
    if action == EventAction.SELF_HANDLE:
        a.do_self_handle_event(event, actor=None, note="现场处置")
    elif action == EventAction.REGISTER:
        a.do_register_event(event, actor=None, category=CATEGORIES[n % 3] if n % 4 == 0 else None)
    elif action == EventAction.REJECT:
        a.do_reject_event(event, actor=None, reason="重复")
    elif action == EventAction.DISPATCH:
        a.do_dispatch_event(event, actor=None, department=dept if n % 2 else None)
    elif action == EventAction.REDISPATCH:
        a.do_redispatch_event(event, actor=None, department=dept)
    elif action == EventAction.FORCE:
        a.do_force_event(event, actor=None, reason="裁定", department=dept if n % 2 else None)
    elif action == EventAction.SUMMON:
        a.do_summon_event(event, actor=None, departments=["cg", "sz"], note="吹哨")
    elif action == EventAction.ACCEPT:
        a.do_accept_event(event, actor=None)
    elif action == EventAction.SEND_BACK:
        a.do_send_back_event(event, actor=None, reason="非本部门职责")
    elif action == EventAction.REQUEST_EXTENSION:
        a.do_request_extension(event, actor=None, amount=1 + n % 3, reason="需要更多时间")
    elif action == EventAction.DECIDE_EXTENSION:
        pending = ExtensionRequest.objects.filter(event=event, state="pending").first()
        if pending is not None:
            a.do_decide_extension(event, actor=None, extension_id=pending.pk, approve=n % 2 == 0)
    elif action == EventAction.FEEDBACK:
        a.do_feedback_event(event, actor=None, note="已处置")
    elif action == EventAction.REPORT_IN:
        part = event.parts.filter(state="summoned").select_related("department").first()
        if part is not None:
            a.do_report_in_event(event, actor=None, department=part.department.code)
    elif action == EventAction.COMPLETE_PART:
        part = event.parts.filter(state="reported_in").select_related("department").first()
        if part is not None:
            a.do_complete_part_event(
                event, actor=None, note="本部门完成", department=part.department.code
            )
    elif action == EventAction.VERIFY:
        a.do_verify_event(event, actor=None, passed=n % 3 != 0, note="核查")
    elif action == EventAction.RETURN_VISIT:
        contacted = n % 4 != 0
        satisfaction = ["satisfied", "basically", "dissatisfied", ""][n % 4] if contacted else ""
        a.do_return_visit_event(
            event, actor=None, contacted=contacted, solved=n % 5 != 0, satisfaction=satisfaction
        )
    elif action == EventAction.ESCALATE:
        a.do_escalate_event(event, actor=None, reason="提级")
    elif action == EventAction.SUPERVISE:
        a.do_supervise_event(event, actor=None, note="督办")


def run_story(story: list[Plan], steps: Callable[..., Any], *, overdue_in: int | None) -> None:
    now = timezone.now()
    for i, plan in enumerate(story):
        reported = now.replace(hour=plan.hour, minute=i % 60) - timedelta(days=plan.days_ago)
        result = steps(
            actions.do_report_event,
            actor=None,
            category=plan.category,
            description=f"事件 {i}",
            lng=plan.point[0],
            lat=plan.point[1],
            source=plan.source,
            now=min(reported, now),
        )
        event_id = result.event.pk
        for n in plan.moves:
            event = Event.objects.select_related("category", "current_department").get(pk=event_id)
            available = _available(event)
            if not available:
                break
            forward = [a for a in FORWARD if a in available]
            action = forward[0] if forward and n % 10 < 6 else available[n % len(available)]
            try:
                steps(_move, event, action, n // 7)
            except actions.EventError:
                continue  # refused (not admitted, no default department…): try the next move
    if overdue_in is not None:
        steps(actions.mark_overdue, now + timedelta(days=overdue_in))


def raw_events(node: str, period: Period) -> Any:
    qs = Event.objects.filter(
        reported_at__gte=aggregates.day_start(period.start),
        reported_at__lt=aggregates.day_start(period.end + timedelta(days=1)),
    )
    return qs.filter(prefix_q("region_code", [node])) if node else qs


def check_node(node: str, period: Period) -> None:
    data = queries.dashboard_data(node, period)
    events = raw_events(node, period)
    assert selectors.figures_of(data) == stats.event_figures(events), (node, period)
    # The breakdowns stats.py has no figure for: sub-categories and handling levels.
    for dim, field in (("subcategory", "category__code"), ("level", "level")):
        expected = dict(events.order_by().values_list(field).annotate(n=Count("id")))
        assert {k: c["reported"] for k, c in data.breakdowns[dim].items()} == expected
    # Each day of the trend, each child of the ranking, each department: as stats.py says.
    for day, counters in data.days.items():
        one = raw_events(node, Period("custom", day, day))
        assert counters["reported"] == one.count()
        assert counters["handled"] == one.filter(handled_at__isnull=False).count()
    assert sum(c["reported"] for c in data.days.values()) == events.count()
    for child, counters in data.children.items():
        expected = stats.event_figures(raw_events(child, period))
        assert derive(counters) == {k: v for k, v in expected.items() if not k.startswith("by_")}
    for code, counters in data.breakdowns["department"].items():
        dept = (
            events.filter(current_department__code=code)
            if code
            else events.filter(current_department__isnull=True)
        )
        assert counters["reported"] == dept.count()
        assert counters["responded"] == stats.event_figures(dept)["responded"]
    # The plain GROUP BY baseline of the benchmark agrees too.
    assert raw.raw_data(node, period) == data
    # The figures alone (one SUM over the node's day rows) are the page's totals.
    totals = queries.figures_data(node, period)
    assert totals == data.totals == raw.raw_figures(node, period), (node, period)
    assert derive(totals) == {
        k: v for k, v in stats.event_figures(events).items() if "by_" not in k
    }


def snapshot() -> tuple[list[Any], list[Any]]:
    facts = sorted(EventFact.objects.values_list("event_id", "day", "region_code", *COUNTERS))
    tallies = sorted(Tally.objects.values_list("node", "depth", "dim", "item", "day", *COUNTERS))
    return facts, tallies


@pytest.mark.django_db
@settings(
    max_examples=30,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    story=st.lists(plans, min_size=1, max_size=7),
    checks=checks,
    overdue_in=st.none() | st.integers(0, 20),
)
def test_dashboards_equal_a_recomputation_from_raw_events(
    ew: World,
    steps: Callable[..., Any],
    story: list[Plan],
    checks: list[Any],
    overdue_in: int | None,
) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        run_story(story, steps, overdue_in=overdue_in)
        assert EventFact.objects.count() == Event.objects.count()
        for node, a, b in checks:
            check_node(
                node,
                Period(
                    "custom", today - timedelta(days=max(a, b)), today - timedelta(days=min(a, b))
                ),
            )
        # The incremental path and the set-wise rebuild hold the same rows.
        incremental = snapshot()
        aggregates.reconcile()
        assert snapshot() == incremental
        transaction.set_rollback(True)


def test_periods_are_local_days(ew: World, steps: Callable[..., Any]) -> None:
    """An event reported at 23:30 on the 1st (Beijing time; 15:30 UTC) counts on the 1st."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    late = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    steps(
        actions.do_report_event,
        actor=None,
        category="0601",
        description="深夜",
        lng=113.02,
        lat=22.05,
        now=late,
    )
    first = Period("custom", date(2026, 3, 1), date(2026, 3, 1))
    second = Period("custom", date(2026, 3, 2), date(2026, 3, 2))
    assert queries.dashboard_data("440704", first).totals["reported"] == 1
    assert queries.dashboard_data(GRID_A, first).totals["reported"] == 1
    assert queries.dashboard_data("440704", second).totals["reported"] == 0
    aggregates.reconcile()
    assert queries.dashboard_data("440704", first).totals["reported"] == 1
    assert EventFact.objects.get().day == date(2026, 3, 1)


def test_it_counts_a_step_once_however_often_the_signal_comes(
    ew: World, steps: Callable[..., Any]
) -> None:
    event = steps(
        actions.do_report_event, actor=None, category="0601", description="x", lng=113.02, lat=22.05
    ).event
    before = snapshot()
    assert aggregates.apply_event(event.pk) is False  # nothing new
    assert snapshot() == before
    Event.objects.filter(pk=event.pk).update(
        state=EventState.REGISTERED
    )  # a change no one announced
    assert aggregates.apply_event(event.pk) is True
    today = timezone.localdate()
    states = queries.dashboard_data("440704", Period("today", today, today)).breakdowns["state"]
    assert {k: c["reported"] for k, c in states.items()} == {"registered": 1}
    Event.objects.filter(pk=event.pk).delete()
    assert aggregates.apply_event(event.pk) is True
    assert not EventFact.objects.exists() and not Tally.objects.exists()
