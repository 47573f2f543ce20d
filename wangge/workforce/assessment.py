"""The monthly assessment of a grid worker, computed from the system's own figures.

Each component gives a ratio between 0 and 1, or ``None`` when it does not
apply (no events verified, no visits made, the care or campaigns app not
installed…).  The score is the weighted mean of the applicable ratios scaled to
100: with every component applicable and weights summing to 100 it is exactly
``Σ weight × ratio``; a component that does not apply has weight 0 and the other
weights are scaled up so scores stay comparable.  Stars come from the scheme's
thresholds.  Ratios are exact fractions until the score is rounded (2 decimals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.apps import apps
from django.db.models import Q

from wangge.accounts.scope import prefix_q
from wangge.basedata.staleness import stale_days
from wangge.workforce import months
from wangge.workforce.models import AssessmentScheme

COMPONENTS = (
    "reported",
    "self_handled",
    "verification",
    "visits",
    "campaigns",
    "freshness",
    "satisfaction",
)


@dataclass
class Result:
    figures: dict[str, Any] = field(default_factory=dict)
    ratios: dict[str, Fraction | None] = field(default_factory=dict)


def app_available(label: str) -> bool:
    """Whether an optional app (care, campaigns) is installed and importable."""
    return apps.is_installed(f"wangge.{label}")


def _capped(n: int, target: int) -> Fraction:
    if target <= 0:
        return Fraction(1)
    return min(Fraction(1), Fraction(n, target))


def _events(result: Result, worker_id: int, start: datetime, end: datetime, s: Any) -> None:
    from wangge.events.choices import EventAction
    from wangge.events.models import Event, EventStep

    reported = Event.objects.filter(
        reporter_id=worker_id, reported_at__gte=start, reported_at__lt=end
    ).count()
    self_handled = EventStep.objects.filter(
        actor_id=worker_id, action=EventAction.SELF_HANDLE, at__gte=start, at__lt=end
    ).count()
    result.figures["reported"] = reported
    result.figures["self_handled"] = self_handled
    result.ratios["reported"] = _capped(reported, s.target_reported)
    result.ratios["self_handled"] = _capped(self_handled, s.target_self_handled)


def _verification(result: Result, grid: str, start: datetime, end: datetime, s: Any) -> None:
    """Time from "handled" to the verification, for events of the grid verified in the month."""
    from wangge.events.choices import EventAction, EventState
    from wangge.events.models import EventStep

    verifies = list(
        EventStep.objects.filter(
            action=EventAction.VERIFY, event__grid_code=grid, at__gte=start, at__lt=end
        ).values_list("event_id", "at")
    )
    handled: dict[int, list[datetime]] = defaultdict(list)
    for event_id, at in EventStep.objects.filter(
        event_id__in={e for e, _ in verifies}, to_state=EventState.HANDLED
    ).values_list("event_id", "at"):
        handled[event_id].append(at)
    full, zero = Fraction(s.verify_full_hours), Fraction(max(s.verify_zero_hours, 1))
    ratios: list[Fraction] = []
    hours_list: list[float] = []
    for event_id, at in verifies:
        before = [h for h in handled.get(event_id, []) if h <= at]
        if not before:
            continue
        seconds = int((at - max(before)).total_seconds())
        hours = Fraction(seconds, 3600)
        hours_list.append(round(float(hours), 2))
        if hours <= full:
            ratios.append(Fraction(1))
        elif hours >= zero or zero <= full:
            ratios.append(Fraction(0))
        else:
            ratios.append((zero - hours) / (zero - full))
    result.figures["verified"] = len(ratios)
    result.figures["verify_hours_avg"] = (
        round(sum(hours_list) / len(hours_list), 2) if hours_list else None
    )
    result.ratios["verification"] = sum(ratios, Fraction(0)) / len(ratios) if ratios else None


def _visits(result: Result, worker_id: int, start: datetime, end: datetime) -> None:
    if not app_available("care"):
        result.figures["visits"] = None
        result.ratios["visits"] = None
        return
    from wangge.care.models import VisitRecord

    qs = VisitRecord.objects.filter(visitor_id=worker_id, visited_at__gte=start, visited_at__lt=end)
    total = qs.count()
    on_time = qs.filter(on_time=True).count()
    result.figures["visits"] = total
    result.figures["visits_on_time"] = on_time
    result.ratios["visits"] = Fraction(on_time, total) if total else None


def _campaigns(result: Result, grid: str, start: datetime, end: datetime) -> None:
    if not app_available("campaigns"):
        result.figures["campaign_targets"] = None
        result.ratios["campaigns"] = None
        return
    from wangge.campaigns.models import Target

    targets = Target.objects.filter(grid_code=grid, campaign__launched_at__lt=end).filter(
        Q(campaign__closed_at__isnull=True) | Q(campaign__closed_at__gte=start)
    )
    total = targets.count()
    reached = targets.filter(attempts__at__lt=end).distinct().count()
    result.figures["campaign_targets"] = total
    result.figures["campaign_reached"] = reached
    result.ratios["campaigns"] = Fraction(reached, total) if total else None


def _freshness(result: Result, grid: str, end: datetime) -> None:
    """Share of the grid's buildings, city parts and enterprises verified within the stale window."""
    fresh_after = end - timedelta(days=stale_days())
    total = fresh = 0
    for label in ("places.Building", "assets.Asset", "organisations.Enterprise"):
        app_label, name = label.split(".")
        if not apps.is_installed(f"wangge.{app_label}"):
            continue
        model = apps.get_model(app_label, name)
        qs = model.objects.filter(prefix_q("region_code", [grid]))
        total += qs.count()
        fresh += qs.filter(verified_at__gte=fresh_after, verified_at__lt=end).count()
    result.figures["basedata_records"] = total
    result.figures["basedata_fresh"] = fresh
    result.ratios["freshness"] = Fraction(fresh, total) if total else None


