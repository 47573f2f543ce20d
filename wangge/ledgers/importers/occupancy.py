"""Importing the occupancy ledger (入住登记), recorded through ``do_move_in``/``do_move_out``.

A row names a registered person by ID number (found through the blind index
among the people the uploader sees, like every search) and a registered room
by minimal unit, building name and room number, in a unit where the uploader
may record occupancy; the move-in date (today when empty) and, for a stay
that has ended, the move-out date.  A person appears once in the file.  A
stay already in the ledger (same person, room and move-in date, or the person
living in that room now) is refused as a duplicate; so is a move-in before
the start of the person's current stay elsewhere, as the action would.
Moving in ends the stay in another room and makes the room the person's
residence, as when a worker records it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.utils import timezone

from wangge.ledgers.columns import OCCUPANCY
from wangge.ledgers.importers.base import Entry, RecordImporter
from wangge.ledgers.reading import Row
from wangge.lib import codes
from wangge.lib.crypto import keyring
from wangge.people.errors import RecordError
from wangge.people.models import Person
from wangge.people.selectors import people_visible_to
from wangge.people.validation import InvalidValue, parse_id_number
from wangge.places.actions import UNKNOWN_PERSON, UNKNOWN_UNIT, do_move_in, do_move_out
from wangge.places.choices import OccupancySource
from wangge.places.models import Building, Occupancy, Room
from wangge.places.selectors import RECORD


@dataclass
class NewStay:
    digest: str
    unit_code: str
    building: str
    room: str
    move_in: date
    move_out: date | None
    note: str
    person_id: int | None = None
    room_id: int | None = None


class OccupancyImporter(RecordImporter):
    sheet: ClassVar = OCCUPANCY
    perm: ClassVar[str] = RECORD
    levels: ClassVar = (codes.Level.UNIT,)
    refusals: ClassVar = (RecordError,)
    fields: ClassVar = {
        "person_id": "id_number",
        "move_in": "move_in",
        "move_out": "move_out",
        "note": "note",
    }

    def setup(self) -> None:
        super().setup()
        self.ring = keyring()
        self.today = timezone.localdate()
        self.visible = Person.objects.all() if self.actor is None else people_visible_to(self.actor)

    def parse(self, line: int, row: Row, errors: list[str]) -> NewStay | None:
        digest = ""
        try:
            ident = parse_id_number(self.text(row, "id_number"), today=self.today)
        except InvalidValue as exc:
            errors.append(str(exc))
        else:
            digest = self.ring.blind_index(ident.number)
            first = self.repeated(digest, line)
            if first is not None:
                errors.append(f"身份证号与第 {first} 行重复（同一人员只能出现一次）")
        unit = self.place(row, "unit_code")
        if unit is None:
            errors.append(f"{self.header('unit_code')}：{UNKNOWN_UNIT}")
        building = self.text(row, "building")
        if not building:
            errors.append("请填写楼栋名称")
        room = self.text(row, "room")
        if not room:
            errors.append("请填写房号")
        move_in = self.when(row, "move_in", errors, today=self.today)
        move_out = self.when(row, "move_out", errors, today=self.today)
        if move_out is not None and move_out < (move_in or self.today):
            errors.append("搬离日期不能早于入住日期")
        note = self.length(row, "note", 200, errors)
        if errors or unit is None:
            return None
        return NewStay(digest, unit, building, room, move_in or self.today, move_out, note)

    def look_up(self, batch: list[Entry]) -> None:
        stays: list[NewStay] = [e.item for e in batch]
        people = dict(
            self.visible.filter(id_number_hash__in=[s.digest for s in stays])
            .values_list("id_number_hash", "pk")
            .order_by()
        )
        buildings: dict[tuple[str, str], list[int]] = defaultdict(list)
        for pk, unit, name in (
            Building.objects.filter(
                region_code__in={s.unit_code for s in stays}, name__in={s.building for s in stays}
            )
            .values_list("pk", "region_code", "name")
            .order_by("pk")
        ):
            buildings[(unit, name)].append(pk)
        rooms = {
            (building, number): pk
            for pk, building, number in Room.objects.filter(
                building_id__in={pk for pks in buildings.values() for pk in pks},
                number__in={s.room for s in stays},
            ).values_list("pk", "building_id", "number")
        }
        open_stays: dict[int, tuple[int, date]] = {}
        known: set[tuple[int, int, date]] = set()
        for person, room, move_in, move_out in Occupancy.objects.filter(
            person_id__in=people.values()
        ).values_list("person_id", "room_id", "move_in", "move_out"):
            known.add((person, room, move_in))
            if move_out is None:
                open_stays[person] = (room, move_in)
        for entry in batch:
            stay: NewStay = entry.item
            errors = []
            stay.person_id = people.get(stay.digest)
            if stay.person_id is None:
                errors.append(f"身份证号：{UNKNOWN_PERSON}（请先导入人员台账）")
            found = buildings.get((stay.unit_code, stay.building), [])
            if not found:
                errors.append(
                    f"该最小单元内没有名为「{stay.building}」的楼栋（请先导入楼栋与房间）"
                )
            elif len(found) > 1:
                errors.append(f"该最小单元内有多栋名为「{stay.building}」的楼栋，无法确定")
            else:
                stay.room_id = rooms.get((found[0], stay.room))
                if stay.room_id is None:
                    errors.append(
                        f"楼栋「{stay.building}」没有房号 {stay.room}（请先导入楼栋与房间）"
                    )
            if stay.person_id is not None and stay.room_id is not None:
                current = open_stays.get(stay.person_id)
                if (stay.person_id, stay.room_id, stay.move_in) in known:
                    errors.append("该入住记录已登记")
                elif current is not None and current[0] == stay.room_id:
                    errors.append(f"该人员已登记住在此房间（自 {current[1]:%Y-%m-%d} 起）")
                elif current is not None and stay.move_in < current[1]:
                    errors.append(
                        f"入住日期不能早于其在上一房间的入住日期（{current[1]:%Y-%m-%d}）"
                    )
            if errors:
                self.refuse(entry.line, entry.values, *errors)

    def create(self, entry: Entry) -> None:
        stay: NewStay = entry.item
        assert stay.person_id is not None and stay.room_id is not None  # noqa: S101 - looked up
        room = Room.objects.select_related("building").get(pk=stay.room_id)
        do_move_in(
            room,
            stay.person_id,
            actor=self.actor,
            move_in=stay.move_in,
            source=OccupancySource.IMPORT,
            note=stay.note,
        )
        self.count("occupancies")
        if stay.move_out is not None:
            do_move_out(
                room,
                stay.person_id,
                actor=self.actor,
                move_out=stay.move_out,
                source=OccupancySource.IMPORT,
                note=stay.note,
            )
