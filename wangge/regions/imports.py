"""Import of the hierarchy from a GeoJSON or CSV file, all or nothing.

GeoJSON: a ``FeatureCollection`` whose features each describe one region::

    {"type": "Feature",
     "geometry": {"type": "Polygon", "coordinates": [...]},
     "properties": {"code": "440704001001001", "name": "东一网格",
                    "kind": "grid",            # optional
                    "point": [113.02, 22.05]}} # [lng, lat]; required for minimal units

``properties.code`` may be left out when the feature carries the code as its
``id``; ``properties.point`` may also be a GeoJSON Point object.  Row numbers
in error reports are feature positions, counted from 1.

CSV: UTF-8 with or without a byte order mark, a header line and one region
per line.  Columns (in any order, names not case-sensitive):

* ``code``, ``name``, ``geometry`` — required; ``geometry`` is GeoJSON text
  (``{"type": "Polygon", …}``) or WKT (``POLYGON ((…))``);
* ``kind`` — optional (street/town, community/village);
* ``lng``, ``lat`` — optional; the point of a minimal unit.

Other columns are ignored.  Row numbers are line numbers of the file (the
header is line 1).

Every problem is collected — parse errors across the whole file first, then
the checks of :func:`wangge.regions.actions.validate_specs` (unknown parent,
duplicate code in the file or the database, invalid or self-intersecting
polygon, child outside its parent, point outside its unit or parent) — and
reported together as a :class:`RegionImportError`; nothing is stored unless
the whole file is clean.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
import shapely.wkt
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from wangge.accounts.scope import scope_for
from wangge.lib import codes, geo
from wangge.regions.actions import (
    RegionImportError,
    RegionSpec,
    RowError,
    do_create_regions,
    validate_specs,
)
from wangge.regions.models import Region

FORMATS: tuple[str, ...] = ("auto", "geojson", "csv")

#: Largest file accepted (bytes).
MAX_IMPORT_BYTES = 50 * 1024 * 1024

CSV_REQUIRED = ("code", "name", "geometry")
CSV_OPTIONAL = ("kind", "lng", "lat")

#: Field names of parse errors → the field names of validation errors they make redundant.
_SHADOWS = {
    "lng": "point",
    "lat": "point",
    "point": "point",
    "geometry": "geometry",
    "code": "code",
}

IMPORT_PERMISSIONS = ("regions.import_regions", "regions.add_region")


class ImportPermissionError(RegionImportError):
    """The actor may not create some of the file's rows where they would go."""


@dataclass
class ParsedFile:
    """Specs read from a file, with the problems found while reading it."""

    format: str
    specs: list[RegionSpec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: (row, field) pairs already reported by the parser.
    broken: set[tuple[int | None, str]] = field(default_factory=set)

    def fail(self, row: int | None, code: str, field_name: str, message: str) -> None:
        self.errors.append(RowError(row, code, field_name, message))
        self.broken.add((row, _SHADOWS.get(field_name, field_name)))


def _missing_cell(name: str) -> str:
    return _("This row has no value in the column “%(name)s”.") % {"name": name}


def format_size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else _("%(n)d bytes") % {"n": n}


def too_large_message(size: int) -> str:
    return _("The file is too large (%(size)s); an import file may be at most %(max)s.") % {
        "size": format_size(size),
        "max": format_size(MAX_IMPORT_BYTES),
    }


def too_large(size: int) -> RegionImportError:
    return RegionImportError([RowError(None, "", "file", too_large_message(size))])


def detect_format(data: bytes, filename: str = "") -> str:
    """``geojson`` or ``csv``: from the file name's extension, else from the first character."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".txt"):
        return "csv"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "geojson" if head.startswith((b"{", b"[")) else "csv"


def parse_file(data: bytes, *, fmt: str = "auto", filename: str = "") -> ParsedFile:
    """Read every row of the file into specs, collecting problems instead of stopping."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown import format: {fmt!r}")
    if fmt == "auto":
        fmt = detect_format(data, filename)
    parsed = ParsedFile(format=fmt)
    if len(data) > MAX_IMPORT_BYTES:
        parsed.fail(None, "", "file", too_large_message(len(data)))
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        parsed.fail(
            None,
            "",
            "file",
            _(
                "The file is not UTF-8 (byte %(n)d cannot be read); when saving from Excel, "
                "choose “CSV UTF-8 (Comma delimited)”."
            )
            % {"n": exc.start + 1},
        )
        return parsed
    if fmt == "geojson":
        _parse_geojson(text, parsed)
    else:
        _parse_csv(text, parsed)
    if not parsed.specs and not parsed.errors:
        parsed.fail(None, "", "file", _("The file holds no regions."))
    return parsed