def _satisfaction(result: Result, grid: str, start: datetime, end: datetime) -> None:
    from wangge.events.choices import Satisfaction
    from wangge.events.models import ReturnVisit

    qs = ReturnVisit.objects.filter(
        event__grid_code=grid, visited_at__gte=start, visited_at__lt=end
    )
    total = qs.count()
    good = qs.filter(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]).count()
    result.figures["return_visits"] = total
    result.figures["satisfied"] = good
    result.ratios["satisfaction"] = Fraction(good, total) if total else None


def measure(worker_id: int, grid: str, month: date, scheme: AssessmentScheme) -> Result:
    """The figures and ratios of one worker in one grid for one month."""
    start, end = months.bounds(month)
    result = Result()
    _events(result, worker_id, start, end, scheme)
    _verification(result, grid, start, end, scheme)
    _visits(result, worker_id, start, end)
    _campaigns(result, grid, start, end)
    _freshness(result, grid, end)
    _satisfaction(result, grid, start, end)
    return result


def score(
    ratios: dict[str, Fraction | None], weights: dict[str, int]
) -> tuple[Decimal, dict[str, Any]]:
    """The weighted score (0–100, 2 decimals) and each component's ratio and effective weight."""
    applicable = {k: w for k, w in weights.items() if ratios.get(k) is not None}
    total_weight = sum(applicable.values())
    value = Fraction(0)
    components: dict[str, Any] = {}
    for key in COMPONENTS:
        ratio = ratios.get(key)
        weight = applicable.get(key, 0)
        effective = Fraction(weight * 100, total_weight) if total_weight else Fraction(0)
        if ratio is not None:
            value += effective * ratio
        components[key] = {
            "ratio": None if ratio is None else round(float(ratio), 4),
            "weight": weights.get(key, 0),
            "effective_weight": round(float(effective), 4),
            "points": None if ratio is None else round(float(effective * ratio), 2),
        }
    rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return rounded, components


def stars(value: Decimal, scheme: AssessmentScheme) -> int:
    for threshold, n in (
        (scheme.star5, 5),
        (scheme.star4, 4),
        (scheme.star3, 3),
        (scheme.star2, 2),
    ):
        if value >= threshold:
            return n
    return 1


def scheme_for(district_code: str) -> AssessmentScheme | None:
    """The district's active scheme, or the active default one."""
    return (
        AssessmentScheme.objects.filter(is_active=True, district_code__in=[district_code, ""])
        .order_by("-district_code", "-id")
        .first()
    )
