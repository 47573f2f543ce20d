"""Reads of arrival reports and their follow-ups, always through the user's scope.

A user sees the reports whose destination lies under a node where one of their
roles grants ``arrivals.view_arrivalreport`` (grid workers their grid, community
staff their community, command centres and leaders their street or district);
everybody else, and everything else, is answered like a missing report (404).
Nothing is listed without a login: the public side only submits.

The public forms read the hierarchy's names (streets, communities, units) and
the district's outline: they are what people pick their destination from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q, scope_for
from wangge.arrivals.choices import FollowUpStatus
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp
from wangge.lib import codes
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

VIEW = "arrivals.view_arrivalreport"
FOLLOW_UP = "arrivals.follow_up_arrival"
ADD_GROUP = "arrivals.add_arrivalgroup"
UNMASK = "people.unmask_person"
PEOPLE_VIEW = "people.view_person"


# --- who may do what ------------------------------------------------------------------------


def can_view(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or bool(scope.roots_with(VIEW))


def can_follow_up_somewhere(user: Any) -> bool:
    return scope_for(user).can(FOLLOW_UP)


def may(user: Any, perm: str, region_code: str) -> bool:
    """Does the user hold ``perm`` at ``region_code``?  ``None`` is the system: yes."""
    return user is None or scope_for(user).can(perm, region_code)


def can_create_group(user: Any) -> bool:
    return scope_for(user).can(ADD_GROUP)


def available_actions(user: Any, report: ArrivalReport) -> list[str]:
    """What the user may do with the report (for buttons; the actions check again)."""
    result = []
    if may(user, UNMASK, report.region_code):
        result.append("unmask")
    if may(user, FOLLOW_UP, report.region_code):
        follow_up = getattr(report, "follow_up", None)
        if follow_up is not None and follow_up.status == FollowUpStatus.OPEN:
            result.append("follow_up")
        if report.id_number:
            result.append("match")
    return result


# --- reports ---------------------------------------------------------------------------------


def reports_visible_to(user: Any) -> QuerySet[ArrivalReport]:
    scope = scope_for(user)
    return scope.filter_by_code(ArrivalReport.objects.all(), "region_code", scope.roots_with(VIEW))


def get_report_for_user(user: Any, pk: int) -> ArrivalReport:
    try:
        return reports_visible_to(user).select_related("follow_up", "group", "person").get(pk=pk)
    except (ArrivalReport.DoesNotExist, ValueError, TypeError):
        raise Http404("no such arrival report") from None


def _people_seen_by(user: Any) -> QuerySet[Any]:
    from wangge.people.selectors import people_visible_to

    return people_visible_to(user)


def reports_filtered(
    user: Any,
    *,
    late: bool | None = None,
    unlinked: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    under: str | None = None,
    follow_up: str | None = None,
) -> QuerySet[ArrivalReport]:
    """The user's reports, newest arrival first.

    ``unlinked`` is about the people the user sees: a report matched to a person
    registered where the user does not look counts as unlinked for them (seeing
    the link would tell that the ID number is registered there).
    """
    qs = reports_visible_to(user)
    if late is not None:
        qs = qs.filter(is_late=late)
    if unlinked is not None:
        linked = Q(person__in=_people_seen_by(user).values("pk"))
        qs = qs.exclude(linked) if unlinked else qs.filter(linked)
    if date_from is not None:
        qs = qs.filter(arrival_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(arrival_at__date__lte=date_to)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if follow_up in FollowUpStatus.values:
        qs = qs.filter(follow_up__status=follow_up)
    return qs.select_related("follow_up").order_by("-arrival_at", "-id")


def visible_person_ids(user: Any, person_ids: Iterable[int | None]) -> set[int]:
    """Of the linked people, those the user sees (one query)."""
    wanted = {pk for pk in person_ids if pk is not None}
    if not wanted:
        return set()
    return set(_people_seen_by(user).filter(pk__in=wanted).values_list("pk", flat=True))


def find_person(id_number: str, district_code: str) -> Any:
    """The registered person with this ID number living in the district, if any."""
    from wangge.people.models import Person
    from wangge.privacy.fields import blind_index

    if not id_number:
        return None
    return (
        Person.objects.filter(prefix_q("region_code", [district_code]))
        .filter(id_number_hash=blind_index(id_number))
        .order_by("pk")
        .first()
    )


# --- follow-ups -------------------------------------------------------------------------------


def follow_ups_visible_to(user: Any) -> QuerySet[FollowUp]:
    scope = scope_for(user)
    return scope.filter_by_code(FollowUp.objects.all(), "region_code", scope.roots_with(VIEW))


def get_follow_up_for_user(user: Any, pk: int) -> FollowUp:
    try:
        return follow_ups_visible_to(user).select_related("report").get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404("no such follow-up") from None


def follow_ups_filtered(
    user: Any, *, status: str | None = FollowUpStatus.OPEN, under: str | None = None
) -> QuerySet[FollowUp]:
    """Open follow-ups by due time (earliest first); done ones, the latest first."""
    qs = follow_ups_visible_to(user).select_related("report")
    if status in FollowUpStatus.values:
        qs = qs.filter(status=status)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if status == FollowUpStatus.DONE:
        return qs.order_by("-done_at", "-id")
    return qs.order_by("status", "due_at", "id")


def open_follow_ups_for_worker(user: Any, *, limit: int = 200) -> list[FollowUp]:
    """Open follow-ups where the user does them (their grids; not global roles)."""
    roots = scope_for(user).roots_with(FOLLOW_UP)
    if not roots:
        return []
    return list(
        FollowUp.objects.filter(prefix_q("region_code", roots), status=FollowUpStatus.OPEN)
        .select_related("report")
        .order_by("due_at", "id")[:limit]
    )


# --- groups -------------------------------------------------------------------------------------


def get_group_by_code(code: str) -> ArrivalGroup | None:
    text = (code or "").strip().upper()
    if not text or len(text) > 8 or not text.isalnum():
        return None
    return ArrivalGroup.objects.filter(code=text).first()


def groups_created_by(user: Any) -> QuerySet[ArrivalGroup]:
    if user is None or not getattr(user, "is_authenticated", False):
        return ArrivalGroup.objects.none()
    return ArrivalGroup.objects.filter(created_by=user).order_by("-created_at", "-id")


def group_counts(groups: Iterable[ArrivalGroup]) -> dict[int, int]:
    from django.db.models import Count

    ids = [g.pk for g in groups]
    if not ids:
        return {}
    rows = (
        ArrivalReport.objects.filter(group_id__in=ids)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return {int(g): int(n) for g, n in rows if g is not None}


# --- the public hierarchy: names to pick a destination from ------------------------------------


def districts() -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("code", "name")
    )


def children(code: str) -> list[tuple[str, str]]:
    """What to pick below ``code``: streets of a district, communities of a street, the units
    of a community (named with their grid: ``东一网格 · 第1单元``)."""
    if not code or not codes.is_valid(code):
        return []
    level = codes.level_of(code)
    if level in (codes.Level.DISTRICT, codes.Level.STREET):
        below = RegionLevel.STREET if level == codes.Level.DISTRICT else RegionLevel.COMMUNITY
        return list(
            Region.objects.filter(parent__code=code, level=below)
            .order_by("code")
            .values_list("code", "name")
        )
    if level == codes.Level.COMMUNITY:
        rows = list(
            Region.objects.filter(
                prefix_q("code", [code]), level__in=[RegionLevel.GRID, RegionLevel.UNIT]
            )
            .order_by("code")
            .values_list("code", "name", "level")
        )
        grids = {c: n for c, n, lv in rows if lv == RegionLevel.GRID}
        with_units = {c[:15] for c, _n, lv in rows if lv == RegionLevel.UNIT}
        result = []
        for c, n, lv in rows:
            if lv == RegionLevel.UNIT:
                result.append((c, f"{grids.get(c[:15], '')} · {n}"))
            elif c not in with_units:
                result.append((c, n))  # a grid not cut into units is a destination itself
        return result
    return []


def region_exists(code: str, levels: Iterable[str]) -> bool:
    return Region.objects.filter(code=code, level__in=list(levels)).exists()


def path_names(region_codes: Iterable[str]) -> dict[str, str]:
    """``东街道 东社区 东一网格 第1单元`` for each code: the names of its street and below."""
    wanted = {c for c in region_codes if c and codes.is_valid(c)}
    every = {a for c in wanted for a in codes.ancestors_of(c) if len(a) > 6} | wanted
    if not every:
        return {}
    names = dict(Region.objects.filter(code__in=every).values_list("code", "name"))
    result = {}
    for c in wanted:
        parts = [a for a in [*codes.ancestors_of(c), c] if len(a) > 6]
        result[c] = " ".join(names.get(a, a) for a in parts)
    return result


def short_names(region_codes: Iterable[str]) -> dict[str, str]:
    """``东一网格 · 第1单元`` for a unit (unit names repeat from grid to grid), else the name."""
    wanted = {c for c in region_codes if c}
    grids = {c[:15] for c in wanted if len(c) == 18}
    names = dict(Region.objects.filter(code__in=wanted | grids).values_list("code", "name"))
    return {
        c: (f"{names.get(c[:15], c[:15])} · {names.get(c, c)}" if len(c) == 18 else names.get(c, c))
        for c in wanted
    }


def district_geojson(code: str) -> dict[str, Any] | None:
    """A district's outline and its communities, for the public form's map."""
    district = Region.objects.filter(code=code, level=RegionLevel.DISTRICT).first()
    if district is None:
        return None
    features = [district.feature(role="node")]
    for community in Region.objects.filter(
        prefix_q("code", [code]), level=RegionLevel.COMMUNITY
    ).order_by("code"):
        features.append(community.feature(role="child"))
    return {"type": "FeatureCollection", "features": features}