# --- GeoJSON -------------------------------------------------------------------


def _parse_geojson(text: str, parsed: ParsedFile) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.fail(
            None,
            "",
            "file",
            _("Not valid JSON (line %(line)d, column %(column)d: %(detail)s).")
            % {"line": exc.lineno, "column": exc.colno, "detail": exc.msg},
        )
        return
    except RecursionError:
        parsed.fail(None, "", "file", _("Not valid JSON (nested too deeply)."))
        return
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        parsed.fail(None, "", "file", _("A GeoJSON file must be a FeatureCollection."))
        return
    features = document.get("features")
    if not isinstance(features, list):
        parsed.fail(None, "", "features", _("The FeatureCollection has no features array."))
        return
    for index, feature in enumerate(features):
        _parse_feature(index + 1, feature, parsed)


def _parse_feature(row: int, feature: Any, parsed: ParsedFile) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        parsed.fail(row, "", "feature", _("Not a GeoJSON Feature object."))
        return
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        parsed.fail(row, "", "properties", _("properties must be an object."))
        return
    code = _scalar_text(properties.get("code", feature.get("id")))
    if code is None:
        parsed.fail(row, "", "code", _("The code must be text or a number."))
        return
    if not code:
        parsed.fail(row, "", "code", _("The code is missing (properties.code)."))
        return
    name = _scalar_text(properties.get("name"))
    if name is None:
        parsed.fail(row, code, "name", _("The name must be text."))
        name = ""
    kind = _scalar_text(properties.get("kind")) or ""
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        parsed.fail(
            row,
            code,
            "geometry",
            _("The area is missing (the Feature's geometry should be a Polygon or MultiPolygon)."),
        )
        geometry = {}
    point = _feature_point(row, code, properties.get("point"), parsed)
    parsed.specs.append(
        RegionSpec(code=code, name=name, geometry=geometry, kind=kind, point=point, row=row)
    )


