"""Importing buildings and rooms (楼栋与房间), through ``do_create_building``/``do_create_room``.

One row per room, the building's columns on any of its rows or repeated
alike; a row without a room number registers the building alone.  A building
is named by its minimal unit and name.  Rows of one building must not
contradict each other (two different floor counts, landlords…).  A building
already registered gets only the new rooms (its own data stays as it is); a
row registering it again without a room, and a room number it already has or
that the file repeats, are refused as duplicates.  Rental housing (出租屋)
carries its landlord and manager; a landlord's phone is checked like every
phone and stored encrypted by the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from wangge.ledgers.columns import BUILDINGS
from wangge.ledgers.importers.base import Entry, RecordImporter, decimal_number
from wangge.ledgers.reading import Row
from wangge.lib import codes
from wangge.people.errors import RecordError
from wangge.people.validation import InvalidValue, parse_phone
from wangge.places.actions import (
    MAX_FLOORS,
    UNKNOWN_UNIT,
    RentalInfo,
    do_create_building,
    do_create_room,
)
from wangge.places.choices import BuildingUse
from wangge.places.models import Building, Room
from wangge.places.selectors import ADD, ADD_ROOM

#: The building columns, merged over the rows of one building.
BUILDING_KEYS = (
    "address",
    "floors",
    "use",
    "is_rental",
    "landlord_name",
    "landlord_phone",
    "manager_name",
)
RENTAL_KEYS = ("landlord_name", "landlord_phone", "manager_name")
LOWEST_FLOOR = -5


@dataclass
class Draft:
    """A building as the file describes it, over all its rows."""

    unit_code: str
    name: str
    #: Building column → the value given, and the first line giving it.
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    looked_up: bool = False
    #: The registered building of that name in the unit, if any (and how many there are).
    existing: int | None = None
    existing_floors: int = 1
    ambiguous: bool = False
    #: The building written in this import (or the registered one, fetched for its rooms).
    building: Building | None = None

    @property
    def floors(self) -> int:
        return self.existing_floors if self.existing else int(self.values.get("floors", 1))


@dataclass
class RoomRow:
    draft: Draft
    number: str
    floor: int | None
    area: Decimal | None
    max_occupants: int | None


class BuildingImporter(RecordImporter):
    sheet: ClassVar = BUILDINGS
    perm: ClassVar[str] = ADD
    levels: ClassVar = (codes.Level.UNIT,)
    refusals: ClassVar = (RecordError,)
    fields: ClassVar = {
        "unit_code": "unit_code",
        "name": "building",
        "address": "address",
        "floors": "floors",
        "use": "use",
        "landlord_name": "landlord_name",
        "landlord_phone": "landlord_phone",
        "manager_name": "manager_name",
        "number": "room",
        "floor": "floor",
        "area": "area",
        "max_occupants": "max_occupants",
    }

    def setup(self) -> None:
        super().setup()
        self.room_places = self.places(ADD_ROOM)
        self.drafts: dict[tuple[str, str], Draft] = {}

    def parse(self, line: int, row: Row, errors: list[str]) -> RoomRow | None:
        unit = self.place(row, "unit_code")
        if unit is None:
            errors.append(f"{self.header('unit_code')}：{UNKNOWN_UNIT}")
        name = self.length(row, "building", 100, errors)
        if not name:
            errors.append("请填写楼栋名称")
        given = self._building_values(row, errors)
        number = self.text(row, "room")
        if len(number) > 16:
            errors.append("房号不能超过 16 个字符")
        floor = self.number(row, "floor", LOWEST_FLOOR, MAX_FLOORS, errors)
        if floor == 0:
            errors.append("所在楼层不能为 0（地下层填负数）")
        area = self._area(row, errors)
        max_occupants = self.number(row, "max_occupants", 1, 500, errors)
        if not number and (floor is not None or area is not None or max_occupants is not None):
            errors.append("填写了房间信息，请填写房号")
        if number and unit is not None and unit not in self.room_places:
            errors.append(f"{self.header('unit_code')}：您无权为该最小单元的楼栋登记房间")
        if unit is not None and name:
            if number:
                first = self.repeated(("room", unit, name, number), line)
                if first is not None:
                    errors.append(f"房号与第 {first} 行重复（同一楼栋）")
            else:
                first = self.repeated(("building", unit, name), line)
                if first is not None:
                    errors.append(f"楼栋与第 {first} 行重复")
        if errors or unit is None:
            return None
        draft = self.drafts.get((unit, name))
        if draft is None:
            draft = self.drafts[(unit, name)] = Draft(unit, name)
        for key, value in given.items():
            if key not in draft.values:
                draft.values[key] = value
                draft.lines[key] = line
            elif draft.values[key] != value:
                errors.append(f"楼栋信息与第 {draft.lines[key]} 行不一致：{self.header(key)}")
        if errors:
            return None
        return RoomRow(draft, number, floor, area, max_occupants)

    def _building_values(self, row: Row, errors: list[str]) -> dict[str, Any]:
        """The building columns the row fills, parsed."""
        given: dict[str, Any] = {}
        address = self.length(row, "address", 200, errors)
        if address:
            given["address"] = address
        floors = self.number(row, "floors", 1, MAX_FLOORS, errors)
        if floors is not None:
            given["floors"] = floors
        use = self.pick(row, "use", BuildingUse.choices, None, errors)
        if use is not None:
            given["use"] = use
        if self.text(row, "is_rental"):
            given["is_rental"] = self.flag(row, "is_rental", False, errors)
        for key, limit in (("landlord_name", 50), ("manager_name", 50)):
            value = self.length(row, key, limit, errors)
            if value:
                given[key] = value
        try:
            phone = parse_phone(self.text(row, "landlord_phone"))
        except InvalidValue as exc:
            errors.append(f"{self.header('landlord_phone')}：{exc}")
        else:
            if phone:
                given["landlord_phone"] = phone
        if given.get("is_rental") is False and any(k in given for k in RENTAL_KEYS):
            errors.append("填写了房东或管理人的楼栋应为出租屋")
        return given

    def _area(self, row: Row, errors: list[str]) -> Decimal | None:
        try:
            area = decimal_number(self.value(row, "area"))
        except ValueError:
            errors.append(f"{self.header('area')}应为数字")
            return None
        if area is None:
            return None
        area = area.quantize(Decimal("0.01"))
        if not Decimal("0") < area < Decimal("100000"):
            errors.append(f"{self.header('area')}应大于 0 且小于 100000 平方米")
            return None
        return area

    def look_up(self, batch: list[Entry]) -> None:
        drafts = {id(e.item.draft): e.item.draft for e in batch}.values()
        fresh = [d for d in drafts if not d.looked_up]
        if fresh:
            registered: dict[tuple[str, str], list[tuple[int, int]]] = {}
            for pk, unit, name, floors in (
                Building.objects.filter(
                    region_code__in={d.unit_code for d in fresh}, name__in={d.name for d in fresh}
                )
                .values_list("pk", "region_code", "name", "floors")
                .order_by("pk")
            ):
                registered.setdefault((unit, name), []).append((pk, floors))
            for draft in fresh:
                draft.looked_up = True
                found = registered.get((draft.unit_code, draft.name), [])
                draft.ambiguous = len(found) > 1
                if len(found) == 1:
                    draft.existing, draft.existing_floors = found[0]
        rooms = [e.item for e in batch if e.item.number and e.item.draft.existing]
        taken = set(
            Room.objects.filter(
                building_id__in={r.draft.existing for r in rooms},
                number__in={r.number for r in rooms},
            )
            .values_list("building_id", "number")
            .order_by()
            if rooms
            else []
        )
        for entry in batch:
            item: RoomRow = entry.item
            draft = item.draft
            if draft.ambiguous:
                self.refuse(
                    entry.line,
                    entry.values,
                    f"该最小单元内已有多栋名为「{draft.name}」的楼栋，无法确定是哪一栋",
                )
            elif draft.existing and not item.number:
                self.refuse(entry.line, entry.values, "该楼栋已登记；只新增房间时请填写房号")
            elif draft.existing and (draft.existing, item.number) in taken:
                self.refuse(entry.line, entry.values, "该楼栋已有此房号")

    def finish(self) -> None:
        """Room floors against the building's floors, and rental data against the rental flag:
        known once every row is read."""
        rows = {entry.line: entry.values for entry in self.entries}
        for draft in self.drafts.values():
            given = [draft.lines[k] for k in RENTAL_KEYS if k in draft.lines]
            if draft.values.get("is_rental") is False and given and not draft.existing:
                line = max(given)
                self.refuse(
                    line,
                    rows[line],
                    f"填写了房东或管理人的楼栋应为出租屋（第 {draft.lines['is_rental']} 行"
                    f"填写的「{self.header('is_rental')}」为否）",
                )
        for entry in self.entries:
            item: RoomRow = entry.item
            floors = item.draft.floors
            if item.floor is not None and item.floor > floors:
                self.refuse(
                    entry.line,
                    entry.values,
                    f"所在楼层应在 {LOWEST_FLOOR} 到 {floors} 之间（不含 0），楼栋共 {floors} 层",
                )

    def create(self, entry: Entry) -> None:
        item: RoomRow = entry.item
        draft = item.draft
        if draft.building is None:
            if draft.existing:
                draft.building = Building.objects.get(pk=draft.existing)
            else:
                draft.building = self._create_building(draft)
                self.count("buildings")
        if item.number:
            do_create_room(
                draft.building,
                actor=self.actor,
                number=item.number,
                floor=item.floor,
                area=item.area,
                max_occupants=item.max_occupants,
            )
            self.count("rooms")

    def _create_building(self, draft: Draft) -> Building:
        values = draft.values
        rental = None
        if any(key in values for key in RENTAL_KEYS):
            rental = RentalInfo(
                landlord_name=values.get("landlord_name", ""),
                landlord_phone=values.get("landlord_phone", ""),
                manager_name=values.get("manager_name", ""),
            )
        return do_create_building(
            actor=self.actor,
            unit_code=draft.unit_code,
            name=draft.name,
            address=values.get("address", ""),
            floors=int(values.get("floors", 1)),
            use=values.get("use", BuildingUse.RESIDENTIAL),
            is_rental=bool(values.get("is_rental", False)),
            rental=rental,
        )
