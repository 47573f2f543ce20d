"""Importing people (人员台账): the checks of ``do_create_person``, for a whole file at once.

Each row is checked like a registration: name, ID number (``stdnum.cn.ric``
through ``wangge.people.validation``: format, check digit, birth date,
province), phone, a grid or unit where the uploader may register people, the
residence type and special groups.  An ID number may appear once in the file
and must not belong to anybody the uploader already sees (found through the
blind index, like ``do_create_person``).  Rows are prepared for the write as
they are checked: encrypted identifiers, blind indexes, pinyin.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

from django.utils import timezone

from wangge.ledgers import bulk
from wangge.ledgers.columns import PEOPLE
from wangge.ledgers.importers.base import Entry, Importer, choice, too_long, user_id
from wangge.ledgers.reading import Row
from wangge.lib import codes
from wangge.lib.crypto import keyring
from wangge.people.actions import MAX_ADDRESS, MAX_NAME, MAX_NOTES, UNKNOWN_REGION
from wangge.people.choices import PersonStatus, ResidenceType
from wangge.people.models import Person, PersonTag, ResidenceHistory, Tag
from wangge.people.pinyin import name_pinyin
from wangge.people.selectors import ADD, people_visible_to
from wangge.people.validation import InvalidValue, parse_id_number, parse_phone

#: Rows per INSERT batch.
WRITE_BATCH = 5000
TAG_SEPARATORS = re.compile(r"[、,，;；/\s]+")
IMPORT_NOTE = "批量导入"

#: The person columns an import fills, in the order of a prepared row.
PERSON_COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "gender",
    "birth_date",
    "residence_type",
    "status",
    "registered_address",
    "residence_address",
    "region_code",
    "notes",
    "created_by_id",
    "created_at",
    "updated_at",
)
_REGION = PERSON_COLUMNS.index("region_code")
_ADDRESS = PERSON_COLUMNS.index("residence_address")

pinyin = lru_cache(maxsize=100_000)(name_pinyin)


class PeopleImporter(Importer):
    sheet: ClassVar = PEOPLE
    perm: ClassVar[str] = ADD
    levels: ClassVar = (codes.Level.GRID, codes.Level.UNIT)

    def setup(self) -> None:
        super().setup()
        self.tags: dict[str, int] = {}
        for pk, code, name in Tag.objects.filter(is_active=True).values_list("pk", "code", "name"):
            self.tags[code] = self.tags[name] = pk
        self.ring = keyring()
        self.today = timezone.localdate()
        now = bulk.datetime_value(timezone.now())
        self.stamp = (user_id(self.actor), now, now)
        self.rows: list[tuple[Any, ...]] = []
        self.row_tags: list[tuple[int, list[int]]] = []
        self.visible = Person.objects.all() if self.actor is None else people_visible_to(self.actor)
        self.registered = ResidenceType.REGISTERED.value
        #: The labels as the file gives them (the run's language: Chinese), looked up once.
        self.residence_types = [(value, str(label)) for value, label in ResidenceType.choices]

    def check(self, line: int, row: Row) -> None:
        errors: list[str] = []
        name = self.text(row, "name")
        if not name:
            errors.append("请填写姓名")
        elif len(name) > MAX_NAME:
            errors.append(f"姓名不能超过 {MAX_NAME} 个字")
        ident = None
        try:
            ident = parse_id_number(self.text(row, "id_number"), today=self.today)
        except InvalidValue as exc:
            errors.append(str(exc))
        phone = ""
        try:
            phone = parse_phone(self.text(row, "phone"))
        except InvalidValue as exc:
            errors.append(str(exc))
        region = self.place(row)
        if region is None:
            errors.append("最小单元编码：" + UNKNOWN_REGION)
        kind = self.text(row, "residence_type")
        residence_type = (
            self.registered if not kind else choice(kind, self.residence_types, self.registered)
        )
        if residence_type is None:
            errors.append("人员类型应为 户籍人口 或 流动人口")
        registered_address = self.text(row, "registered_address")
        residence_address = self.text(row, "residence_address")
        notes = self.text(row, "notes")
        for problem in (
            too_long(registered_address, MAX_ADDRESS, "户籍地址"),
            too_long(residence_address, MAX_ADDRESS, "实际居住地址"),
            too_long(notes, MAX_NOTES, "备注"),
        ):
            if problem:
                errors.append(problem)
        tag_ids: list[int] = []
        wanted = self.text(row, "tags")
        if wanted:
            unknown = []
            for item in TAG_SEPARATORS.split(wanted):
                if item:
                    pk = self.tags.get(item)
                    if pk is None:
                        unknown.append(item)
                    elif pk not in tag_ids:
                        tag_ids.append(pk)
            if unknown:
                errors.append(f"未知的特殊人群：{'、'.join(unknown)}")
        if ident is not None:
            digest = self.ring.blind_index(ident.number)
            first = self.repeated(digest, line)
            if first is not None:
                errors.append(f"身份证号与第 {first} 行重复")
            else:
                self.defer(Entry(line, row, digest))
        if errors:
            self.refuse(line, row, *errors)
            return
        if not self.clean:
            return  # nothing will be written: checking the rest is enough
        assert ident is not None and region is not None and residence_type is not None  # noqa: S101
        full, initials = pinyin(name)
        ring = self.ring
        if tag_ids:
            self.row_tags.append((len(self.rows), tag_ids))
        self.rows.append(
            (
                name,
                full,
                initials,
                ring.encrypt(ident.number),
                digest,
                ring.encrypt(phone) if phone else "",
                ring.blind_index(phone) if phone else "",
                ident.gender,
                bulk.date_value(ident.birth_date),
                residence_type,
                PersonStatus.ACTIVE.value,
                registered_address,
                residence_address,
                region,
                notes,
                *self.stamp,
            )
        )

    def look_up(self, batch: list[Entry]) -> None:
        found = set(
            self.visible.filter(id_number_hash__in=[entry.item for entry in batch])
            .values_list("id_number_hash", flat=True)
            .order_by()
        )
        for entry in batch:
            if entry.item in found:
                self.refuse(entry.line, entry.values, "该身份证号已登记（在您辖区内的人员中）")

    def write(self) -> int:
        rows, self.rows = self.rows, []
        ids = bulk.allocate_ids(Person, len(rows))
        extra = bulk.defaults(Person, PERSON_COLUMNS)
        columns = ["id", *PERSON_COLUMNS, *extra]
        tail = tuple(extra.values())
        for start in range(0, len(rows), WRITE_BATCH):
            bulk.insert_rows(
                Person,
                columns,
                [
                    (ids[i], *rows[i], *tail)
                    for i in range(start, min(start + WRITE_BATCH, len(rows)))
                ],
            )
        today = bulk.date_value(self.today)
        user_id, now, _ = self.stamp
        fixed = {"started_on": today, "note": IMPORT_NOTE, "recorded_by_id": user_id}
        history = {
            **bulk.defaults(ResidenceHistory, ["person_id", "region_code", "address", *fixed])
        }
        history_columns = ["person_id", "region_code", "address", *fixed, *history]
        history_tail = (*fixed.values(), *history.values())
        for start in range(0, len(rows), WRITE_BATCH):
            bulk.insert_rows(
                ResidenceHistory,
                history_columns,
                [
                    (ids[i], rows[i][_REGION], rows[i][_ADDRESS], *history_tail)
                    for i in range(start, min(start + WRITE_BATCH, len(rows)))
                ],
            )
        if self.row_tags:
            tag_fixed = {"since": today, "added_by_id": user_id}
            tag_extra = bulk.defaults(PersonTag, ["person_id", "tag_id", *tag_fixed])
            bulk.insert_rows(
                PersonTag,
                ["person_id", "tag_id", *tag_fixed, *tag_extra],
                [
                    (ids[i], tag, *tag_fixed.values(), *tag_extra.values())
                    for i, tags in self.row_tags
                    for tag in tags
                ],
            )
        self.created = len(rows)
        return len(rows)

    def summary(self) -> dict[str, Any]:
        return {
            "people": getattr(self, "created", 0),
            "tags": sum(len(t) for _i, t in self.row_tags),
        }
