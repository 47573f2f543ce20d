"""Demo residents: buildings, rooms, households and people of whole districts, generated fast.

``seed_residents(["440704"], people=300_000, seed=1)`` fills every minimal unit
of the district with what a grid worker finds there:

* **places** — residential towers of the estates (``天鹅湾3栋``, flats ``1203``),
  商住 buildings and shops along the streets (``东华路23号``, ``东华路25号之一``),
  village houses in lanes (``新塘里96号``), factory buildings with their
  dormitories; some buildings are rental housing (出租屋) with a landlord (a
  resident of the unit when there is one) and an encrypted landlord phone;
* **people** — registered families (户籍人口) in households with their relations,
  floating population (流动人口, about 35%) renting rooms alone, as roommates
  or as families, workers in dormitories; Chinese names with pinyin, ID numbers
  with a valid check digit whose birth date and sex digit match the person
  (registered: Jiangmen county codes, 4407xx; floating: the counties migrants
  to Jiangmen come from), mobile phones, a few landlines;
* **the occupancy ledger** — a current row per person in a room (1–6 tenants in
  a rental room, a few rooms over-occupied), earlier tenants who left (已离开)
  with their closed rows, and an open residence-history row per person;
* **special groups** on a realistic share: elderly living alone (~1%), empty
  nests, disabled (~1.5%), low-income households (~1%), left-behind children,
  and rare community-correction subjects, key persons and severe mental
  disorders.

The same seed gives the same people, names, ID numbers, buildings and rooms
(ciphertexts differ: every encryption takes a fresh nonce).  Rows are written
without the ORM's per-row work: primary keys are assigned here, ID numbers and
phones are encrypted and indexed once through the key ring's primitives, pinyin
is computed once per distinct name, and batches go to PostgreSQL by ``COPY``
(elsewhere by ``executemany``).  Each district is one transaction; a district
that already has people is skipped.  The load must be the only writer of these
tables while it runs (it takes the next free ids itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from stdnum.cn import ric

from wangge.demo.hierarchy import apportion
from wangge.demo.names import (
    CHINESE_DIGITS,
    GIVEN_CHARS_ANY,
    GIVEN_CHARS_FEMALE,
    GIVEN_CHARS_MALE,
    ROADS,
    SURNAMES,
    VILLAGE_PLACES,
    chinese_number,
)
from wangge.lib.crypto import PREFIX, KeyRing, keyring
from wangge.people.choices import Gender, PersonStatus, Relation, ResidenceType
from wangge.people.models import Household, Person, PersonTag, ResidenceHistory, Tag
from wangge.people.pinyin import name_pinyin
from wangge.places.choices import BuildingUse, OccupancySource
from wangge.places.models import Building, Occupancy, RentalHousing, Room

DEFAULT_PEOPLE = 300_000
#: Rows per ``COPY`` / ``executemany``.
BATCH = 20_000
#: People the showcase unit (the first street block of the first grid) gets at least.
SHOWCASE_PEOPLE = 60

_Say = Callable[[str], Any]

# --- where people come from --------------------------------------------------------------

#: Jiangmen's counties (registered residents were mostly issued their number at home).
JIANGMEN = ("440703", "440704", "440705", "440781", "440783", "440784", "440785")
#: 江海区 was 郊区 (440711) until 1994: older residents still carry that code.
OLD_CODES = {"440704": ("440711", date(1994, 1, 1))}

#: Counties the floating population of Jiangmen comes from: (code, place, weight).
ORIGINS: tuple[tuple[str, str, int], ...] = (
    ("450921", "广西壮族自治区玉林市容县", 6),
    ("450923", "广西壮族自治区玉林市博白县", 6),
    ("450981", "广西壮族自治区玉林市北流市", 5),
    ("450881", "广西壮族自治区贵港市桂平市", 6),
    ("450821", "广西壮族自治区贵港市平南县", 4),
    ("450422", "广西壮族自治区梧州市藤县", 4),
    ("430522", "湖南省邵阳市新邵县", 3),
    ("430524", "湖南省邵阳市隆回县", 3),
    ("430525", "湖南省邵阳市洞口县", 2),
    ("431121", "湖南省永州市祁阳县", 3),
    ("430421", "湖南省衡阳市衡阳县", 2),
    ("431382", "湖南省娄底市涟源市", 2),
    ("440823", "广东省湛江市遂溪县", 4),
    ("440882", "广东省湛江市雷州市", 4),
    ("440981", "广东省茂名市高州市", 5),
    ("440983", "广东省茂名市信宜市", 3),
    ("441721", "广东省阳江市阳西县", 2),
    ("441427", "广东省梅州市蕉岭县", 1),
    ("441622", "广东省河源市龙川县", 2),
    ("511623", "四川省广安市邻水县", 3),
    ("511321", "四川省南充市南部县", 3),
    ("511702", "四川省达州市通川区", 2),
    ("520521", "贵州省毕节市大方县", 3),
    ("520221", "贵州省六盘水市水城县", 2),
    ("360731", "江西省赣州市于都县", 2),
    ("360735", "江西省赣州市石城县", 1),
    ("360728", "江西省赣州市定南县", 1),
    ("411523", "河南省信阳市新县", 2),
    ("411625", "河南省周口市郸城县", 2),
    ("421123", "湖北省黄冈市罗田县", 2),
    ("420982", "湖北省孝感市安陆市", 1),
    ("500235", "重庆市云阳县", 2),
    ("500236", "重庆市奉节县", 2),
    ("530381", "云南省曲靖市宣威市", 1),
)
_ORIGIN_CUM = [sum(w for _, _, w in ORIGINS[: i + 1]) for i in range(len(ORIGINS))]

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 172 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
_PLACE_A = "新兴仁安永福和平长乐德康东西南北上下大小"
_PLACE_B = "塘安和兴隆庆宁乐华田湖岭坑冲洞坪"

# --- names -------------------------------------------------------------------------------

_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_CUM = [sum(w for _, w in SURNAMES[: i + 1]) for i in range(len(SURNAMES))]


def _surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def _given(rng: random.Random, male: bool) -> str:
    pool = GIVEN_CHARS_MALE if male else GIVEN_CHARS_FEMALE
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(GIVEN_CHARS_ANY) if rng.random() < 0.3 else rng.choice(pool)
    second = rng.choice(pool)
    if second == first:
        second = rng.choice(pool)
    return first + second


# --- fast personal-data protection -------------------------------------------------------


class Sealer:
    """``KeyRing.encrypt`` and ``KeyRing.blind_index`` without their per-call set-up.

    Same output format (``v1:<key>:<base64 nonce‖ciphertext‖tag>``, 40 hex
    digits of HMAC-SHA256); the values given are already normalised (digits
    and an upper-case X), so ``normalise`` is skipped.
    """

    def __init__(self, ring: KeyRing) -> None:
        key_id, key = ring.keys[0]
        self._aead = AESGCM(key)
        self._aad = key_id.encode()
        self._prefix = f"{PREFIX}:{key_id}:"
        self._mac = hmac.new(ring.search_key, digestmod=hashlib.sha256)

    def seal(self, text: str) -> str:
        if not text:
            return ""
        nonce = os.urandom(12)
        blob = nonce + self._aead.encrypt(nonce, text.encode(), self._aad)
        return self._prefix + base64.urlsafe_b64encode(blob).decode().rstrip("=")

    def index(self, text: str) -> str:
        if not text:
            return ""
        mac = self._mac.copy()
        mac.update(text.encode())
        return mac.hexdigest()[:40]


# --- units -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A minimal unit with the names its addresses are made of."""

    pk: int
    code: str
    name: str
    community: str
    village: bool
    street: str
    district: str


