"""Writes to the hierarchy.  Every change of geometry bumps the spatial index revision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.lib import codes, geo
from wangge.regions.choices import KINDS_BY_LEVEL, LEVEL_ORDER, RegionKind, RegionLevel
from wangge.regions.models import Region
from wangge.regions.spatial import bump_revision

#: A child may stick out of its parent by this share of its own area (rounding at borders).
CONTAINMENT_TOLERANCE = 1e-6


@dataclass
class RegionSpec:
    """A region to create, as parsed from a seed, a form or an import row."""

    code: str
    name: str
    geometry: dict[str, Any]
    kind: str = ""
    point: tuple[float, float] | None = None  # (lng, lat), minimal units
    row: int | None = None  # the source row, for error reports


#: ``RowError.problem`` of a code that is already in use.
CODE_TAKEN = "code-taken"


@dataclass
class RowError:
    row: int | None
    code: str
    field: str
    message: str
    #: What went wrong, for code that must tell errors apart (the message is translated).
    problem: str = ""


@dataclass
class RegionImportError(Exception):
    """Nothing was stored; ``errors`` says why, row by row."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"第{e.row}行 {e.code} {e.field}：{e.message}" for e in self.errors[:20])


def _level_of(code: str) -> RegionLevel:
    return LEVEL_ORDER[int(codes.level_of(code))]


def validate_specs(
    specs: Sequence[RegionSpec], *, check_geometry: bool = True
) -> tuple[list[RowError], dict[str, BaseGeometry]]:
    """Check a batch against itself and the database.  Returns (errors, parsed polygons)."""
    errors: list[RowError] = []
    polygons: dict[str, BaseGeometry] = {}
    seen: set[str] = set()
    batch_codes = {s.code for s in specs if codes.is_valid(s.code)}

    def err(spec: RegionSpec, field_name: str, message: str, problem: str = "") -> None:
        errors.append(RowError(spec.row, spec.code, field_name, message, problem))

    candidates = set(batch_codes)
    for code in batch_codes:
        parent = codes.parent_of(code)
        if parent:
            candidates.add(parent)
    existing = set(Region.objects.filter(code__in=candidates).values_list("code", flat=True))
    parent_geoms: dict[str, BaseGeometry] = {}
    if check_geometry:
        outside_parents = {codes.parent_of(c) for c in batch_codes} - batch_codes - {None}
        for code, geometry in Region.objects.filter(code__in=outside_parents).values_list(
            "code", "geometry"
        ):
            parent_geoms[code] = shapely.geometry.shape(geometry)

    for spec in specs:
        if not codes.is_valid(spec.code):
            err(
                spec,
                "code",
                _(
                    "Invalid code: a 6-digit division code followed by groups of 3 digits "
                    "(at most 18 digits)."
                ),
            )
            continue
        if spec.code in seen:
            err(spec, "code", _("This code appears more than once in the file."))
            continue
        seen.add(spec.code)
        if spec.code in existing:
            err(spec, "code", _("This code already exists."), CODE_TAKEN)
        level = _level_of(spec.code)
        if spec.kind and spec.kind not in KINDS_BY_LEVEL[level]:
            allowed = _(", ").join(sorted(KINDS_BY_LEVEL[level]))
            err(
                spec,
                "kind",
                _("The kind does not fit the level (a %(level)s may be: %(allowed)s).")
                % {"level": level.label, "allowed": allowed},
            )
        if not spec.name or not spec.name.strip():
            err(spec, "name", _("The name must not be empty."))
        elif len(spec.name) > 100:
            err(
                spec,
                "name",
                _("The region name must be at most %(max)d characters.") % {"max": 100},
            )
        parent = codes.parent_of(spec.code)
        if parent and parent not in batch_codes and parent not in existing:
            err(spec, "parent", _("The parent node %(code)s does not exist.") % {"code": parent})
        if level is RegionLevel.UNIT and spec.point is None:
            err(spec, "point", _("A minimal unit must have a point."))
        try:
            polygon = geo.parse_area(spec.geometry)
        except geo.GeometryError as exc:
            err(spec, "geometry", str(exc))
            continue
        polygons[spec.code] = polygon
        if spec.point is not None:
            try:
                geo.check_lng_lat(*spec.point)
            except geo.GeometryError as exc:
                err(spec, "point", str(exc))
            else:
                if check_geometry and not polygon.buffer(1e-7).covers(shapely.Point(spec.point)):
                    err(spec, "point", _("The point is not inside this unit."))

    if check_geometry:
        for spec in specs:
            parent = codes.parent_of(spec.code) if codes.is_valid(spec.code) else None
            child = polygons.get(spec.code)
            outer = polygons.get(parent) if parent else None
            if outer is None and parent:
                outer = parent_geoms.get(parent)
            if child is None or outer is None:
                continue
            if not _inside(outer, child):
                err(
                    spec,
                    "geometry",
                    _("The area goes beyond that of the parent node %(code)s.") % {"code": parent},
                )
            if spec.point is not None and not outer.buffer(1e-7).covers(shapely.Point(spec.point)):
                err(
                    spec,
                    "point",
                    _("The point is not inside the parent node %(code)s.") % {"code": parent},
                )
    errors.sort(key=lambda e: (e.row if e.row is not None else -1, e.code, e.field))
    return errors, polygons


def _inside(outer: BaseGeometry, inner: BaseGeometry) -> bool:
    if outer.covers(inner):
        return True
    sticking_out = inner.difference(outer).area
    return bool(sticking_out <= CONTAINMENT_TOLERANCE * max(inner.area, 1e-12))


