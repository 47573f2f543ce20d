"""Reads of safety inspections, hazards and enforcement records, always through the scope.

A user sees the inspections and hazards under the nodes where one of their
roles grants ``inspections.view_inspection`` (grid workers their grid, a
community its grids, a street or district its subtree); anything else is
answered like a missing record (404).  Targets (enterprises, buildings) are
offered where the user holds ``inspections.add_inspection``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.db.models import Count, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from wangge.accounts.scope import prefix_q, scope_for
from wangge.inspections.choices import HazardState, TargetKind
from wangge.inspections.models import (
    Checklist,
    ChecklistItem,
    EnforcementRecord,
    Hazard,
    Inspection,
    ItemResult,
    Reinspection,
)
from wangge.organisations.models import Enterprise
from wangge.places.models import Building

VIEW = "inspections.view_inspection"
INSPECT = "inspections.add_inspection"
REINSPECT = "inspections.add_reinspection"
CHANGE_HAZARD = "inspections.change_hazard"
ENFORCE = "inspections.add_enforcementrecord"


def may(user: Any, perm: str, code: str | None = None) -> bool:
    """Does the user hold ``perm`` (at ``code`` if given)?  ``None`` is the system: yes."""
    return user is None or scope_for(user).can(perm, code)


def _in_scope[M: models.Model](qs: QuerySet[M], user: Any, perm: str = VIEW) -> QuerySet[M]:
    scope = scope_for(user)
    return scope.filter_by_code(qs, "region_code", scope.roots_with(perm))


def _under[M: models.Model](qs: QuerySet[M], under: str | None) -> QuerySet[M]:
    return qs.filter(prefix_q("region_code", [under])) if under else qs


# --- checklists ---------------------------------------------------------------------


def active_checklists(target_kind: str | None = None) -> list[Checklist]:
    """Active checklists with their active items (``checklist.active_items``)."""
    qs = Checklist.objects.filter(is_active=True)
    if target_kind:
        qs = qs.filter(target_kind=target_kind)
    return list(
        qs.order_by("sort_order", "code").prefetch_related(
            Prefetch(
                "items",
                queryset=ChecklistItem.objects.filter(is_active=True).order_by("sort_order", "id"),
                to_attr="active_items",
            )
        )
    )


def get_checklist(code: str) -> Checklist | None:
    found = active_checklists()
    return next((c for c in found if c.code == code), None)


# --- inspections --------------------------------------------------------------------


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    return _in_scope(Inspection.objects.all(), user)


def inspections_filtered(
    user: Any,
    *,
    under: str | None = None,
    enterprise: int | None = None,
    building: int | None = None,
    checklist: str | None = None,
) -> QuerySet[Inspection]:
    qs = _under(inspections_visible_to(user), under)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if building is not None:
        qs = qs.filter(building_id=building)
    if checklist:
        qs = qs.filter(checklist__code=checklist)
    return qs.select_related("checklist").annotate(
        hazard_count=Coalesce(
            Subquery(
                Hazard.objects.filter(inspection=OuterRef("pk"))
                .order_by()
                .values("inspection")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
    )


def get_inspection_for_user(user: Any, pk: int) -> Inspection:
    try:
        return inspections_visible_to(user).select_related("checklist").get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404("no such inspection") from None


def results_of(inspection: Inspection) -> list[ItemResult]:
    return list(
        ItemResult.objects.filter(inspection=inspection)
        .select_related("hazard")
        .order_by("position", "id")
    )


def hazards_of(inspection: Inspection) -> list[Hazard]:
    return list(Hazard.objects.filter(inspection=inspection).order_by("deadline", "id"))


# --- hazards ------------------------------------------------------------------------


def hazards_visible_to(user: Any) -> QuerySet[Hazard]:
    return _in_scope(Hazard.objects.all(), user)


def hazards_filtered(
    user: Any,
    *,
    state: str | None = None,
    under: str | None = None,
    overdue: bool | None = None,
    enterprise: int | None = None,
    building: int | None = None,
    today: date | None = None,
) -> QuerySet[Hazard]:
    """Hazards the user sees; ``overdue`` means open past the deadline."""
    qs = _under(hazards_visible_to(user), under)
    if state:
        qs = qs.filter(state=state)
    if overdue is not None:
        late = Q(state=HazardState.OPEN, deadline__lt=today or timezone.localdate())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if building is not None:
        qs = qs.filter(building_id=building)
    return qs


def get_hazard_for_user(user: Any, pk: int) -> Hazard:
    try:
        return (
            hazards_visible_to(user)
            .select_related("inspection__checklist", "result", "event")
            .get(pk=pk)
        )
    except (Hazard.DoesNotExist, ValueError, TypeError):
        raise Http404("no such hazard") from None


def reinspections_of(hazard: Hazard) -> list[Reinspection]:
    return list(Reinspection.objects.filter(hazard=hazard).order_by("inspected_at", "id"))


def enforcement_of(hazard: Hazard) -> list[EnforcementRecord]:
    return list(
        EnforcementRecord.objects.filter(hazard=hazard)
        .select_related("department")
        .order_by("enforced_on", "id")
    )


def available_actions(user: Any, hazard: Hazard) -> list[str]:
    """What the user may do with the hazard now (for buttons; actions check again)."""
    result = []
    if hazard.state == HazardState.OPEN:
        if may(user, REINSPECT, hazard.region_code):
            result.append("reinspect")
        if may(user, CHANGE_HAZARD, hazard.region_code):
            result.append("change")
    if may(user, ENFORCE, hazard.region_code):
        result.append("enforce")
    return result


def enterprises_with_open_hazards(user: Any) -> QuerySet[Enterprise]:
    """Enterprises with open hazards the user sees, for the map.

    Each carries ``open_hazards`` (how many) and ``next_deadline`` (the earliest
    rectification deadline among them).
    """
    open_hazards = hazards_visible_to(user).filter(state=HazardState.OPEN)
    per_enterprise = open_hazards.filter(enterprise=OuterRef("pk")).order_by().values("enterprise")
    return (
        _in_scope(Enterprise.objects.all(), user)
        .filter(pk__in=open_hazards.filter(enterprise__isnull=False).values("enterprise_id"))
        .annotate(
            open_hazards=Subquery(
                per_enterprise.annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            next_deadline=Subquery(per_enterprise.annotate(d=Min("deadline")).values("d")[:1]),
        )
    )


def due_for_reinspection(user: Any) -> QuerySet[Hazard]:
    """Open hazards under the nodes where the user re-inspects (a grid worker's grid),
    earliest deadline first.  Global roles have no such node: nothing."""
    roots = scope_for(user).roots_with(REINSPECT)
    if not roots:
        return Hazard.objects.none()
    return (
        Hazard.objects.filter(prefix_q("region_code", roots), state=HazardState.OPEN)
        .select_related("result")
        .order_by("deadline", "id")
    )


# --- targets ------------------------------------------------------------------------


def inspectable_enterprises(
    user: Any, *, q: str | None = None, under: str | None = None
) -> QuerySet[Enterprise]:
    qs = _under(_in_scope(Enterprise.objects.all(), user, INSPECT), under)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    return qs.order_by("region_code", "name", "id")


def inspectable_buildings(
    user: Any, *, q: str | None = None, under: str | None = None
) -> QuerySet[Building]:
    qs = _under(_in_scope(Building.objects.all(), user, INSPECT), under)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    return qs.select_related("rental").order_by("-is_rental", "region_code", "name", "id")


def get_target(user: Any, kind: str, pk: int | None) -> Enterprise | Building | None:
    """The enterprise or building ``pk`` if the user may inspect it; ``None`` otherwise."""
    if pk is None:
        return None
    try:
        if kind == TargetKind.ENTERPRISE:
            found: Enterprise | Building | None = (
                Enterprise.objects.filter(pk=pk).order_by().first()
            )
        else:
            found = Building.objects.select_related("rental").filter(pk=pk).order_by().first()
    except (ValueError, TypeError):
        return None
    if found is None or not may(user, INSPECT, found.region_code):
        return None
    return found