ESTATE = "estate"  # 天鹅湾3栋: one residential tower
BLOCK = "block"  # 东华路21-27号 / 直冲村北街5-9号: buildings along a street or lane
GROUP = "group"  # 直冲村一组: village houses in lanes
HAMLET = "hamlet"  # 直冲村大巷坊
CLAN = "clan"  # 直冲村陈屋
WORKSHOP = "workshop"  # 直冲工业区3号厂房: a factory and its dormitory
OTHER = "other"

_ESTATE = re.compile(r"^(?P<estate>.+?)(?P<n>\d+)栋$")
_BLOCK = re.compile(r"^(?P<street>.+?)(?P<a>\d+)-(?P<b>\d+)号$")
_WORKSHOP = re.compile(r"^(?P<park>.+工业区)(?P<n>\d+)号厂房$")

#: kind → (relative population, floating share)
KIND_PROFILE: dict[str, tuple[float, float]] = {
    ESTATE: (1.25, 0.22),
    BLOCK: (1.0, 0.45),
    GROUP: (1.4, 0.32),
    HAMLET: (1.0, 0.3),
    CLAN: (0.7, 0.18),
    WORKSHOP: (0.9, 0.88),
    OTHER: (0.8, 0.35),
}


def classify(unit: Unit) -> tuple[str, dict[str, str]]:
    """The unit's kind and the parts of its name (``estate``, ``street``, ``a``, ``b``…)."""
    name = unit.name
    if m := _ESTATE.match(name):
        return ESTATE, m.groupdict()
    if m := _WORKSHOP.match(name):
        return WORKSHOP, m.groupdict()
    if m := _BLOCK.match(name):
        parts = m.groupdict()
        if unit.village and parts["street"].startswith(unit.community):
            parts["street"] = parts["street"][len(unit.community) :]
        return BLOCK, parts
    rest = name[len(unit.community) :] if name.startswith(unit.community) else name
    if rest.endswith("组") and rest[:-1] and all(c in CHINESE_DIGITS + "十" for c in rest[:-1]):
        return GROUP, {"group": rest}
    if rest.endswith("屋") and len(rest) <= 3:
        return CLAN, {"clan": rest}
    if rest in VILLAGE_PLACES:
        return HAMLET, {"place": rest}
    return OTHER, {"name": name}


# --- what is generated -------------------------------------------------------------------


@dataclass
class Member:
    pk: int
    name: str
    male: bool
    birth: date
    relation: str = ""
    tags: list[str] = field(default_factory=list)
    phone: str = ""


@dataclass
class Group:
    """People who share a room: a household, or roommates (``household`` False)."""

    members: list[Member]
    registered: bool
    household: bool = True
    dorm: bool = False


@dataclass
class _Room:
    pk: int
    number: str
    floor: int
    address: str
    tenants: bool = False


@dataclass
class _Building:
    pk: int
    name: str
    address: str
    floors: int
    use: str
    rooms: list[_Room] = field(default_factory=list)
    rental: bool = False
    owner: Member | None = None
    owner_room: _Room | None = None
    verified: datetime | None = None


@dataclass
class ResidentsSummary:
    districts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    people: int = 0
    floating: int = 0
    left: int = 0
    households: int = 0
    buildings: int = 0
    rental_buildings: int = 0
    rooms: int = 0
    occupancies: int = 0
    over_occupied_rooms: int = 0
    tags: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def people_per_s(self) -> float:
        return self.people / self.seconds if self.seconds > 0 else 0.0


# --- writing -----------------------------------------------------------------------------

