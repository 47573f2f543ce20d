"""Reads of the hierarchy, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q, scope_for
from wangge.lib import codes
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

#: Columns for lists: everything but the (large) geometry.
LIST_FIELDS = (
    "id",
    "code",
    "parent_id",
    "level",
    "kind",
    "name",
    "centroid_lng",
    "centroid_lat",
    "point_lng",
    "point_lat",
    "min_lng",
    "min_lat",
    "max_lng",
    "max_lat",
    "area_km2",
)


def regions_visible_to(user: Any) -> QuerySet[Region]:
    return scope_for(user).regions(Region.objects.all())


def get_region_for_user(user: Any, code: str, *, write: bool = False) -> Region:
    """The region with ``code`` if the user may see it (or change it); 404 otherwise.

    A region out of scope is answered exactly like a missing one.
    """
    if not codes.is_valid(code):
        raise Http404("no such region")
    scope = scope_for(user)
    if write and not scope.can("regions.change_region", code):
        raise Http404("no such region")
    try:
        return regions_visible_to(user).get(code=code)
    except Region.DoesNotExist:
        raise Http404("no such region") from None


def subtree(root: str) -> QuerySet[Region]:
    """Every region under ``root`` (inclusive): one index range scan.  Not scoped."""
    return Region.objects.filter(prefix_q("code", [root]))


def regions_under(
    user: Any, *, under: str | None = None, level: str | None = None
) -> QuerySet[Region]:
    qs = regions_visible_to(user)
    if under:
        qs = qs.filter(prefix_q("code", [under]))
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def child_counts(root: Region) -> dict[str, int]:
    """How many nodes of each lower level lie under ``root`` (one grouped query)."""
    from django.db.models import Count

    rows = subtree(root.code).exclude(pk=root.pk).values("level").annotate(n=Count("id")).order_by()
    counts = {level.value: 0 for level in RegionLevel if level.depth > root.level_depth}
    for row in rows:
        counts[row["level"]] = row["n"]
    return counts


def ancestors(region: Region) -> list[Region]:
    """Ancestors from the district down (not scoped: callers show names only)."""
    wanted = codes.ancestors_of(region.code)
    by_code = {
        r.code: r
        for r in Region.objects.filter(code__in=wanted).only("code", "name", "level", "kind")
    }
    return [by_code[c] for c in wanted if c in by_code]


def choices_where(user: Any, perm: str, *, limit: int = 2000) -> list[tuple[str, str]]:
    """``(code, indented name)`` of the nodes, district down to grid, in the subtrees where
    the user holds ``perm``, in tree order: the choices of a form's place field."""
    scope = scope_for(user)
    qs = Region.objects.exclude(level=RegionLevel.UNIT)
    if not scope.is_global:
        roots = scope.roots_with(perm)
        if not roots:
            return []
        qs = qs.filter(prefix_q("code", roots))
    return [
        (code, f"{'　' * (len(code) // 3 - 2)}{name}")
        for code, name in qs.order_by("code").values_list("code", "name")[:limit]
    ]
