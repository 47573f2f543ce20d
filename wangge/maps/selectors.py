"""Reads of the command map: the hierarchy to drill through and the layers drawn on it.

Every read goes through the selector of the app that owns the data, which
filters through ``wangge.accounts.scope``: the hierarchy through
``wangge.regions.selectors``, events through ``events_filtered``, city parts
through ``assets_filtered``, rental buildings through ``buildings_filtered``,
enterprises with open hazards through
``wangge.inspections.selectors.enterprises_with_open_hazards``, care-visit
coverage through ``wangge.care.coverage.coverage_for`` and campaign progress
through ``wangge.campaigns.selectors.progress``.  A node out of scope is
answered exactly like a missing one (404).

The three field-work apps are optional: a layer whose app (or selector) is
missing is simply not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps
from django.db.models import Case, F, FloatField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from wangge.accounts.scope import prefix_q, scope_for
from wangge.lib import codes
from wangge.maps.bbox import BBox
from wangge.maps.choices import ASSET_GROUP_TYPES, AssetGroup, Layer
from wangge.regions import selectors as regions
from wangge.regions.choices import LEVEL_ORDER, RegionLevel
from wangge.regions.models import Region

#: Points of one layer in one answer unless the caller asks for fewer or more.
DEFAULT_LIMIT = 1000
#: The most points of one layer in one answer (the map asks again when the view moves).
MAX_LIMIT = 5000
#: The most points of the heat layer (three numbers each).
HEAT_LIMIT = 20000

VIEW_BUILDINGS = "places.view_building"
VIEW_INSPECTIONS = "inspections.view_inspection"


NOT_YOURS = gettext_lazy("You may not see this layer.")


class MapForbidden(Exception):
    """The user may not see this layer at all (403); the message is for users."""

    def __init__(self, message: str | Promise = NOT_YOURS) -> None:
        text = str(message)
        super().__init__(text)
        self.message = text


# --- optional apps ------------------------------------------------------------------


def optional(path: str, app: str) -> Any | None:
    """``module.name`` if the app is installed and defines it; ``None`` otherwise."""
    if not django_apps.is_installed(app):
        return None
    module, _, name = path.rpartition(".")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _hazard_selector() -> Callable[[Any], QuerySet[Any]] | None:
    found: Callable[[Any], QuerySet[Any]] | None = optional(
        "wangge.inspections.selectors.enterprises_with_open_hazards", "wangge.inspections"
    )
    return found


def _coverage_selector() -> Callable[..., Any] | None:
    found: Callable[..., Any] | None = optional("wangge.care.coverage.coverage_for", "wangge.care")
    return found


def _campaign_selectors() -> Any | None:
    return optional("wangge.campaigns.selectors.progress", "wangge.campaigns") and import_module(
        "wangge.campaigns.selectors"
    )


# --- who sees what ------------------------------------------------------------------


def can_use_map(user: Any) -> bool:
    """Those who work somewhere in the tree, departments and global roles.

    Residents read the district's hierarchy but have no layer to see: not them.
    """
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    return scope.is_global or bool(scope.node_roots) or bool(scope.department_ids)


def available_layers(user: Any) -> list[str]:
    """The layers the user may switch on, in the order of the layer control."""
    if not can_use_map(user):
        return []
    scope = scope_for(user)
    found = [Layer.EVENTS.value, Layer.HEAT.value, Layer.ASSETS.value]
    if scope.is_global or scope.roots_with(VIEW_BUILDINGS):
        found.append(Layer.RENTALS.value)
    if _hazard_selector() is not None and (scope.is_global or scope.roots_with(VIEW_INSPECTIONS)):
        found.append(Layer.HAZARDS.value)
    if _coverage_selector() is not None:
        from wangge.care.selectors import can_view

        if can_view(user):
            found.append(Layer.CARE.value)
    campaigns = _campaign_selectors()
    if campaigns is not None and campaigns.can_view_campaigns(user):
        found.append(Layer.CAMPAIGNS.value)
    return found


def require_layer(user: Any, layer: str) -> None:
    if layer not in available_layers(user):
        raise MapForbidden()


def node(user: Any, code: str | None) -> Region | None:
    """The region the user asked about, without its geometry; 404 if out of scope."""
    if not code:
        return None
    if not codes.is_valid(code):
        raise Http404("no such region")
    found = regions.regions_visible_to(user).filter(code=code).only(*regions.LIST_FIELDS).first()
    if found is None:
        raise Http404("no such region")
    return found


# --- the hierarchy ------------------------------------------------------------------


def child_level(level: str) -> str | None:
    depth = RegionLevel(level).depth + 1
    return LEVEL_ORDER[depth].value if depth < len(LEVEL_ORDER) else None


def _region_feature(region: Region, role: str) -> dict[str, Any]:
    return region.feature(role=role, drill=region.level != RegionLevel.UNIT)


def top_regions(user: Any) -> QuerySet[Region]:
    """The nodes the map opens on: the user's readable subtrees (every district if global)."""
    scope = scope_for(user)
    qs = regions.regions_visible_to(user)
    if scope.is_global:
        return qs.filter(level=RegionLevel.DISTRICT).order_by("code")
    return qs.filter(code__in=scope.map_roots).order_by("code")