#: Columns written per model, by attribute name (the order of the row tuples).
COLUMNS: dict[type[Model], tuple[str, ...]] = {
    Building: (
        "id",
        "region_id",
        "region_code",
        "name",
        "address",
        "floors",
        "use",
        "lng",
        "lat",
        "is_rental",
        "verified_at",
        "verified_by_id",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    RentalHousing: (
        "id",
        "building_id",
        "landlord_name",
        "landlord_phone",
        "landlord_phone_hash",
        "landlord_person_id",
        "manager_name",
        "updated_at",
    ),
    Room: ("id", "building_id", "number", "floor", "area", "max_occupants", "created_at"),
    Household: ("id", "region_code", "number", "address", "head_id", "created_at"),
    Person: (
        "id",
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
        "household_id",
        "household_relation",
        "notes",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    ResidenceHistory: (
        "id",
        "person_id",
        "region_code",
        "address",
        "started_on",
        "ended_on",
        "note",
        "recorded_by_id",
        "created_at",
    ),
    Occupancy: (
        "id",
        "room_id",
        "person_id",
        "move_in",
        "move_out",
        "source",
        "out_source",
        "note",
        "recorded_by_id",
        "created_at",
        "updated_at",
    ),
    PersonTag: ("id", "person_id", "tag_id", "since", "note", "added_by_id", "created_at"),
}
MODELS: tuple[type[Model], ...] = tuple(COLUMNS)


class _Sink:
    """Rows per model, written in batches: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self, batch: int = BATCH) -> None:
        self.batch = batch
        self.rows: dict[type[Model], list[tuple[Any, ...]]] = {m: [] for m in MODELS}
        self.postgres = connection.vendor == "postgresql"
        self.written: dict[type[Model], int] = dict.fromkeys(MODELS, 0)
        self._sql: dict[type[Model], str] = {}
        for model in MODELS:
            meta = model._meta
            columns = ", ".join(
                connection.ops.quote_name(meta.get_field(_field_name(model, a)).column)
                for a in COLUMNS[model]
            )
            table = connection.ops.quote_name(meta.db_table)
            if self.postgres:
                self._sql[model] = f"COPY {table} ({columns}) FROM STDIN"
            else:
                marks = ", ".join(["%s"] * len(COLUMNS[model]))
                # Table and column names come from the models, quoted: no outside input.
                self._sql[model] = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608

    def add(self, model: type[Model], row: tuple[Any, ...]) -> None:
        rows = self.rows[model]
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush(model)

    def flush(self, model: type[Model] | None = None) -> None:
        for m in [model] if model is not None else list(MODELS):
            rows = self.rows[m]
            if not rows:
                continue
            with connection.cursor() as cursor:
                if self.postgres:
                    with cursor.cursor.copy(self._sql[m]) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self._sql[m], rows)
            self.written[m] += len(rows)
            self.rows[m] = []


def _field_name(model: type[Model], attname: str) -> str:
    return attname[:-3] if attname.endswith("_id") and attname != "id" else attname


def _next_ids() -> dict[type[Model], int]:
    from django.db.models import Max

    return {m: (m._default_manager.aggregate(n=Max("pk"))["n"] or 0) + 1 for m in MODELS}


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- the generator -----------------------------------------------------------------------


class Generator:
    """Makes and writes the places and people of a sequence of units, in code order."""

    def __init__(
        self,
        *,
        seed: int,
        today: date,
        sink: _Sink,
        sealer: Sealer,
        next_ids: dict[type[Model], int],
        tag_ids: dict[str, int],
        showcase_unit: str = "",
    ) -> None:
        self.seed = seed
        self.today = today
        self.today_ord = today.toordinal()
        self.sink = sink
        self.sealer = sealer
        self.ids = dict(next_ids)
        self.tag_ids = tag_ids
        self.showcase_unit = showcase_unit
        self.now = timezone.now()
        self._now_db = connection.ops.adapt_datetimefield_value(self.now)
        self._pinyin: dict[str, tuple[str, str]] = {}
        self._issued: set[int] = set()
        self._estate_roads: dict[tuple[str, str], tuple[str, int]] = {}
        self._lanes: dict[str, set[str]] = {}
        self._recent_addresses: list[str] = []
        self._household_serial: dict[str, int] = {}
        self._unit_buildings: list[_Building] = []
        self.summary = ResidentsSummary()
        self.rng = random.Random()

    # --- ids, dates and small values ---------------------------------------------------

    def _id(self, model: type[Model]) -> int:
        pk = self.ids[model]
        self.ids[model] = pk + 1
        return pk

    def _date(self, value: date | None) -> Any:
        return connection.ops.adapt_datefield_value(value)

    def _born(self, age_from: int, age_to: int) -> date:
        """A birth date for someone aged ``age_from``–``age_to`` today."""
        lo = int(age_from * 365.25)
        hi = int((age_to + 1) * 365.25) - 1
        return date.fromordinal(self.today_ord - self.rng.randint(lo, max(lo, hi)))

    def _age(self, birth: date) -> int:
        t = self.today
        return t.year - birth.year - ((t.month, t.day) < (birth.month, birth.day))

    def _days_ago(self, lo: int, hi: int, *, not_before: date | None = None) -> date:
        day = date.fromordinal(self.today_ord - self.rng.randint(lo, hi))
        return max(day, not_before) if not_before is not None else day

    def _pinyin_of(self, name: str) -> tuple[str, str]:
        found = self._pinyin.get(name)
        if found is None:
            found = self._pinyin[name] = name_pinyin(name)
        return found

    def _mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def _phone_for(self, birth: date) -> str:
        age = self._age(birth)
        roll = self.rng.random()
        if age < 14:
            return ""
        if age < 18:
            return self._mobile() if roll < 0.6 else ""
        if age >= 75:
            if roll < 0.45:
                return self._mobile()
            if roll < 0.7:
                return f"0750{self.rng.randint(3, 8)}{self.rng.randrange(1_000_000):06d}"
            return ""
        return self._mobile() if roll < 0.97 else ""

    def id_number(self, prefix: str, birth: date, male: bool) -> str:
        """A valid, unused ID number: place, birth date, sequence (odd for men), check digit."""
        ymd = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        rng = self.rng
        for _ in range(1000):
            seq = rng.randrange(1, 100) * 10 + rng.randrange(1 if male else 0, 10, 2)
            body = f"{prefix}{ymd}{seq:03d}"
            key = int(body)
            if key not in self._issued:
                self._issued.add(key)
                return body + ric.calc_check_digit(body)
        raise RuntimeError(f"no free ID number for {prefix} {ymd}")  # pragma: no cover

    def _registered_prefix(self, district_code: str, birth: date) -> str:
        roll = self.rng.random()
        old = OLD_CODES.get(district_code)
        if old is not None and birth < old[1] and roll < 0.3:
            return old[0]
        if roll < 0.86:
            return district_code
        return self.rng.choice(JIANGMEN)

    # --- people -------------------------------------------------------------------------

    def _member(
        self,
        age_from: int,
        age_to: int,
        *,
        male: bool,
        relation: str = "",
        surname: str | None = None,
    ) -> Member:
        birth = self._born(age_from, age_to)
        name = (surname or _surname(self.rng)) + _given(self.rng, male)
        return Member(self._id(Person), name, male, birth, relation)

    def _registered_household(self, village: bool) -> list[Member]:
        rng = self.rng
        roll = rng.random()
        male = rng.random() < 0.75
        if roll < 0.04:  # elderly living alone
            head = self._member(70, 95, male=rng.random() < 0.4, relation=Relation.HEAD)
            head.tags.append("elderly_alone")
            return [head]
        if roll < 0.12:
            return [self._member(22, 69, male=rng.random() < 0.55, relation=Relation.HEAD)]
        if roll < 0.19:
            head = self._member(23, 38, male=male, relation=Relation.HEAD)
            return [head, self._spouse(head)]
        if roll < 0.27:  # an elderly couple whose children live elsewhere
            head = self._member(60, 85, male=male, relation=Relation.HEAD)
            spouse = self._spouse(head, minimum=58)
            if rng.random() < 0.6:
                head.tags.append("empty_nest")
                spouse.tags.append("empty_nest")
            return [head, spouse]
        if roll < 0.31:  # one parent and children
            head = self._member(28, 55, male=rng.random() < 0.3, relation=Relation.HEAD)
            return [head, *self._children(head, None, rng.choice((1, 1, 2)))]
        if roll < 0.32 and village:  # grandparents with grandchildren, the parents away
            head = self._member(56, 72, male=male, relation=Relation.HEAD)
            members = [head]
            if rng.random() < 0.7:
                members.append(self._spouse(head, minimum=52))
            surname = head.name[: _surname_length(head.name)] if head.male else None
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                child = self._member(
                    3, 15, male=rng.random() < 0.52, relation=Relation.GRANDCHILD, surname=surname
                )
                child.tags.append("left_behind_child")
                members.append(child)
            return members
        if roll < 0.52:  # three generations
            head = self._member(30, 55, male=male, relation=Relation.HEAD)
            spouse = self._spouse(head)
            members = [head, spouse, *self._children(head, spouse, rng.choice((1, 1, 2, 2, 3)))]
            age = self._age(head.birth)
            surname = head.name[: _surname_length(head.name)]
            if rng.random() < 0.7:
                members.append(
                    self._member(
                        min(age + 24, 95),
                        min(age + 34, 100),
                        male=True,
                        relation=Relation.PARENT,
                        surname=surname,
                    )
                )
            members.append(
                self._member(
                    min(age + 22, 95), min(age + 32, 100), male=False, relation=Relation.PARENT
                )
            )
            return members
        head = self._member(27, 60, male=male, relation=Relation.HEAD)
        spouse = self._spouse(head)
        members = [head, spouse, *self._children(head, spouse, rng.choice((1, 1, 2, 2, 2, 3)))]
        if rng.random() < 0.03:
            members.append(self._member(18, 45, male=rng.random() < 0.5, relation=Relation.SIBLING))
        return members

    def _spouse(self, head: Member, minimum: int = 20) -> Member:
        age = self._age(head.birth)
        delta = self.rng.randint(-2, 6)
        spouse_age = max(minimum, age - delta if head.male else age + delta)
        return self._member(spouse_age, spouse_age, male=not head.male, relation=Relation.SPOUSE)

    def _children(self, head: Member, spouse: Member | None, n: int) -> list[Member]:
        father = head if head.male else spouse if spouse is not None and spouse.male else head
        surname = father.name[: _surname_length(father.name)]
        mother_age = self._age((spouse if head.male and spouse else head).birth)
        children = []
        for _ in range(n):
            age = mother_age - self.rng.randint(21, 38)
            if age < 0:
                continue
            children.append(
                self._member(
                    age,
                    age,
                    male=self.rng.random() < 0.52,
                    relation=Relation.CHILD,
                    surname=surname,
                )
            )
        return children

    def _floating_family(self) -> list[Member]:
        rng = self.rng
        head = self._member(22, 48, male=rng.random() < 0.8, relation=Relation.HEAD)
        spouse = self._spouse(head)
        return [head, spouse, *self._children(head, spouse, rng.choice((0, 0, 1, 1, 2)))]

    def _worker(self) -> Member:
        age = min(self.rng.randint(17, 30), self.rng.randint(17, 58))
        return self._member(age, age, male=self.rng.random() < 0.6)

    # --- places ---------------------------------------------------------------------------

    def _building(
        self,
        unit: Unit,
        name: str,
        address: str,
        *,
        floors: int,
        per_floor: int,
        use: str = BuildingUse.RESIDENTIAL,
        numbering: str = "flat",
        max_occupants: int | None = None,
        area: tuple[int, int] = (60, 140),
        shops: int = 0,
    ) -> _Building:
        b = _Building(self._id(Building), name, address, floors, use)
        rng = self.rng
        if rng.random() < 0.7:
            b.verified = self.now - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600))
        self._unit_buildings.append(b)
        created = self._now_db
        for floor in range(1, floors + 1):
            count = shops if floor == 1 and shops else per_floor
            for k in range(1, count + 1):
                number = f"{floor}{k:02d}" if numbering == "flat" else f"{k}"
                if floor == 1 and shops:
                    number = f"铺{k}"
                room = _Room(self._id(Room), number, floor, _room_address(address, number))
                b.rooms.append(room)
                size = Decimal(rng.randint(area[0] * 10, area[1] * 10)) / 10
                self.sink.add(Room, (room.pk, b.pk, number, floor, size, max_occupants, created))
        self.summary.buildings += 1
        self.summary.rooms += len(b.rooms)
        self._remember(address)
        return b

    def _mark_rental(
        self, unit: Unit, b: _Building, landlord: Member | None, manager: str = ""
    ) -> None:
        """Rental housing: the building's row (still in the sink) and its landlord."""
        if b.rental:
            return
        b.rental = True
        rng = self.rng
        if landlord is not None:
            name = landlord.name
            phone = landlord.phone or self._mobile()
            person_pk: int | None = landlord.pk
        else:
            name = _surname(rng) + _given(rng, rng.random() < 0.6)
            phone = self._mobile()
            person_pk = None
        self.sink.add(
            RentalHousing,
            (
                self._id(RentalHousing),
                b.pk,
                name,
                self.sealer.seal(phone),
                self.sealer.index(phone),
                person_pk,
                manager,
                self._now_db,
            ),
        )
        self.summary.rental_buildings += 1

    def _remember(self, address: str) -> None:
        recent = self._recent_addresses
        recent.append(address)
        if len(recent) > 200:
            del recent[:100]

    def _lane(self, unit: Unit) -> str:
        used = self._lanes.setdefault(unit.community, set())
        rng = self.rng
        for _ in range(50):
            a, b = rng.choice(_PLACE_A), rng.choice(_PLACE_B)
            lane = f"{a}{b}{rng.choice('里里巷坊')}"
            if a != b and lane not in used:
                used.add(lane)
                return lane
        lane = f"{unit.name}{len(used) + 1}巷"
        used.add(lane)
        return lane

    def _prefix(self, unit: Unit) -> str:
        """District and street, and the village for village units."""
        return f"{unit.district}{unit.street}{unit.community if unit.village else ''}"

    # --- one unit -------------------------------------------------------------------------

    def unit(self, unit: Unit, people: int) -> None:
        """Buildings, rooms and ``people`` residents of one minimal unit."""
        rng = self.rng = random.Random(f"wangge-demo:{self.seed}:residents:{unit.code}")
        kind, parts = classify(unit)
        showcase = unit.code == self.showcase_unit
        share = KIND_PROFILE[kind][1]
        share = min(max(share + rng.uniform(-0.1, 0.1), 0.0), 0.95)
        if showcase:
            share = max(share, 0.55)
        floating = round(people * share)
        former = round(floating * 0.04) if floating >= 10 else 0
        registered = people - floating

        district_code = unit.code[:6]
        owners: list[Group] = []
        left = registered
        while left > 0:
            members = self._registered_household(unit.village)[:left]
            left -= len(members)
            owners.append(Group(members, registered=True))
        tenants: list[Group] = []
        left = floating - former
        first = showcase
        while left > 0:
            if kind == WORKSHOP and rng.random() < 0.85:
                size = min(left, rng.randint(4, 8))
                tenants.append(
                    Group([self._worker() for _ in range(size)], False, household=False, dorm=True)
                )
            elif rng.random() < 0.3:
                members = self._floating_family()[:left]
                tenants.append(Group(members, registered=False))
            else:
                size = _roommates(rng) if not first else 8
                first = False
                tenants.append(
                    Group([self._worker() for _ in range(min(size, left))], False, household=False)
                )
            left -= len(tenants[-1].members)

        self._unit_buildings = []
        rooms = self._place(unit, kind, parts, owners, tenants, showcase)
        for b in self._unit_buildings:
            self.sink.add(
                Building,
                (
                    b.pk,
                    unit.pk,
                    unit.code,
                    b.name,
                    b.address,
                    b.floors,
                    b.use,
                    None,
                    None,
                    b.rental,
                    connection.ops.adapt_datetimefield_value(b.verified),
                    None,
                    None,
                    self._now_db,
                    self._now_db,
                ),
            )
        self._write_people(unit, district_code, owners + tenants, rooms, former)

    def _place(
        self,
        unit: Unit,
        kind: str,
        parts: dict[str, str],
        owners: list[Group],
        tenants: list[Group],
        showcase: bool,
    ) -> dict[int, _Room]:
        """Buildings and rooms for the unit; the room of each group (by ``id(group)``)."""
        rng = self.rng
        placed: dict[int, _Room] = {}
        prefix = self._prefix(unit)
        if kind == ESTATE:
            key = (unit.community, parts["estate"])
            road = self._estate_roads.get(key)
            if road is None:
                road = self._estate_roads[key] = (rng.choice(ROADS), rng.randrange(2, 300, 2))
            groups = owners + tenants
            per_floor = rng.choice((2, 4, 4, 4, 6))
            flats = max(12, math.ceil(len(groups) / rng.uniform(0.8, 0.95)))
            floors = min(max(math.ceil(flats / per_floor), 6), 33)
            per_floor = max(per_floor, math.ceil(flats / floors))
            tower = self._building(
                unit,
                unit.name,
                f"{unit.district}{unit.street}{road[0]}{road[1]}号{unit.name}",
                floors=floors,
                per_floor=per_floor,
            )
            free = rng.sample(tower.rooms, len(groups))
            for group, room in zip(groups, free, strict=True):
                placed[id(group)] = room
                room.tenants = not group.registered
            if showcase:
                self._mark_rental(unit, tower, None, manager=f"{unit.name}长租公寓管理有限公司")
            return placed

        if kind == WORKSHOP:
            n = parts["n"]
            address = f"{prefix}{parts['park']}{n}号"
            self._building(
                unit,
                f"{n}号厂房",
                address,
                floors=rng.randint(1, 4),
                per_floor=0,
                use=BuildingUse.INDUSTRIAL,
            )
            groups = tenants + owners
            per_floor = rng.randint(6, 12)
            floors = max(2, min(8, math.ceil(len(groups) / per_floor / 0.9)))
            per_floor = max(per_floor, math.ceil(len(groups) / floors))
            dorm = self._building(
                unit,
                f"{n}号厂房宿舍楼",
                f"{address}宿舍楼",
                floors=floors,
                per_floor=per_floor,
                max_occupants=8,
                area=(18, 30),
            )
            for group, room in zip(groups, rng.sample(dorm.rooms, len(groups)), strict=True):
                placed[id(group)] = room
                room.tenants = not group.registered
            return placed

        # Houses and street buildings: each registered family owns one; tenants rent rooms in
        # houses whose owner lets the upper floors, or in houses let whole.
        names = self._house_names(unit, kind, parts)
        urban = kind == BLOCK and not unit.village
        houses: list[_Building] = []

        def new_house(owner: Member | None) -> _Building:
            name = next(names)
            if urban:
                floors, per_floor = rng.randint(3, 8), rng.randint(2, 4)
                use = BuildingUse.MIXED
                shops = rng.randint(1, 3)
            else:
                floors, per_floor = rng.choice((2, 3, 3, 4, 4, 5)), rng.randint(1, 3)
                use = BuildingUse.RESIDENTIAL
                shops = 0
            b = self._building(
                unit,
                name,
                f"{prefix}{name}",
                floors=floors,
                per_floor=per_floor,
                use=use,
                shops=shops,
                area=(20, 90) if urban else (25, 120),
            )
            b.owner = owner
            houses.append(b)
            return b

        for group in owners:
            house = new_house(group.members[0])
            homes = [r for r in house.rooms if not r.number.startswith("铺")] or house.rooms
            house.owner_room = homes[0]
            placed[id(group)] = homes[0]
        # Rooms to let: besides the owner's in some owners' houses, then whole houses.
        lettable: list[tuple[_Building, _Room]] = []
        if tenants:
            for house in houses:
                if rng.random() < 0.55:
                    lettable += [
                        (house, r)
                        for r in house.rooms
                        if r is not house.owner_room and not r.number.startswith("铺")
                    ]
        rng.shuffle(lettable)
        for group in tenants:
            while not lettable:
                house = new_house(None)
                lettable += [(house, r) for r in house.rooms if not r.number.startswith("铺")]
                rng.shuffle(lettable)
            house, room = lettable.pop()
            placed[id(group)] = room
            room.tenants = True
            if not house.rental:
                landlord = house.owner
                if landlord is None and owners:
                    landlord = rng.choice(owners).members[0]
                self._mark_rental(unit, house, landlord)
        if not houses:  # nobody lives here: an empty house still stands
            new_house(None)
        if kind == BLOCK and urban and rng.random() < 0.35:
            name = next(names)
            self._building(
                unit,
                f"{name}商铺",
                f"{prefix}{name}",
                floors=rng.randint(1, 2),
                per_floor=0,
                use=BuildingUse.COMMERCIAL,
                shops=rng.randint(2, 6),
                area=(15, 80),
            )
        return placed

    def _house_names(self, unit: Unit, kind: str, parts: dict[str, str]) -> Any:
        """An endless supply of house names for the unit: 新塘里96号, 东华路23号之一…"""
        rng = self.rng
        if kind == BLOCK:
            street, a, b = parts["street"], int(parts["a"]), int(parts["b"])
            numbers = list(range(a, b + 1, 2)) or [a]
            for n in numbers:
                yield f"{street}{n}号"
            k = 1
            while True:
                for n in numbers:
                    yield f"{street}{n}号之{chinese_number(k)}"
                k += 1
        if kind == CLAN:
            n = rng.randint(1, 20)
            while True:
                yield f"{parts['clan']}{n}号"
                n += 1
        if kind == HAMLET:
            lane, n = 1, rng.randint(1, 5)
            while True:
                yield f"{parts['place']}{chinese_number(lane)}巷{n}号"
                n += 1
                if n > 30:
                    lane, n = lane + 1, 1
        while True:  # village groups and the rest: lanes with numbered houses
            lane = self._lane(unit)
            n = rng.randint(1, 60)
            for _ in range(rng.randint(15, 60)):
                yield f"{lane}{n}号"
                n += rng.choice((1, 1, 2))

    # --- rows of people ---------------------------------------------------------------

    def _write_people(
        self,
        unit: Unit,
        district_code: str,
        groups: list[Group],
        rooms: dict[int, _Room],
        former: int,
    ) -> None:
        rng = self.rng
        sink = self.sink
        add = sink.add
        seal, index = self.sealer.seal, self.sealer.index
        now = self._now_db
        summary = self.summary
        counts = summary.tags
        tenant_rooms: list[_Room] = []
        for group in groups:
            room = rooms.get(id(group))
            address = room.address if room is not None else unit.name
            registered = group.registered
            head = group.members[0]
            household_pk: int | None = None
            if group.household:
                household_pk = self._id(Household)
                number = ""
                if registered:
                    serial = self._household_serial.get(district_code, 0) + 1
                    self._household_serial[district_code] = serial
                    number = f"{unit.code[6:9]}{serial:06d}"
                add(Household, (household_pk, unit.code, number, address, head.pk, now))
                summary.households += 1
            if registered:
                source = OccupancySource.WORKER if rng.random() < 0.6 else OccupancySource.IMPORT
                move_in = self._days_ago(30, 3000)
                home = address if rng.random() < 0.88 or not self._recent_addresses else None
                if home is None:
                    home = rng.choice(self._recent_addresses)
                low_income = rng.random() < 0.015
            else:
                source = (
                    OccupancySource.LANDLORD_REPORT
                    if rng.random() < 0.7 and not group.dorm
                    else OccupancySource.WORKER
                )
                move_in = self._days_ago(5, 1500)
                origin = ORIGINS[rng.choices(range(len(ORIGINS)), cum_weights=_ORIGIN_CUM)[0]]
                home = (
                    f"{origin[1]}{rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}镇"
                    f"{rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}村{rng.randint(1, 120)}号"
                )
                low_income = False
                if room is not None:
                    tenant_rooms.append(room)
            for member in group.members:
                if registered:
                    prefix = self._registered_prefix(district_code, member.birth)
                else:
                    prefix = origin[0] if rng.random() < 0.9 else _origin_prefix(rng)
                id_number = self.id_number(prefix, member.birth, member.male)
                phone = member.phone = self._phone_for(member.birth)
                full, initials = self._pinyin_of(member.name)
                add(
                    Person,
                    (
                        member.pk,
                        member.name,
                        full,
                        initials,
                        seal(id_number),
                        index(id_number),
                        seal(phone),
                        index(phone),
                        Gender.MALE if member.male else Gender.FEMALE,
                        self._date(member.birth),
                        ResidenceType.REGISTERED if registered else ResidenceType.FLOATING,
                        PersonStatus.ACTIVE,
                        home,
                        address,
                        unit.code,
                        household_pk,
                        member.relation if household_pk is not None else "",
                        "",
                        None,
                        now,
                        now,
                    ),
                )
                since = max(move_in, member.birth)
                note = OccupancySource(source).label if room is not None else "登记"
                add(
                    ResidenceHistory,
                    (
                        self._id(ResidenceHistory),
                        member.pk,
                        unit.code,
                        address,
                        self._date(since),
                        None,
                        note,
                        None,
                        now,
                    ),
                )
                if room is not None:
                    add(
                        Occupancy,
                        (
                            self._id(Occupancy),
                            room.pk,
                            member.pk,
                            self._date(since),
                            None,
                            source,
                            "",
                            "",
                            None,
                            now,
                            now,
                        ),
                    )
                    summary.occupancies += 1
                tags = member.tags
                age = self._age(member.birth)
                roll = rng.random()
                if roll < (0.045 if age >= 60 else 0.009):
                    tags.append("disabled")
                if low_income:
                    tags.append("low_income")
                if age >= 18:
                    roll = rng.random()
                    if roll < 0.003:
                        tags.append("mental_disorder")
                    elif roll < 0.0036 and age < 60:
                        tags.append("community_correction")
                    elif roll < 0.0044:
                        tags.append("key_person")
                for tag in tags:
                    tag_pk = self.tag_ids.get(tag)
                    if tag_pk is None:
                        continue
                    add(
                        PersonTag,
                        (
                            self._id(PersonTag),
                            member.pk,
                            tag_pk,
                            self._date(self._days_ago(20, 2000, not_before=member.birth)),
                            "",
                            None,
                            now,
                        ),
                    )
                    counts[tag] = counts.get(tag, 0) + 1
                summary.people += 1
                if not registered:
                    summary.floating += 1
        self._former_tenants(unit, tenant_rooms, former)

    def _former_tenants(self, unit: Unit, rooms: list[_Room], count: int) -> None:
        """Tenants who moved out of the area: 已离开, with their closed ledger rows."""
        if not rooms:
            return
        rng = self.rng
        now = self._now_db
        for _ in range(count):
            room = rng.choice(rooms)
            member = self._worker()
            move_out = self._days_ago(3, 900)
            move_in = max(
                member.birth + timedelta(days=16 * 366),
                move_out - timedelta(days=rng.randint(30, 900)),
            )
            if move_in > move_out:
                move_in = move_out
            origin = ORIGINS[rng.choices(range(len(ORIGINS)), cum_weights=_ORIGIN_CUM)[0]]
            id_number = self.id_number(origin[0], member.birth, member.male)
            phone = self._mobile()
            full, initials = self._pinyin_of(member.name)
            self.sink.add(
                Person,
                (
                    member.pk,
                    member.name,
                    full,
                    initials,
                    self.sealer.seal(id_number),
                    self.sealer.index(id_number),
                    self.sealer.seal(phone),
                    self.sealer.index(phone),
                    Gender.MALE if member.male else Gender.FEMALE,
                    self._date(member.birth),
                    ResidenceType.FLOATING,
                    PersonStatus.LEFT,
                    f"{origin[1]}{rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}镇",
                    room.address,
                    unit.code,
                    None,
                    "",
                    "",
                    None,
                    now,
                    now,
                ),
            )
            self.sink.add(
                ResidenceHistory,
                (
                    self._id(ResidenceHistory),
                    member.pk,
                    unit.code,
                    room.address,
                    self._date(move_in),
                    None,
                    OccupancySource.LANDLORD_REPORT.label,
                    None,
                    now,
                ),
            )
            self.sink.add(
                Occupancy,
                (
                    self._id(Occupancy),
                    room.pk,
                    member.pk,
                    self._date(move_in),
                    self._date(move_out),
                    OccupancySource.LANDLORD_REPORT,
                    OccupancySource.LANDLORD_REPORT,
                    "",
                    None,
                    now,
                    now,
                ),
            )
            self.summary.people += 1
            self.summary.floating += 1
            self.summary.left += 1


def _surname_length(name: str) -> int:
    return 2 if name[:2] in ("司徒", "欧阳") else 1


def _roommates(rng: random.Random) -> int:
    """People sharing a rented room: mostly 1–3, up to 6, now and then more (over-occupied)."""
    roll = rng.random()
    if roll < 0.025:
        return rng.randint(7, 9)
    return rng.choices((1, 2, 3, 4, 5, 6), (28, 30, 20, 11, 7, 4))[0]


def _origin_prefix(rng: random.Random) -> str:
    return ORIGINS[rng.randrange(len(ORIGINS))][0]


def _room_address(building_address: str, number: str) -> str:
    """As the ledger writes it when someone moves in (``places.actions._address_of``)."""
    return (
        f"{building_address}{number}" if number.endswith("室") else f"{building_address}{number}室"
    )


# --- loading -----------------------------------------------------------------------------


def district_units(district: str) -> list[Unit]:
    """The district's minimal units in code order, with their street, community and names."""
    from wangge.regions.models import Region

    above = {
        code: (name, kind)
        for code, name, kind in Region.objects.filter(
            code__startswith=district, level__in=["district", "street", "community"]
        ).values_list("code", "name", "kind")
    }
    units = []
    for pk, code, name in (
        Region.objects.filter(code__startswith=district, level="unit")
        .order_by("code")
        .values_list("id", "code", "name")
    ):
        community, kind = above.get(code[:12], ("", "community"))
        units.append(
            Unit(
                pk=pk,
                code=code,
                name=name,
                community=community,
                village=kind == "village",
                street=above.get(code[:9], ("", ""))[0],
                district=above.get(code[:6], ("", ""))[0],
            )
        )
    return units


def unit_people(
    units: Sequence[Unit], people: int, seed: int, showcase_unit: str = ""
) -> list[int]:
    """How many people live in each unit: ``people`` in all, by the units' kinds and chance."""
    if not units or people <= 0:
        return [0] * len(units)
    rng = random.Random(f"wangge-demo:{seed}:residents:weights")
    weights = [KIND_PROFILE[classify(u)[0]][0] * rng.uniform(0.6, 1.4) for u in units]
    counts = apportion(people, weights)
    if showcase_unit and people >= 20 * SHOWCASE_PEOPLE:
        for i, unit in enumerate(units):
            if unit.code == showcase_unit and counts[i] < SHOWCASE_PEOPLE:
                missing = SHOWCASE_PEOPLE - counts[i]
                counts[i] = SHOWCASE_PEOPLE
                largest = max(range(len(counts)), key=lambda j: (counts[j], -j))
                counts[largest] -= missing
    return counts


def showcase_unit_of(units: Sequence[Unit], grid: str) -> str:
    """The unit of ``grid`` that gets a rental building with tenants whatever the numbers:
    its first street block, or its first unit."""
    in_grid = [u for u in units if u.code.startswith(grid)]
    for u in in_grid:
        if classify(u)[0] == BLOCK:
            return u.code
    return in_grid[0].code if in_grid else ""


def seed_residents(
    districts: Iterable[str],
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = 1,
    showcase_grid: str = "",
    today: date | None = None,
    say: _Say | None = None,
) -> ResidentsSummary:
    """Generate and write the places and ``people`` residents of ``districts`` (split over all
    their minimal units).  Districts that already have people are skipped."""
    from wangge.audit.actions import record

    started = time.monotonic()
    districts = list(districts)
    summary = ResidentsSummary()
    todo = []
    for code in districts:
        if Person.objects.filter(region_code__startswith=code).exists():
            summary.skipped.append(code)
        else:
            todo.append(code)
    if not todo or people <= 0:
        return summary
    units_by_district = {code: district_units(code) for code in todo}
    all_units = [u for code in todo for u in units_by_district[code]]
    showcase = showcase_unit_of(all_units, showcase_grid) if showcase_grid else ""
    counts = dict(
        zip(
            (u.code for u in all_units),
            unit_people(all_units, people, seed, showcase),
            strict=True,
        )
    )
    tag_ids = dict(Tag.objects.filter(is_active=True).values_list("code", "pk"))
    sink = _Sink()
    generator = Generator(
        seed=seed,
        today=today or timezone.localdate(),
        sink=sink,
        sealer=Sealer(keyring()),
        next_ids=_next_ids(),
        tag_ids=tag_ids,
        showcase_unit=showcase,
    )
    generator.summary = summary
    for code in todo:
        units = units_by_district[code]
        if say:
            total = sum(counts[u.code] for u in units)
            say(f"{code}：生成 {len(units):,} 个最小单元的房屋与 {total:,} 名居民…")
        before = summary.people
        with transaction.atomic():
            for i, unit in enumerate(units, start=1):
                generator.unit(unit, counts[unit.code])
                if say and i % 5000 == 0:
                    say(f"  {i:,}/{len(units):,} 个最小单元，{summary.people:,} 人")
            sink.flush()
            _reset_sequences()
            record(
                "demo.seed_residents",
                actor=None,
                object_type="people.person",
                object_repr=f"{summary.people - before} 名居民",
                region_code=code,
                after={"seed": seed, "people": summary.people - before},
            )
        summary.districts.append(code)
    summary.over_occupied_rooms = _over_occupied(summary.districts)
    summary.seconds = time.monotonic() - started
    return summary


def _over_occupied(districts: Sequence[str]) -> int:
    from django.conf import settings
    from django.db.models import Count, F, Q

    limit = int(getattr(settings, "MAX_OCCUPANTS_PER_ROOM", 6))
    total = 0
    for code in districts:
        total += (
            Occupancy.objects.filter(
                move_out__isnull=True, room__building__region_code__startswith=code
            )
            .values("room_id", "room__max_occupants")
            .annotate(n=Count("id"))
            .filter(
                Q(room__max_occupants__isnull=True, n__gt=limit)
                | Q(room__max_occupants__isnull=False, n__gt=F("room__max_occupants"))
            )
            .count()
        )
    return total


def summary_lines(s: ResidentsSummary) -> list[str]:
    if not s.districts:
        if s.skipped:
            return [f"{'、'.join(s.skipped)}：已有居民，跳过。"]
        return []
    tags = "，".join(f"{name} {s.tags.get(code, 0):,}" for code, name in _TAG_NAMES)
    return [
        f"居民：{s.people:,} 人（流动人口 {s.floating / max(s.people, 1):.0%}，已离开 {s.left:,}），"
        f"{s.households:,} 户；房屋 {s.buildings:,} 栋（出租屋 {s.rental_buildings:,}），"
        f"房间 {s.rooms:,} 间（超员 {s.over_occupied_rooms:,} 间），入住登记 {s.occupancies:,} 条；"
        f"用时 {s.seconds:.1f} 秒",
        f"特殊人群：{tags}",
    ]


_TAG_NAMES = (
    ("elderly_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("disabled", "残疾人"),
    ("low_income", "低保户"),
    ("left_behind_child", "留守儿童"),
    ("community_correction", "社区矫正对象"),
    ("mental_disorder", "严重精神障碍患者"),
    ("key_person", "重点人员"),
)

__all__ = [
    "DEFAULT_PEOPLE",
    "ResidentsSummary",
    "Sealer",
    "Unit",
    "classify",
    "district_units",
    "seed_residents",
    "summary_lines",
    "unit_people",
]