def _check_can_create(actor: Any, specs: Sequence[RegionSpec]) -> None:
    if actor is None:
        return
    scope = scope_for(actor)
    denied = [
        RowError(s.row, s.code, "code", _("You may not create regions under this node."))
        for s in specs
        if codes.is_valid(s.code)
        and not (
            scope.can("regions.import_regions", codes.parent_of(s.code) or s.code)
            and scope.can("regions.add_region", codes.parent_of(s.code) or s.code)
        )
    ]
    if denied:
        raise RegionImportError(denied)


@transaction.atomic
def do_create_regions(
    specs: Sequence[RegionSpec],
    *,
    actor: Any,
    check_geometry: bool = True,
    audit_action: str = "regions.create",
) -> list[Region]:
    """Create a batch of regions, all or nothing.  Raises ``RegionImportError``."""
    _check_can_create(actor, specs)
    errors, polygons = validate_specs(specs, check_geometry=check_geometry)
    if errors:
        raise RegionImportError(errors)
    ordered = sorted(specs, key=lambda s: (len(s.code), s.code))
    by_code: dict[str, Region] = {}
    parents_needed = {codes.parent_of(s.code) for s in ordered} - {s.code for s in ordered} - {None}
    by_code.update({r.code: r for r in Region.objects.filter(code__in=parents_needed)})
    created: list[Region] = []
    for depth in range(len(LEVEL_ORDER)):
        batch = []
        for spec in ordered:
            level = _level_of(spec.code)
            if level.depth != depth:
                continue
            m = geo.measures(polygons[spec.code])
            parent = codes.parent_of(spec.code)
            region = Region(
                code=spec.code,
                parent=by_code[parent] if parent else None,
                level=level,
                kind=spec.kind or _default_kind(level),
                name=spec.name.strip(),
                geometry=spec.geometry
                if spec.geometry.get("type") != "Feature"
                else spec.geometry["geometry"],
                centroid_lng=m.centroid_lng,
                centroid_lat=m.centroid_lat,
                point_lng=spec.point[0] if spec.point else None,
                point_lat=spec.point[1] if spec.point else None,
                min_lng=m.min_lng,
                min_lat=m.min_lat,
                max_lng=m.max_lng,
                max_lat=m.max_lat,
                area_km2=m.area_km2,
            )
            batch.append(region)
        if batch:
            Region.objects.bulk_create(batch, batch_size=2000)
            if any(r.pk is None for r in batch):  # backends that do not return ids
                saved = {r.code: r for r in Region.objects.filter(code__in=[r.code for r in batch])}
                batch = [saved[r.code] for r in batch]
            by_code.update({r.code: r for r in batch})
            created.extend(batch)
    bump_revision()
    roots = codes.minimal_roots([r.code for r in created])
    record(
        audit_action,
        actor=actor,
        object_type="regions.region",
        object_id=",".join(roots)[:64],
        object_repr=f"{len(created)} regions",
        region_code=roots[0] if len(roots) == 1 else "",
        after={"count": len(created), "roots": roots[:50]},
    )
    return created


def _default_kind(level: RegionLevel) -> str:
    return {
        RegionLevel.DISTRICT: RegionKind.DISTRICT,
        RegionLevel.STREET: RegionKind.STREET,
        RegionLevel.COMMUNITY: RegionKind.COMMUNITY,
        RegionLevel.GRID: RegionKind.GRID,
        RegionLevel.UNIT: RegionKind.UNIT,
    }[level]


@transaction.atomic
def do_update_region(
    region: Region,
    *,
    actor: Any,
    name: str | None = None,
    geometry: dict[str, Any] | None = None,
    point: tuple[float, float] | None = None,
) -> Region:
    """Rename or reshape one region (scope-checked); geometry changes refresh the index."""
    if actor is not None and not scope_for(actor).can("regions.change_region", region.code):
        raise RegionImportError(
            [RowError(None, region.code, "code", _("You may not change this node."))]
        )
    before = {
        "name": region.name,
        "geometry": region.geometry,
        "point": [region.point_lng, region.point_lat],
    }
    reshaped = geometry is not None or point is not None
    if point is None and region.point_lng is not None and region.point_lat is not None:
        point = (region.point_lng, region.point_lat)
    spec = RegionSpec(
        code=region.code,
        name=name if name is not None else region.name,
        geometry=geometry if geometry is not None else region.geometry,
        kind=region.kind,
        point=point,
    )
    # Validate as if new, against the parent, ignoring the row's own code clash.
    errors, polygons = validate_specs([spec])
    errors = [e for e in errors if e.problem != CODE_TAKEN]
    if errors:
        raise RegionImportError(errors)
    fields = ["name", "updated_at"]
    region.name = spec.name.strip()
    if reshaped:
        m = geo.measures(polygons[region.code])
        region.geometry = spec.geometry
        region.centroid_lng, region.centroid_lat = m.centroid_lng, m.centroid_lat
        region.min_lng, region.min_lat, region.max_lng, region.max_lat = (
            m.min_lng,
            m.min_lat,
            m.max_lng,
            m.max_lat,
        )
        region.area_km2 = m.area_km2
        if spec.point is not None:
            region.point_lng, region.point_lat = spec.point
        fields += [
            "geometry",
            "centroid_lng",
            "centroid_lat",
            "min_lng",
            "min_lat",
            "max_lng",
            "max_lat",
            "area_km2",
            "point_lng",
            "point_lat",
        ]
    region.save(update_fields=fields)
    if reshaped:
        bump_revision()
    record(
        "regions.update",
        actor=actor,
        obj=region,
        before=before,
        after={
            "name": region.name,
            "geometry": region.geometry,
            "point": [region.point_lng, region.point_lat],
        },
    )
    return region