def top_view(user: Any) -> dict[str, Any]:
    """The map above the user's nodes: each of them, to click into."""
    children = [_region_feature(r, "child") for r in top_regions(user)]
    return {"node": None, "children": children, "ancestors": [], "up": None}


def node_view(user: Any, code: str) -> dict[str, Any]:
    """A node's outline, its children to click into and the way back up (breadcrumb)."""
    region = regions.get_region_for_user(user, code)
    scope = scope_for(user)
    below = child_level(region.level)
    children = (
        [
            _region_feature(child, "child")
            for child in regions.regions_under(user, under=region.code, level=below)
        ]
        if below
        else []
    )
    parent = codes.parent_of(region.code)
    return {
        "node": _region_feature(region, "node"),
        "children": children,
        "ancestors": [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "visible": scope.can_see_region(a.code),
            }
            for a in regions.ancestors(region)
        ],
        "up": parent if parent and scope.can_see_region(parent) else None,
    }


def several_roots(user: Any) -> bool:
    """Whether the map has a level above the user's nodes (several of them, or global)."""
    scope = scope_for(user)
    return scope.is_global or len(scope.map_roots) > 1


# --- GeoJSON helpers ----------------------------------------------------------------


def _url_maker(name: str) -> Callable[[int], str]:
    """``pk → URL`` of a detail page, reversing once (thousands of points per answer)."""
    marker = 987654321
    try:
        head, tail = reverse(name, args=[marker]).split(str(marker))
    except NoReverseMatch:
        return lambda pk: ""
    return lambda pk: f"{head}{pk}{tail}"


def _point(fid: int, lng: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": [round(lng, 7), round(lat, 7)]},
        "properties": properties,
    }


def _collection(features: list[dict[str, Any]], *, total: int, limit: int) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "returned": len(features),
        "limit": limit,
        "truncated": total > len(features),
    }


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _capped(limit: int | None) -> int:
    return max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))


