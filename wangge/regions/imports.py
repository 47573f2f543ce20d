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


def format_size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} 字节"


def too_large_message(size: int) -> str:
    return f"文件过大（{format_size(size)}），导入文件不能超过 {format_size(MAX_IMPORT_BYTES)}"


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
            f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法识别）；"
            "用 Excel 保存时请选择“CSV UTF-8（逗号分隔）”",
        )
        return parsed
    if fmt == "geojson":
        _parse_geojson(text, parsed)
    else:
        _parse_csv(text, parsed)
    if not parsed.specs and not parsed.errors:
        parsed.fail(None, "", "file", "文件中没有任何区域")
    return parsed


# --- GeoJSON -------------------------------------------------------------------


def _parse_geojson(text: str, parsed: ParsedFile) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.fail(
            None, "", "file", f"不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        )
        return
    except RecursionError:
        parsed.fail(None, "", "file", "不是合法的 JSON（嵌套层数过多）")
        return
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        parsed.fail(None, "", "file", "GeoJSON 文件必须是一个 FeatureCollection")
        return
    features = document.get("features")
    if not isinstance(features, list):
        parsed.fail(None, "", "features", "FeatureCollection 缺少 features 数组")
        return
    for index, feature in enumerate(features):
        _parse_feature(index + 1, feature, parsed)


def _parse_feature(row: int, feature: Any, parsed: ParsedFile) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        parsed.fail(row, "", "feature", "不是 GeoJSON Feature 对象")
        return
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        parsed.fail(row, "", "properties", "properties 必须是对象")
        return
    code = _scalar_text(properties.get("code", feature.get("id")))
    if code is None:
        parsed.fail(row, "", "code", "编码必须是文本或数字")
        return
    if not code:
        parsed.fail(row, "", "code", "缺少编码（properties.code）")
        return
    name = _scalar_text(properties.get("name"))
    if name is None:
        parsed.fail(row, code, "name", "名称必须是文本")
        name = ""
    kind = _scalar_text(properties.get("kind")) or ""
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        parsed.fail(
            row, code, "geometry", "缺少范围（Feature 的 geometry 应为 Polygon 或 MultiPolygon）"
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
        parsed.fail(row, code, "point", "位置点格式应为 [经度, 纬度]")
        return None
    lng = _number(row, code, "point", "经度", value[0], parsed)
    lat = _number(row, code, "point", "纬度", value[1], parsed)
    if lng is None or lat is None:
        return None
    try:
        geo.check_lng_lat(lng, lat)
    except geo.GeometryError as exc:
        parsed.fail(row, code, "point", str(exc))
        return None
    return (lng, lat)


def _number(
    row: int, code: str, field_name: str, label: str, value: Any, parsed: ParsedFile
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        parsed.fail(row, code, field_name, f"{label}必须是数字")
        return None
    try:
        number = float(value)
    except ValueError:
        parsed.fail(row, code, field_name, f"{label}必须是数字（得到“{str(value)[:30]}”）")
        return None
    if not math.isfinite(number):
        parsed.fail(row, code, field_name, f"{label}必须是有限的数字")
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
        parsed.fail(1, "", "file", f"CSV 格式错误：{exc}")
        return
    columns = [h.strip().lower() for h in header]
    position: dict[str, int] = {}
    for i, name in enumerate(columns):
        if name in position and name in (*CSV_REQUIRED, *CSV_OPTIONAL):
            parsed.fail(header_line, "", name, f"表头中“{name}”列重复")
        position.setdefault(name, i)
    for name in CSV_REQUIRED:
        if name not in position:
            parsed.fail(
                header_line,
                "",
                name,
                f"缺少“{name}”列（表头应包含：{','.join(CSV_REQUIRED + CSV_OPTIONAL)}）",
            )
    if ("lng" in position) != ("lat" in position):
        missing = "lat" if "lng" in position else "lng"
        parsed.fail(header_line, "", missing, "经度（lng）和纬度（lat）两列需同时提供")
    if parsed.errors:
        return
    while True:
        try:
            line, cells = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.fail(None, "", "file", f"CSV 格式错误：{exc}")
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
        parsed.fail(line, "", "code", "缺少编码" if code is not None else "该行缺少“code”列的值")
        return
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        parsed.fail(
            line,
            code,
            "row",
            f"该行有 {len(cells)} 列，多于表头的 {width} 列（范围文本含逗号时需用双引号括起）",
        )
        return
    name = cell("name")
    if name is None:
        parsed.fail(line, code, "name", "该行缺少“name”列的值")
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
        parsed.fail(line, code, "geometry", "该行缺少“geometry”列的值")
        return {}
    if not text:
        parsed.fail(line, code, "geometry", "范围不能为空（GeoJSON 或 WKT）")
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "嵌套层数过多"
            parsed.fail(line, code, "geometry", f"范围不是合法的 GeoJSON（{detail}）")
            return {}
        if not isinstance(value, dict):
            parsed.fail(line, code, "geometry", "范围必须是 GeoJSON 的 Polygon 或 MultiPolygon")
            return {}
        return value
    try:
        geom = shapely.wkt.loads(text)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        parsed.fail(line, code, "geometry", "范围既不是 GeoJSON，也不是合法的 WKT")
        return {}
    if geom.geom_type not in geo.AREA_TYPES:
        parsed.fail(
            line, code, "geometry", f"范围必须是 Polygon 或 MultiPolygon（得到 {geom.geom_type}）"
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
                parsed.fail(line, code, name, f"该行缺少“{name}”列的值")
        return None
    if not lng_text and not lat_text:
        return None
    if not lng_text or not lat_text:
        parsed.fail(line, code, "lat" if lng_text else "lng", "经度和纬度需同时填写")
        return None
    lng = _number(line, code, "lng", "经度", lng_text, parsed)
    lat = _number(line, code, "lat", "纬度", lat_text, parsed)
    if lng is None or lat is None:
        return None
    ok = True
    if not -180.0 <= lng <= 180.0:
        parsed.fail(line, code, "lng", f"经度 {lng_text} 超出范围（-180 至 180）")
        ok = False
    if not -90.0 <= lat <= 90.0:
        parsed.fail(line, code, "lat", f"纬度 {lat_text} 超出范围（-90 至 90）")
        ok = False
    return (lng, lat) if ok else None


# --- import --------------------------------------------------------------------


def check_permission(actor: Any, specs: Sequence[RegionSpec]) -> None:
    """Raise ``ImportPermissionError`` for rows the actor may not create at their parent node."""
    if actor is None:
        return
    scope = scope_for(actor)
    denied = [
        RowError(s.row, s.code, "code", f"您无权在节点 {codes.parent_of(s.code) or s.code} 下导入")
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
    """One error as a line for people: ``第 3 行（440704001）geometry：范围自相交``.

    Rows of a GeoJSON file are features, counted from 1.
    """
    unit = "个要素" if fmt == "geojson" else "行"
    where = f"第 {error.row} {unit}" if error.row is not None else "文件"
    code = f"（{error.code}）" if error.code else ""
    return f"{where}{code} {error.field}：{error.message}"