def _scalar_text(value: Any) -> str | None:
    """Text of a string or number property; ``""`` when absent; ``None`` when unusable."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    return None


def _feature_point(
    row: int, code: str, value: Any, parsed: ParsedFile
) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        try:
            p = geo.parse_point(value)
        except geo.GeometryError as exc:
            parsed.fail(row, code, "point", str(exc))
            return None
        return (p.x, p.y)
    if not isinstance(value, list) or len(value) != 2:
        parsed.fail(row, code, "point", _("The point should be [longitude, latitude]."))
        return None
    lng = _number(row, code, "point", "lng", value[0], parsed)
    lat = _number(row, code, "point", "lat", value[1], parsed)
    if lng is None or lat is None:
        return None
    try:
        geo.check_lng_lat(lng, lat)
    except geo.GeometryError as exc:
        parsed.fail(row, code, "point", str(exc))
        return None
    return (lng, lat)


def _number(
    row: int, code: str, field_name: str, axis: str, value: Any, parsed: ParsedFile
) -> float | None:
    """``value`` as the longitude (``axis="lng"``) or latitude (``"lat"``)."""
    lng = axis == "lng"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        parsed.fail(
            row,
            code,
            field_name,
            _("The longitude must be a number.") if lng else _("The latitude must be a number."),
        )
        return None
    try:
        number = float(value)
    except ValueError:
        message = (
            _("The longitude must be a number (got “%(value)s”).")
            if lng
            else _("The latitude must be a number (got “%(value)s”).")
        )
        parsed.fail(row, code, field_name, message % {"value": str(value)[:30]})
        return None
    if not math.isfinite(number):
        parsed.fail(
            row,
            code,
            field_name,
            _("The longitude must be a finite number.")
            if lng
            else _("The latitude must be a finite number."),
        )
        return None
    return number


# --- CSV -----------------------------------------------------------------------


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells); quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    for cells in reader:
        start = previous + 1
        previous = reader.line_num
        yield start, cells


def _parse_csv(text: str, parsed: ParsedFile) -> None:
    csv.field_size_limit(MAX_IMPORT_BYTES)
    records = _records(text)
    try:
        header_line, header = next(records)
    except StopIteration:
        return
    except csv.Error as exc:
        parsed.fail(1, "", "file", _("CSV format error: %(detail)s") % {"detail": exc})
        return
    columns = [h.strip().lower() for h in header]
    position: dict[str, int] = {}
    for i, name in enumerate(columns):
        if name in position and name in (*CSV_REQUIRED, *CSV_OPTIONAL):
            parsed.fail(
                header_line,
                "",
                name,
                _("The column “%(name)s” appears twice in the header.") % {"name": name},
            )
        position.setdefault(name, i)
    for name in CSV_REQUIRED:
        if name not in position:
            parsed.fail(
                header_line,
                "",
                name,
                _("The column “%(name)s” is missing (the header should hold: %(columns)s).")
                % {"name": name, "columns": ",".join(CSV_REQUIRED + CSV_OPTIONAL)},
            )
    if ("lng" in position) != ("lat" in position):
        missing = "lat" if "lng" in position else "lng"
        parsed.fail(
            header_line,
            "",
            missing,
            _("Give both columns, longitude (lng) and latitude (lat)."),
        )
    if parsed.errors:
        return
    while True:
        try:
            line, cells = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.fail(None, "", "file", _("CSV format error: %(detail)s") % {"detail": exc})
            break
        if not any(c.strip() for c in cells):
            continue
        _parse_csv_row(line, cells, position, len(columns), parsed)


def _parse_csv_row(
    line: int, cells: list[str], position: dict[str, int], width: int, parsed: ParsedFile
) -> None:
    def cell(name: str) -> str | None:
        i = position.get(name)
        if i is None or i >= len(cells):
            return None
        return cells[i].strip()

    code = cell("code")
    if not code:
        parsed.fail(
            line,
            "",
            "code",
            _("The code is missing.") if code is not None else _missing_cell("code"),
        )
        return
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        parsed.fail(
            line,
            code,
            "row",
            _(
                "This row has %(cells)d columns, more than the %(width)d of the header (put an "
                "area text holding commas in double quotes)."
            )
            % {"cells": len(cells), "width": width},
        )
        return
    name = cell("name")
    if name is None:
        parsed.fail(line, code, "name", _missing_cell("name"))
        name = ""
    geometry = _csv_geometry(line, code, cell("geometry"), parsed)
    point = _csv_point(
        line,
        code,
        cell("lng") if "lng" in position else "",
        cell("lat") if "lat" in position else "",
        parsed,
    )
    parsed.specs.append(
        RegionSpec(
            code=code, name=name, geometry=geometry, kind=cell("kind") or "", point=point, row=line
        )
    )


def _csv_geometry(line: int, code: str, text: str | None, parsed: ParsedFile) -> dict[str, Any]:
    if text is None:
        parsed.fail(line, code, "geometry", _missing_cell("geometry"))
        return {}
    if not text:
        parsed.fail(line, code, "geometry", _("The area must not be empty (GeoJSON or WKT)."))
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = (
                _("The area is not valid GeoJSON (%(detail)s).") % {"detail": exc.msg}
                if isinstance(exc, json.JSONDecodeError)
                else _("The area is not valid GeoJSON (nested too deeply).")
            )
            parsed.fail(line, code, "geometry", message)
            return {}
        if not isinstance(value, dict):
            parsed.fail(
                line, code, "geometry", _("The area must be a GeoJSON Polygon or MultiPolygon.")
            )
            return {}
        return value
    try:
        geom = shapely.wkt.loads(text)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        parsed.fail(line, code, "geometry", _("The area is neither GeoJSON nor valid WKT."))
        return {}
    if geom.geom_type not in geo.AREA_TYPES:
        parsed.fail(
            line,
            code,
            "geometry",
            _("The area must be a Polygon or MultiPolygon (got %(type)s).")
            % {"type": geom.geom_type},
        )
        return {}
    # Tuples → lists, as GeoJSON read from text would be.
    result: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return result


def _csv_point(
    line: int, code: str, lng_text: str | None, lat_text: str | None, parsed: ParsedFile
) -> tuple[float, float] | None:
    if lng_text is None or lat_text is None:
        for name, value in (("lng", lng_text), ("lat", lat_text)):
            if value is None:
                parsed.fail(line, code, name, _missing_cell(name))
        return None
    if not lng_text and not lat_text:
        return None
    if not lng_text or not lat_text:
        parsed.fail(
            line,
            code,
            "lat" if lng_text else "lng",
            _("Fill in both the longitude and the latitude."),
        )
        return None
    lng = _number(line, code, "lng", "lng", lng_text, parsed)
    lat = _number(line, code, "lat", "lat", lat_text, parsed)
    if lng is None or lat is None:
        return None
    ok = True
    if not -180.0 <= lng <= 180.0:
        parsed.fail(
            line,
            code,
            "lng",
            _("The longitude %(value)s is out of range (-180 to 180).") % {"value": lng_text},
        )
        ok = False
    if not -90.0 <= lat <= 90.0:
        parsed.fail(
            line,
            code,
            "lat",
            _("The latitude %(value)s is out of range (-90 to 90).") % {"value": lat_text},
        )
        ok = False
    return (lng, lat) if ok else None


# --- import --------------------------------------------------------------------


def check_permission(actor: Any, specs: Sequence[RegionSpec]) -> None:
    """Raise ``ImportPermissionError`` for rows the actor may not create at their parent node."""
    if actor is None:
        return
    scope = scope_for(actor)
    denied = [
        RowError(
            s.row,
            s.code,
            "code",
            _("You may not import under the node %(code)s.")
            % {"code": codes.parent_of(s.code) or s.code},
        )
        for s in specs
        if codes.is_valid(s.code)
        and not all(
            scope.can(perm, codes.parent_of(s.code) or s.code) for perm in IMPORT_PERMISSIONS
        )
    ]
    if denied:
        raise ImportPermissionError(denied)


def _merge(parsed: ParsedFile, validation: list[RowError]) -> list[RowError]:
    """Parse errors, and the validation errors they do not already explain.

    A unit whose point could not be read is not also reported as missing its
    point, nor a row whose geometry could not be read as having none.
    """
    errors = list(parsed.errors)
    errors += [
        e for e in validation if (e.row, _SHADOWS.get(e.field, e.field)) not in parsed.broken
    ]
    errors.sort(key=lambda e: (e.row if e.row is not None else -1, e.code, e.field))
    return errors


def check_file(
    data: bytes, *, actor: Any = None, fmt: str = "auto", filename: str = ""
) -> ParsedFile:
    """Parse and validate without storing; raises ``RegionImportError`` listing every problem."""
    parsed = parse_file(data, fmt=fmt, filename=filename)
    check_permission(actor, parsed.specs)
    validation, _polygons = validate_specs(parsed.specs)
    errors = _merge(parsed, validation)
    if errors:
        raise RegionImportError(errors)
    return parsed


def import_file(data: bytes, *, actor: Any, fmt: str = "auto", filename: str = "") -> list[Region]:
    """Create every region of the file, or none.  Raises ``RegionImportError``.

    ``ImportPermissionError`` (a subclass) when the actor may not import some
    rows at their parent node.  ``actor=None`` is the system (the console).
    """
    parsed = parse_file(data, fmt=fmt, filename=filename)
    check_permission(actor, parsed.specs)
    if parsed.errors:
        validation, _polygons = validate_specs(parsed.specs)
        raise RegionImportError(_merge(parsed, validation))
    return do_create_regions(parsed.specs, actor=actor, audit_action="regions.import")


def import_path(
    path: Path | str, *, actor: Any = None, fmt: str = "auto", dry_run: bool = False
) -> int:
    """Import a file from disk; the number of regions created (or checked, on a dry run)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise too_large(size)
    data = path.read_bytes()
    if dry_run:
        return len(check_file(data, actor=actor, fmt=fmt, filename=path.name).specs)
    return len(import_file(data, actor=actor, fmt=fmt, filename=path.name))


def describe(error: RowError, fmt: str = "csv") -> str:
    """One error as a line for the console: ``第 3 行（440704001）geometry：范围自相交``.

    Rows of a GeoJSON file are features, counted from 1.  The console speaks the
    installation's language (``import_regions`` runs in it), so this stays Chinese.
    """
    unit = "个要素" if fmt == "geojson" else "行"
    where = f"第 {error.row} {unit}" if error.row is not None else "文件"
    code = f"（{error.code}）" if error.code else ""
    return f"{where}{code} {error.field}：{error.message}"
