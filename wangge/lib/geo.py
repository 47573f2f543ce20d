"""GeoJSON geometry checks and measures, on shapely.  Coordinates are WGS84 (lng, lat)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

KM_PER_DEGREE = 111.32
AREA_TYPES = {"Polygon", "MultiPolygon"}


class GeometryError(ValueError):
    """A geometry a user gave us is unusable; the message is in Chinese for the user."""


@dataclass(frozen=True)
class Measures:
    centroid_lng: float
    centroid_lat: float
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float
    area_km2: float


def check_lng_lat(lng: float, lat: float) -> None:
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise GeometryError(_("Coordinates must be finite numbers."))
    if not -180.0 <= lng <= 180.0:
        raise GeometryError(_("Longitude %(lng)s is out of range (-180 to 180).") % {"lng": lng})
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(_("Latitude %(lat)s is out of range (-90 to 90).") % {"lat": lat})


def parse_area(geojson: Any) -> Polygon | MultiPolygon:
    """Parse and validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one)."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in AREA_TYPES:
        raise GeometryError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geom = shape(geojson)
    except (
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        AttributeError,
        shapely.errors.GEOSException,
    ) as exc:
        raise GeometryError(
            _("The boundary's coordinates cannot be read: %(error)s") % {"error": exc}
        ) from None
    if geom.is_empty:
        raise GeometryError(_("The boundary is empty."))
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    for lng, lat in ((min_lng, min_lat), (max_lng, max_lat)):
        check_lng_lat(lng, lat)
    if not geom.is_valid:
        reason = explain_validity(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise GeometryError(_("The boundary crosses itself (%(reason)s).") % {"reason": reason})
        raise GeometryError(_("The boundary is not valid (%(reason)s).") % {"reason": reason})
    if geom.area <= 0:
        raise GeometryError(_("The boundary's area is zero."))
    if not isinstance(geom, Polygon | MultiPolygon):
        raise GeometryError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    return geom


def parse_point(geojson: Any) -> Point:
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") != "Point":
        raise GeometryError(_("The location must be a GeoJSON Point."))
    coords = geojson.get("coordinates")
    if not isinstance(coords, list | tuple) or len(coords) < 2:
        raise GeometryError(_("The location's coordinates must be [longitude, latitude]."))
    try:
        lng, lat = float(coords[0]), float(coords[1])
    except (TypeError, ValueError):
        raise GeometryError(_("The location's coordinates must be numbers.")) from None
    check_lng_lat(lng, lat)
    return Point(lng, lat)


def measures(geom: BaseGeometry) -> Measures:
    centroid = geom.centroid
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    return Measures(
        centroid_lng=round(centroid.x, 7),
        centroid_lat=round(centroid.y, 7),
        min_lng=min_lng,
        min_lat=min_lat,
        max_lng=max_lng,
        max_lat=max_lat,
        area_km2=area_km2(geom),
    )


def area_km2(geom: BaseGeometry) -> float:
    """Area on a local equirectangular projection: good to well under 1% at district size."""
    lat = geom.centroid.y
    scale = KM_PER_DEGREE * KM_PER_DEGREE * math.cos(math.radians(lat))
    return float(geom.area * scale)


def to_geojson(geom: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    """GeoJSON dict with coordinates rounded to ``precision`` decimals (~1 cm at 7)."""
    rounded = shapely.set_precision(geom, 10.0**-precision) if precision else geom
    return dict(mapping(rounded if not rounded.is_empty else geom))


def contains_with_tolerance(
    outer: BaseGeometry, inner: BaseGeometry, tolerance_deg: float = 1e-6
) -> bool:
    """True if ``inner`` lies inside ``outer``, allowing for rounding at the border."""
    return bool(outer.buffer(tolerance_deg).covers(inner))
