"""Importing city parts (城市部件), registered through ``do_create_asset``.

Each row is checked like a registration: an active type (by code, name, or
``0111 消防栓`` as the template's list gives it), the number (letters, digits
and hyphens; unique in the district, in the file and in the registry; empty
for an automatic one), the place — the point's unit or grid, or the grid or
unit given (with the point inside its grid; without a point, the unit's point
or the grid's centre is used) — where the uploader may register parts, the
state (not 已报废), the owner department of the part's district (code or
name), the installation date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.utils import timezone

from wangge.assets.actions import CODE_RE, MAX_NOTE, OUTSIDE, AssetError, do_create_asset
from wangge.assets.choices import AssetState
from wangge.assets.models import Asset, AssetType
from wangge.ledgers.columns import ASSETS
from wangge.ledgers.importers.base import Entry, RecordImporter, decimal_number
from wangge.ledgers.reading import Row
from wangge.lib import codes

TAKEN_CODE = "该部件编号已被本区其他部件使用"
#: (value, label); labels are compared in the installation's language (``services.run_import``).
STATES = [(value, label) for value, label in AssetState.choices if value != AssetState.RETIRED]


@dataclass
class NewAsset:
    type_code: str
    code: str
    name: str
    lng: float
    lat: float
    #: The grid or unit given, or the one holding the point (the action need not locate it again).
    region_code: str
    district_code: str
    address: str
    state: str
    owner_department: int | None
    installed_on: date | None
    is_new: bool
    notes: str


class AssetImporter(RecordImporter):
    sheet: ClassVar = ASSETS
    perm: ClassVar[str] = "assets.add_asset"
    levels: ClassVar = (codes.Level.GRID, codes.Level.UNIT)
    refusals: ClassVar = (AssetError,)
    fields: ClassVar = {
        "type": "type",
        "code": "code",
        "lng": "lng",
        "lat": "lat",
        "region_code": "region_code",
        "state": "state",
        "owner_department": "owner_department",
        "installed_on": "installed_on",
    }

    def setup(self) -> None:
        from wangge.regions import spatial

        super().setup()
        #: One index for the whole file (the geometry does not change under an import).
        self.spatial = spatial.get_index()
        self.today = timezone.localdate()
        self.types: dict[str, str] = {}
        for code, name in AssetType.objects.filter(is_active=True).values_list("code", "name"):
            self.types[code] = self.types[name] = self.types[f"{code} {name}"] = code
            self.types[f"{code}{name}"] = code
        self.departments: dict[tuple[str, str], int] = {}
        from wangge.accounts.models import Department

        for pk, code, name, district in Department.objects.values_list(
            "pk", "code", "name", "district__code"
        ):
            self.departments.setdefault((district, name), pk)
            self.departments[(district, code)] = pk
        self.points: dict[str, tuple[float, float] | None] = {}

    def parse(self, line: int, row: Row, errors: list[str]) -> NewAsset | None:
        wanted_type = " ".join(self.text(row, "type").split())
        type_code = self.types.get(wanted_type)
        if type_code is None:
            errors.append(
                f"未知的部件类型：{wanted_type}（见「部件类型」表）"
                if wanted_type
                else "请填写部件类型"
            )
        number = self.text(row, "code").upper()
        if number and not CODE_RE.match(number):
            errors.append(f"{self.header('code')}只能由字母、数字和连字符组成，最长 32 位")
        point = self._point(row, errors)
        place = self._place(row, point, errors)
        state = self.pick(row, "state", STATES, AssetState.NORMAL, errors)
        department = None
        wanted_department = self.text(row, "owner_department")
        if wanted_department and place is not None:
            department = self.departments.get((place[:6], wanted_department))
            if department is None:
                errors.append(
                    f"{self.header('owner_department')}：未知的部门，或该部门不属于部件所在的区"
                )
        installed_on = self.when(row, "installed_on", errors, today=self.today)
        is_new = self.flag(row, "is_new", False, errors)
        name = self.length(row, "name", 100, errors)
        address = self.length(row, "address", 200, errors)
        notes = self.length(row, "notes", MAX_NOTE, errors)
        if number and place is not None:
            first = self.repeated((place[:6], number), line)
            if first is not None:
                errors.append(f"部件编号与第 {first} 行重复")
        if errors or type_code is None or place is None or point is None or state is None:
            return None
        return NewAsset(
            type_code=type_code,
            code=number,
            name=name,
            lng=point[0],
            lat=point[1],
            region_code=place,
            district_code=place[:6],
            address=address,
            state=state,
            owner_department=department,
            installed_on=installed_on,
            is_new=is_new,
            notes=notes,
        )

    def _point(self, row: Row, errors: list[str]) -> tuple[float, float] | None:
        """The row's coordinates, or the given place's point; None if there are none."""
        raw_lng, raw_lat = self.text(row, "lng"), self.text(row, "lat")
        if not raw_lng and not raw_lat:
            given = self.place(row)
            return self._point_of(given) if given else None
        if not raw_lng or not raw_lat:
            errors.append("经度、纬度需同时填写")
            return None
        try:
            lng = float(decimal_number(raw_lng) or 0)
            lat = float(decimal_number(raw_lat) or 0)
        except ValueError:
            errors.append("经度、纬度应为数字，如 113.1234、22.5678")
            return None
        if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180):
            errors.append("经度应在 -180 到 180 之间")
            return None
        if not -90 <= lat <= 90:
            errors.append("纬度应在 -90 到 90 之间")
            return None
        return lng, lat

    def _place(self, row: Row, point: tuple[float, float] | None, errors: list[str]) -> str | None:
        """The grid or unit of the part (in the uploader's scope), or None with a message."""
        given = self.text(row, "region_code")
        if given:
            place = self.place(row)
            if place is None:
                errors.append(f"{self.header('region_code')}：{OUTSIDE}")
                return None
            if point is not None and self.text(row, "lng"):
                located = self.spatial.locate(*point)
                if located.grid_code != place[: codes.CODE_LENGTH[codes.Level.GRID]]:
                    errors.append("坐标不在所填的网格或最小单元所在网格内，请核对")
            return place
        if point is None:
            if not self.text(row, "lng") and not self.text(row, "lat"):
                errors.append("请填写经度、纬度，或网格或最小单元编码")
            return None
        located = self.spatial.locate(*point)
        place = self.allowed.get(located.unit_code or located.grid_code or "")
        if place is None:
            errors.append(f"经度、纬度：{OUTSIDE}")
        return place

    def _point_of(self, code: str) -> tuple[float, float] | None:
        """A unit's point (else its centroid), a grid's centroid."""
        if code not in self.points:
            from wangge.regions.models import Region

            found = (
                Region.objects.filter(code=code)
                .values_list("point_lng", "point_lat", "centroid_lng", "centroid_lat")
                .first()
            )
            if found is None:
                self.points[code] = None
            else:
                lng, lat, centre_lng, centre_lat = found
                self.points[code] = (
                    (lng, lat) if lng is not None and lat is not None else (centre_lng, centre_lat)
                )
        return self.points[code]

    def look_up(self, batch: list[Entry]) -> None:
        numbered = [e.item for e in batch if e.item.code]
        if not numbered:
            return
        taken = set(
            Asset.objects.filter(
                district_code__in={i.district_code for i in numbered},
                code__in={i.code for i in numbered},
            )
            .values_list("district_code", "code")
            .order_by()
        )
        for entry in batch:
            item: NewAsset = entry.item
            if item.code and (item.district_code, item.code) in taken:
                self.refuse(entry.line, entry.values, TAKEN_CODE)

    def create(self, entry: Entry) -> None:
        item: NewAsset = entry.item
        do_create_asset(
            actor=self.actor,
            type_code=item.type_code,
            lng=item.lng,
            lat=item.lat,
            region_code=item.region_code,
            code=item.code,
            name=item.name,
            address=item.address,
            state=item.state,
            owner_department=item.owner_department,
            installed_on=item.installed_on,
            is_new=item.is_new,
            notes=item.notes,
        )
        self.count("assets")