def _placed(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Rows with their own point, else their unit's point, else their node's centre.

    Buildings and enterprises may be registered without coordinates; they are
    drawn where their minimal unit (or grid) is.
    """
    place = Region.objects.filter(code=OuterRef("region_code"))
    placed: QuerySet[Any] = qs.annotate(
        map_lng=Coalesce(
            F("lng"),
            Subquery(place.values("point_lng")[:1]),
            Subquery(place.values("centroid_lng")[:1]),
            output_field=FloatField(),
        ),
        map_lat=Coalesce(
            F("lat"),
            Subquery(place.values("point_lat")[:1]),
            Subquery(place.values("centroid_lat")[:1]),
            output_field=FloatField(),
        ),
    ).filter(map_lng__isnull=False, map_lat__isnull=False)
    return placed


# --- events -------------------------------------------------------------------------


def _events(
    user: Any,
    *,
    under: str | None,
    bbox: BBox | None,
    state: str | None,
    category: str | None,
    overdue: bool | None,
    open_only: bool | None,
) -> QuerySet[Any]:
    from wangge.events.choices import FINAL_STATES, OPEN_STATES
    from wangge.events.selectors import events_filtered

    qs = events_filtered(user, state=state, category=category, under=under, overdue=overdue)
    if open_only is True:
        qs = qs.filter(state__in=sorted(OPEN_STATES))
    elif open_only is False:
        qs = qs.filter(state__in=sorted(FINAL_STATES))
    if bbox is not None:
        qs = bbox.filter(qs)
    return qs


def events_layer(
    user: Any,
    *,
    under: str | None = None,
    bbox: BBox | None = None,
    state: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    open_only: bool | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Events as points: overdue ones first, then the newest, at most ``limit``."""
    from wangge.events.choices import EventState
    from wangge.events.selectors import grid_names

    require_layer(user, Layer.EVENTS)
    node(user, under)
    cap = _capped(limit)
    qs = _events(
        user,
        under=under,
        bbox=bbox,
        state=state,
        category=category,
        overdue=overdue,
        open_only=open_only,
    )
    total = qs.count()
    rows = list(
        qs.order_by("-overdue", "-reported_at", "-id").values(
            "id",
            "number",
            "title",
            "state",
            "overdue",
            "address",
            "lng",
            "lat",
            "grid_code",
            "reported_at",
            "handle_due",
            "category__code",
            "category__name",
        )[:cap]
    )
    grids = grid_names(r["grid_code"] for r in rows)
    url = _url_maker("events:detail")
    labels = {value: str(label) for value, label in EventState.choices}
    features = [
        _point(
            r["id"],
            r["lng"],
            r["lat"],
            {
                "kind": "event",
                "id": r["id"],
                "number": r["number"],
                "title": r["title"],
                "state": r["state"],
                "state_label": labels.get(r["state"], r["state"]),
                "category": r["category__code"],
                "category_name": r["category__name"],
                "overdue": r["overdue"],
                "address": r["address"],
                "grid": grids.get(r["grid_code"], ""),
                "reported_at": _when(r["reported_at"]),
                "handle_due": _when(r["handle_due"]),
                "url": url(r["id"]),
            },
        )
        for r in rows
    ]
    return _collection(features, total=total, limit=cap)


def events_heat(
    user: Any,
    *,
    under: str | None = None,
    bbox: BBox | None = None,
    state: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    open_only: bool | None = None,
) -> dict[str, Any]:
    """Where events are thick: ``[lat, lng, weight]`` (overdue weigh double), capped."""
    require_layer(user, Layer.HEAT)
    node(user, under)
    qs = _events(
        user,
        under=under,
        bbox=bbox,
        state=state,
        category=category,
        overdue=overdue,
        open_only=open_only,
    )
    total = qs.count()
    points = [
        [round(lat, 6), round(lng, 6), 2 if late else 1]
        for lat, lng, late in qs.order_by("-overdue", "-reported_at", "-id").values_list(
            "lat", "lng", "overdue"
        )[:HEAT_LIMIT]
    ]
    return {
        "points": points,
        "total": total,
        "returned": len(points),
        "limit": HEAT_LIMIT,
        "truncated": total > len(points),
    }


# --- city parts ----------------------------------------------------------------------


def assets_layer(
    user: Any,
    *,
    under: str | None = None,
    bbox: BBox | None = None,
    group: str | None = None,
    state: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """City parts as points (hydrants, manhole covers or all); damaged and missing ones first.

    Retired parts are left out unless asked for by state.
    """
    from wangge.assets.choices import AssetState
    from wangge.assets.selectors import assets_filtered

    require_layer(user, Layer.ASSETS)
    node(user, under)
    cap = _capped(limit)
    qs = assets_filtered(user, state=state, under=under)
    if state is None:
        qs = qs.exclude(state=AssetState.RETIRED)
    types = ASSET_GROUP_TYPES.get(group or AssetGroup.ALL)
    if types:
        qs = qs.filter(type__code__in=types)
    if bbox is not None:
        qs = bbox.filter(qs)
    total = qs.count()
    problems = [AssetState.DAMAGED, AssetState.MISSING]
    # Damaged and missing parts first: they are what a command centre looks for.
    rows = list(
        qs.order_by(Case(When(state__in=problems, then=0), default=1), "-id").values(
            "id",
            "code",
            "name",
            "state",
            "address",
            "lng",
            "lat",
            "type__code",
            "type__name",
            "last_inspected_at",
        )[:cap]
    )
    labels = {value: str(label) for value, label in AssetState.choices}
    url = _url_maker("assets:detail")
    features = [
        _point(
            r["id"],
            r["lng"],
            r["lat"],
            {
                "kind": "asset",
                "id": r["id"],
                "number": r["code"],
                "title": r["name"] or r["type__name"],
                "type": r["type__code"],
                "type_name": r["type__name"],
                "state": r["state"],
                "state_label": labels.get(r["state"], r["state"]),
                "problem": r["state"] in problems,
                "address": r["address"],
                "last_inspected_at": _when(r["last_inspected_at"]),
                "url": url(r["id"]),
            },
        )
        for r in rows
    ]
    return _collection(features, total=total, limit=cap)


# --- rental housing -----------------------------------------------------------------


def rentals_layer(
    user: Any,
    *,
    under: str | None = None,
    bbox: BBox | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Rental buildings (出租屋) with their rooms and the people living there now."""
    from wangge.places.selectors import buildings_filtered

    require_layer(user, Layer.RENTALS)
    node(user, under)
    cap = _capped(limit)
    qs = _placed(buildings_filtered(user, under=under, rental=True))
    if bbox is not None:
        qs = bbox.filter(qs, "map_lng", "map_lat")
    total = qs.count()
    rows = list(
        qs.order_by("-occupant_count", "region_code", "id").values(
            "id",
            "name",
            "address",
            "floors",
            "map_lng",
            "map_lat",
            "room_count",
            "occupant_count",
            "verified_at",
        )[:cap]
    )
    url = _url_maker("places:building")
    features = [
        _point(
            r["id"],
            r["map_lng"],
            r["map_lat"],
            {
                "kind": "rental",
                "id": r["id"],
                "title": r["name"],
                "address": r["address"],
                "floors": r["floors"],
                "rooms": r["room_count"],
                "occupants": r["occupant_count"],
                "verified_at": _when(r["verified_at"]),
                "url": url(r["id"]),
            },
        )
        for r in rows
    ]
    return _collection(features, total=total, limit=cap)


# --- enterprises with open hazards --------------------------------------------------


def hazards_layer(
    user: Any,
    *,
    under: str | None = None,
    bbox: BBox | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Enterprises with open hazards; those past a rectification deadline are ``late``."""
    require_layer(user, Layer.HAZARDS)
    selector = _hazard_selector()
    if selector is None:  # pragma: no cover - require_layer said it is there
        raise MapForbidden()
    node(user, under)
    cap = _capped(limit)
    today = today or timezone.localdate()
    qs = _placed(selector(user))
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if bbox is not None:
        qs = bbox.filter(qs, "map_lng", "map_lat")
    total = qs.count()
    rows = list(
        qs.order_by(F("next_deadline").asc(nulls_last=True), "id").values(
            "id", "name", "address", "map_lng", "map_lat", "open_hazards", "next_deadline"
        )[:cap]
    )
    url = _url_maker("organisations:enterprise")
    features = [
        _point(
            r["id"],
            r["map_lng"],
            r["map_lat"],
            {
                "kind": "hazard",
                "id": r["id"],
                "title": r["name"],
                "address": r["address"],
                "open_hazards": r["open_hazards"] or 0,
                "deadline": _day(r["next_deadline"]),
                "late": bool(r["next_deadline"] and r["next_deadline"] < today),
                "url": url(r["id"]),
            },
        )
        for r in rows
    ]
    return _collection(features, total=total, limit=cap)


# --- figures per child: care visits and campaigns ------------------------------------


def _area_features(
    user: Any, figures: dict[str, dict[str, Any]], url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The polygons of the nodes in ``figures`` the user sees, carrying their figures."""
    wanted = sorted(figures)
    found = {
        r.code: r for r in regions.regions_visible_to(user).filter(code__in=wanted).order_by("code")
    }
    features = []
    for code in wanted:
        region = found.get(code)
        if region is None:
            continue
        features.append(
            region.feature(
                **figures[code],
                drill=region.level != RegionLevel.UNIT,
                url=url(code),
            )
        )
    return features


def care_layer(
    user: Any, *, under: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Care-visit coverage this month for each child of ``under`` (or each of the user's nodes):
    people in a group with a visit rule, visited, visited on time, overdue, and the rate."""
    require_layer(user, Layer.CARE)
    coverage_for = _coverage_selector()
    if coverage_for is None:  # pragma: no cover - require_layer said it is there
        raise MapForbidden()
    node(user, under)
    from wangge.care.actions import CareForbidden

    try:
        found = coverage_for(user, under=under, now=now)
    except CareForbidden as exc:
        raise MapForbidden(str(exc)) from None
    base = reverse("care:coverage")
    figures = {row.code: {"kind": "care", **row.as_dict()} for row in found.rows}
    features = _area_features(user, figures, lambda code: f"{base}?under={code}")
    return {
        "type": "FeatureCollection",
        "features": features,
        "start": found.start.isoformat(),
        "end": found.end.isoformat(),
        "total": {"kind": "care", **found.total.as_dict()},
    }


def campaigns_for_map(user: Any, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Launched campaigns the user sees (running first, newest first), with their figures."""
    require_layer(user, Layer.CAMPAIGNS)
    selectors = _campaign_selectors()
    if selectors is None:  # pragma: no cover - require_layer said it is there
        raise MapForbidden()
    from wangge.campaigns.choices import CampaignState

    campaigns = list(
        selectors.campaigns_visible_to(user)
        .exclude(state=CampaignState.DRAFT)
        .order_by(Case(When(state=CampaignState.RUNNING, then=0), default=1), "-id")[:50]
    )
    totals = selectors.totals_for(user, [c.pk for c in campaigns], now=now or timezone.now())
    return [
        {
            "id": c.pk,
            "name": c.name,
            "state": c.state,
            "state_label": c.get_state_display(),
            "deadline": _day(c.deadline),
            **totals[c.pk].as_dict(),
        }
        for c in campaigns
    ]


def campaign_layer(
    user: Any, campaign_id: int, *, under: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """A campaign's progress per grid (per minimal unit under a grid) over the targets the
    user sees: total, done, not yet contacted, follow-ups, overdue and the done rate."""
    require_layer(user, Layer.CAMPAIGNS)
    selectors = _campaign_selectors()
    if selectors is None:  # pragma: no cover - require_layer said it is there
        raise MapForbidden()
    from wangge.campaigns.choices import ProgressBy

    campaign = selectors.get_campaign_for_user(user, campaign_id)
    place = node(user, under)
    by = (
        ProgressBy.UNIT
        if place is not None and codes.level_of(place.code) >= codes.Level.GRID
        else ProgressBy.GRID
    )
    found = selectors.progress(user, campaign, by=by, now=now or timezone.now())
    rows = [r for r in found.rows if r.key and (under is None or str(r.key).startswith(under))]
    total = selectors.ProgressRow(None)
    for row in rows:
        total.add(row)
    figures = {
        str(row.key): {"kind": "campaign", "label": row.label, **row.as_dict()} for row in rows
    }
    page = _url_maker("campaigns:detail")(campaign.pk)
    features = _area_features(user, figures, lambda code: page)
    return {
        "type": "FeatureCollection",
        "features": features,
        "campaign": {"id": campaign.pk, "name": campaign.name, "url": page},
        "by": str(by),
        "total": {"kind": "campaign", **total.as_dict()},
    }
