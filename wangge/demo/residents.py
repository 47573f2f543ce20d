"""Demo residents: buildings, rooms, households and people of whole districts, generated fast.

``seed_residents(["440704"], people=300_000, seed=1)`` fills every minimal unit
of the district with what a grid worker finds there:

* **places** — the residential tower of an estate unit (``天鹅湾3栋``, flats
  ``1203``), 商住 buildings with shops along the streets (``东华路23号``,
  ``东华路25号之一``), village houses in lanes (``新塘里96号``), a factory and its
  dormitory; rental housing (出租屋) with its landlord (a resident of the unit
  when there is one) and the landlord's phone, encrypted;
* **people** — registered families (户籍人口) in households with their relations,
  floating population (流动人口, about 35%) renting rooms alone, as roommates
  or as families, workers in dormitories; names with their pinyin, ID numbers
  with a valid check digit whose birth date and sex digit are the person's
  (registered residents: Jiangmen's county codes 4407xx; floating: the
  counties migrants to Jiangmen come from), mobiles and a few landlines;
* **the occupancy ledger** — a current row per person in their room (1–6
  tenants in a rented room, a few rooms over-occupied), tenants who left the
  area (已离开) with their closed rows, and an open residence-history row each;
* **special groups** on a realistic share: elderly living alone (~1%), empty
  nests, disabled (~1.5%), low-income households (~1%), left-behind children,
  and, rarely, community corrections, key persons, severe mental disorders.

The same seed gives the same people, names, ID numbers, buildings and rooms
(ciphertexts differ: each encryption takes a fresh nonce).  Rows skip the ORM's
per-row work: primary keys are assigned here, ID numbers and phones are
encrypted and hashed with the key ring's keys directly (``Sealer``), pinyin is
computed once per distinct name, and batches go to PostgreSQL by ``COPY``
(elsewhere by ``executemany``).  Each district is one transaction; a district
that already has people is skipped.  The load must be the only writer of these
tables while it runs: it takes the next free ids itself.

For millions of people on PostgreSQL (``background=True``, the search bench),
a second thread writes while the generator goes on, and ``rebuild_indexes``
drops the secondary indexes of these tables for the load and builds them again
at the end, which is several times faster than maintaining them row by row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import queue
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
from wangge.lib.language import in_data_language
from wangge.people.choices import Gender, PersonStatus, Relation, ResidenceType
from wangge.people.models import Household, Person, PersonTag, ResidenceHistory, Tag
from wangge.people.pinyin import name_pinyin
from wangge.places.choices import BuildingUse, OccupancySource
from wangge.places.models import Building, Occupancy, RentalHousing, Room

DEFAULT_PEOPLE = 300_000
#: Rows per ``COPY`` / ``executemany``.
BATCH = 20_000
#: People the showcase unit (a street block of the first grid: worker1's) gets at least.
SHOWCASE_PEOPLE = 60

Say = Callable[[str], Any]

# --- where people come from ----------------------------------------------------------------

#: Jiangmen's counties: registered residents were mostly issued their number here.
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
_ORIGIN_INDEX = range(len(ORIGINS))

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 172 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
#: Characters of lane, town and village names (新塘里, 安和镇…).
_PLACE_A = "新兴仁安永福和平长乐德康东西南北上下大小"
_PLACE_B = "塘安和兴隆庆宁乐华田湖岭坑冲洞坪"

# --- names ---------------------------------------------------------------------------------

_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_CUM = [sum(w for _, w in SURNAMES[: i + 1]) for i in range(len(SURNAMES))]


def _surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def _given(rng: random.Random, male: bool) -> str:
    """One or two given characters that suit a man or a woman."""
    pool = GIVEN_CHARS_MALE if male else GIVEN_CHARS_FEMALE
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(GIVEN_CHARS_ANY) if rng.random() < 0.3 else rng.choice(pool)
    second = rng.choice(pool)
    if second == first:
        second = rng.choice(pool)
    return first + second


def surname_of(name: str) -> str:
    return name[:2] if name[:2] in ("司徒", "欧阳") else name[:1]


# --- personal data, encrypted fast ---------------------------------------------------------


class Sealer:
    """``KeyRing.encrypt`` and ``KeyRing.blind_index`` without their per-call set-up.

    The same output (``v1:<key>:<base64 nonce‖ciphertext‖tag>``; 40 hex digits
    of HMAC-SHA256).  Values must already be normalised (digits, upper-case X):
    ``normalise`` is skipped.
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


# --- units ---------------------------------------------------------------------------------


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

#: kind → (relative population, share of floating population)
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


# --- what is generated ---------------------------------------------------------------------


@dataclass
class Member:
    pk: int
    name: str
    male: bool
    birth: date
    phone: str
    relation: str = ""
    tags: list[str] = field(default_factory=list)


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
    area: int  # in tenths of a square metre
    address: str
    building_address: str
    max_occupants: int | None = None


@dataclass
class _Building:
    pk: int
    name: str
    address: str
    floors: int
    use: str
    verified: datetime | None = None
    rooms: list[_Room] = field(default_factory=list)
    rental: bool = False
    owner: Member | None = None


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
    index_seconds: float = 0.0

    @property
    def people_per_s(self) -> float:
        return self.people / self.seconds if self.seconds > 0 else 0.0


# --- writing -------------------------------------------------------------------------------

#: Columns written per model, by attribute name: the order of the row tuples.
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


def column_of(model: type[Model], attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return str(f.column)
    raise LookupError(f"{model.__name__} has no field {attname!r}")


def _insert_sql(model: type[Model], postgres: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column_of(model, a)) for a in COLUMNS[model])
    if postgres:
        return f"COPY {table} ({columns}) FROM STDIN"
    marks = ", ".join(["%s"] * len(COLUMNS[model]))
    # Names from the models, quoted: nothing from outside goes into this statement.
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608


def _write(model: type[Model], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` through this thread's connection."""
    postgres = connection.vendor == "postgresql"
    sql = _insert_sql(model, postgres)
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)


class Sink:
    """Rows per model, written in batches in this thread or, with ``background``, by a writer
    thread with its own connection (PostgreSQL) while the caller generates the next ones."""

    def __init__(self, *, background: bool = False, batch: int = BATCH) -> None:
        self.batch = batch
        self.rows: dict[type[Model], list[tuple[Any, ...]]] = {m: [] for m in MODELS}
        self.background = background
        self._queue: queue.Queue[Callable[[], Any] | None] = queue.Queue(maxsize=6)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._work, name="residents-writer")
            self._thread.start()

    def add(self, model: type[Model], row: tuple[Any, ...]) -> None:
        rows = self.rows[model]
        rows.append(row)
        if len(rows) >= self.batch:
            self.rows[model] = []
            self.call(lambda: _write(model, rows))

    def flush(self) -> None:
        for model in MODELS:
            rows = self.rows[model]
            if rows:
                self.rows[model] = []
                self.call(lambda m=model, r=rows: _write(m, r))  # type: ignore[misc]

    def call(self, work: Callable[[], Any]) -> None:
        """Run ``work`` where the rows are written, after everything queued before it."""
        if self._thread is None:
            work()
            return
        self._raise()
        self._queue.put(work)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction on the writing connection."""
        if self._thread is None:
            with transaction.atomic():
                yield
            return
        self.call(lambda: transaction.set_autocommit(False))
        try:
            yield
            self.flush()
        except BaseException:
            self.call(_rollback)
            raise
        self.call(_commit)

    def close(self) -> None:
        """Wait for the writer; raise what went wrong there."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise RuntimeError(f"writing the residents failed: {error}") from error

    def _work(self) -> None:
        try:
            while True:
                work = self._queue.get()
                if work is None:
                    return
                if self._error is None:
                    try:
                        work()
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        self._error = exc
                        if not transaction.get_autocommit():
                            _rollback()
        finally:
            connection.close()


def _commit() -> None:
    transaction.commit()
    transaction.set_autocommit(True)


def _rollback() -> None:
    transaction.rollback()
    transaction.set_autocommit(True)


def _next_ids() -> dict[type[Model], int]:
    from django.db.models import Max

    return {m: (m._default_manager.aggregate(n=Max("pk"))["n"] or 0) + 1 for m in MODELS}


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the PostgreSQL indexes of the written tables that no constraint
    owns: they can be dropped for a bulk load and built again from their definitions."""
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
            "ORDER BY i.tablename, i.indexname",
            [tables],
        )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _drop_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")


def _create_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, sql in indexes:
            cursor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        cursor.execute("RESET maintenance_work_mem")


def _identity(value: Any) -> Any:
    return value


# --- the generator -------------------------------------------------------------------------


class Generator:
    """Makes the places and people of units, one unit at a time, and hands the rows to a sink."""

    def __init__(
        self,
        *,
        seed: int,
        today: date,
        sink: Sink,
        sealer: Sealer,
        next_ids: dict[type[Model], int],
        tag_ids: dict[str, int],
        showcase_unit: str = "",
        summary: ResidentsSummary | None = None,
    ) -> None:
        self.seed = seed
        self.today = today
        self.today_ord = today.toordinal()
        self.sink = sink
        self.sealer = sealer
        self.ids = dict(next_ids)
        self.tag_ids = tag_ids
        self.showcase_unit = showcase_unit
        self.summary = summary or ResidentsSummary()
        ops = connection.ops
        postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self._now_db = ops.adapt_datetimefield_value(self.now)
        self._db_date: Callable[[date | None], Any] = (
            _identity if postgres else ops.adapt_datefield_value
        )
        self._db_datetime: Callable[[datetime | None], Any] = (
            _identity if postgres else ops.adapt_datetimefield_value
        )
        self._pinyin: dict[str, tuple[str, str]] = {}
        self._issued: set[int] = set()
        self._estate_roads: dict[tuple[str, str], tuple[str, int]] = {}
        self._lanes: dict[str, set[str]] = {}
        self._recent_addresses: list[str] = []
        self._household_serial: dict[str, int] = {}
        self._buildings: list[_Building] = []
        self._tenant_rooms: list[_Room] = []
        self.rng = random.Random(seed)
        self._random = self.rng.random

    # --- small values -----------------------------------------------------------------------

    def _id(self, model: type[Model]) -> int:
        pk = self.ids[model]
        self.ids[model] = pk + 1
        return pk

    def _int(self, n: int) -> int:
        """0 ≤ i < n (``randrange`` without its checks)."""
        return int(self._random() * n)

    def _born(self, age_from: int, age_to: int) -> date:
        """A birth date for someone aged ``age_from`` to ``age_to`` today."""
        lo = int(age_from * 365.25)
        hi = max(lo + 1, int((age_to + 1) * 365.25) - 1)
        return date.fromordinal(self.today_ord - lo - self._int(hi - lo))

    def _age(self, birth: date) -> int:
        t = self.today
        return t.year - birth.year - ((t.month, t.day) < (birth.month, birth.day))

    def _days_ago(self, lo: int, hi: int, *, not_before: date | None = None) -> date:
        day = date.fromordinal(self.today_ord - lo - self._int(hi - lo + 1))
        return max(day, not_before) if not_before is not None else day

    def _pinyin_of(self, name: str) -> tuple[str, str]:
        found = self._pinyin.get(name)
        if found is None:
            found = self._pinyin[name] = name_pinyin(name)
        return found

    def _mobile(self) -> str:
        return MOBILE_PREFIXES[self._int(len(MOBILE_PREFIXES))] + f"{self._int(100_000_000):08d}"

    def _phone_for(self, age: int) -> str:
        roll = self._random()
        if age < 14:
            return ""
        if age < 18:
            return self._mobile() if roll < 0.6 else ""
        if age >= 75:
            if roll < 0.45:
                return self._mobile()
            if roll < 0.7:
                return f"0750{3 + self._int(6)}{self._int(1_000_000):06d}"
            return ""
        return self._mobile() if roll < 0.97 else ""

    def id_number(self, prefix: str, birth: date, male: bool) -> str:
        """A valid, unused ID number: place, birth date, sequence (odd for men), check digit."""
        ymd = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        sex = 1 if male else 0
        for _ in range(10_000):
            seq = (1 + self._int(99)) * 10 + 2 * self._int(5) + sex
            body = f"{prefix}{ymd}{seq:03d}"
            key = int(body)
            if key not in self._issued:
                self._issued.add(key)
                # calc_check_digit takes a whole number and ignores its last character.
                return body + ric.calc_check_digit(body + "0")
        raise RuntimeError(f"no free ID number for {prefix} {ymd}")  # pragma: no cover

    def _registered_prefix(self, district_code: str, birth: date) -> str:
        roll = self._random()
        old = OLD_CODES.get(district_code)
        if old is not None and birth < old[1] and roll < 0.3:
            return old[0]
        if roll < 0.86:
            return district_code
        return JIANGMEN[self._int(len(JIANGMEN))]

    def _origin(self) -> tuple[str, str, int]:
        return ORIGINS[self.rng.choices(_ORIGIN_INDEX, cum_weights=_ORIGIN_CUM)[0]]

    def _hometown(self, origin: tuple[str, str, int]) -> str:
        r = self.rng
        return (
            f"{origin[1]}{r.choice(_PLACE_A)}{r.choice(_PLACE_B)}镇"
            f"{r.choice(_PLACE_A)}{r.choice(_PLACE_B)}村{1 + self._int(120)}号"
        )

    # --- people -------------------------------------------------------------------------------

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
        phone = self._phone_for(self._age(birth))
        return Member(self._id(Person), name, male, birth, phone, relation)

    def _registered_household(self, village: bool) -> list[Member]:
        rng = self.rng
        roll = rng.random()
        male = rng.random() < 0.75
        if roll < 0.05:  # elderly living alone
            head = self._member(70, 95, male=rng.random() < 0.4, relation=Relation.HEAD)
            head.tags.append("elderly_alone")
            return [head]
        if roll < 0.13:
            return [self._member(22, 69, male=rng.random() < 0.55, relation=Relation.HEAD)]
        if roll < 0.2:
            head = self._member(23, 38, male=male, relation=Relation.HEAD)
            return [head, self._spouse(head)]
        if roll < 0.28:  # an elderly couple whose children live elsewhere
            head = self._member(60, 85, male=male, relation=Relation.HEAD)
            spouse = self._spouse(head, minimum=58)
            if rng.random() < 0.6:
                head.tags.append("empty_nest")
                spouse.tags.append("empty_nest")
            return [head, spouse]
        if roll < 0.32:  # one parent and children
            head = self._member(28, 55, male=rng.random() < 0.3, relation=Relation.HEAD)
            return [head, *self._children(head, None, rng.choice((1, 1, 2)))]
        if roll < 0.33 and village:  # grandparents with grandchildren, the parents away
            head = self._member(56, 72, male=male, relation=Relation.HEAD)
            members = [head]
            if rng.random() < 0.7:
                members.append(self._spouse(head, minimum=52))
            surname = surname_of(head.name) if head.male else None
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                child = self._member(
                    3, 15, male=rng.random() < 0.52, relation=Relation.GRANDCHILD, surname=surname
                )
                child.tags.append("left_behind_child")
                members.append(child)
            return members
        if roll < 0.53:  # three generations
            head = self._member(30, 55, male=male, relation=Relation.HEAD)
            spouse = self._spouse(head)
            members = [head, spouse, *self._children(head, spouse, rng.choice((1, 1, 2, 2, 3)))]
            age = self._age(head.birth)
            if rng.random() < 0.7:
                members.append(
                    self._member(
                        min(age + 24, 95),
                        min(age + 34, 100),
                        male=True,
                        relation=Relation.PARENT,
                        surname=surname_of(head.name) if head.male else None,
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
        father = spouse if spouse is not None and spouse.male else head
        surname = surname_of(father.name)
        mother = spouse if spouse is not None and head.male else head
        mother_age = self._age(mother.birth)
        children = []
        for _ in range(n):
            age = mother_age - self.rng.randint(21, 38)
            if age >= 0:
                male = self._random() < 0.52
                children.append(
                    self._member(age, age, male=male, relation=Relation.CHILD, surname=surname)
                )
        return children

    def _floating_family(self) -> list[Member]:
        head = self._member(22, 48, male=self._random() < 0.8, relation=Relation.HEAD)
        spouse = self._spouse(head)
        return [head, spouse, *self._children(head, spouse, self.rng.choice((0, 0, 1, 1, 2)))]

    def _worker(self) -> Member:
        age = min(self.rng.randint(17, 30), self.rng.randint(17, 58))
        return self._member(age, age, male=self._random() < 0.6)

    # --- one unit -----------------------------------------------------------------------------

    def unit(self, unit: Unit, people: int) -> None:
        """Buildings, rooms and ``people`` residents of one minimal unit."""
        rng = self.rng = random.Random(f"wangge-demo:{self.seed}:residents:{unit.code}")
        self._random = rng.random
        kind, parts = classify(unit)
        showcase = unit.code == self.showcase_unit
        share = min(max(KIND_PROFILE[kind][1] + rng.uniform(-0.1, 0.1), 0.0), 0.95)
        if showcase:
            share = max(share, 0.55)
        floating = min(int(people * share + rng.random()), people)  # right on average
        # Tenants who have left since: their rooms are let again (to at least one tenant).
        former = min(int(floating * 0.04 + rng.random()), max(floating - 1, 0))
        registered = people - floating

        owners: list[Group] = []
        left = registered
        while left > 0:
            members = self._registered_household(unit.village)[:left]
            left -= len(members)
            owners.append(Group(members, registered=True))
        tenants: list[Group] = []
        left = floating - former
        crowded = showcase  # the showcase's first room of roommates is over-occupied
        while left > 0:
            if kind == WORKSHOP and rng.random() < 0.85:
                size = rng.randint(4, 8)
                group = Group([self._worker() for _ in range(min(size, left))], False, False, True)
            elif rng.random() < 0.3:
                group = Group(self._floating_family()[:left], registered=False)
            else:
                size = 8 if crowded else _roommates(rng)
                crowded = False
                group = Group([self._worker() for _ in range(min(size, left))], False, False)
            tenants.append(group)
            left -= len(group.members)

        self._buildings = []
        self._tenant_rooms = []
        rooms = self._place(unit, kind, parts, owners, tenants, showcase)
        for b in self._buildings:
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
                    self._db_datetime(b.verified),
                    None,
                    None,
                    self._now_db,
                    self._now_db,
                ),
            )
            for r in b.rooms:
                area = Decimal(r.area) / 10
                self.sink.add(
                    Room, (r.pk, b.pk, r.number, r.floor, area, r.max_occupants, self._now_db)
                )
        for group in owners + tenants:
            self._write_group(unit, group, rooms.get(id(group)))
        if self._tenant_rooms:
            for _ in range(former):
                self._former_tenant(unit, rng.choice(self._tenant_rooms))

    # --- places -------------------------------------------------------------------------------

    def _building(
        self,
        unit: Unit,
        name: str,
        address: str,
        *,
        floors: int,
        per_floor: int,
        use: str = BuildingUse.RESIDENTIAL,
        max_occupants: int | None = None,
        area: tuple[int, int] = (60, 140),
        shops: int = 0,
    ) -> _Building:
        """A building with ``per_floor`` rooms a floor (``101``, ``102``…; shops ``铺1``…)."""
        b = _Building(self._id(Building), name, address, floors, use)
        if self._random() < 0.7:  # verified on site, some of them long ago (stale)
            b.verified = self.now - timedelta(days=1 + self._int(400), minutes=self._int(600))
        self._buildings.append(b)
        low, span = area[0] * 10, (area[1] - area[0]) * 10
        for floor in range(1, floors + 1):
            shop_floor = floor == 1 and shops > 0
            for k in range(1, (shops if shop_floor else per_floor) + 1):
                number = f"铺{k}" if shop_floor else f"{floor}{k:02d}"
                area_tenths = low + self._int(span + 1)
                b.rooms.append(
                    _Room(
                        self._id(Room),
                        number,
                        floor,
                        area_tenths,
                        _room_address(address, number),
                        address,
                        max_occupants,
                    )
                )
        self.summary.buildings += 1
        self.summary.rooms += len(b.rooms)
        self._recent_addresses.append(address)
        if len(self._recent_addresses) > 200:
            del self._recent_addresses[:100]
        return b

    def _mark_rental(self, b: _Building, landlord: Member | None, manager: str = "") -> None:
        """Make ``b`` rental housing (出租屋) let by ``landlord`` (someone else when None)."""
        if b.rental:
            return
        b.rental = True
        rng = self.rng
        if landlord is not None:
            name, phone, person_pk = landlord.name, landlord.phone, landlord.pk
        else:
            name, phone, person_pk = _surname(rng) + _given(rng, rng.random() < 0.6), "", None
        phone = phone if phone.startswith("1") else self._mobile()
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

    def _place(
        self,
        unit: Unit,
        kind: str,
        parts: dict[str, str],
        owners: list[Group],
        tenants: list[Group],
        showcase: bool,
    ) -> dict[int, _Room]:
        """The unit's buildings and rooms; the room of each group, by ``id(group)``."""
        rng = self.rng
        placed: dict[int, _Room] = {}
        prefix = f"{unit.district}{unit.street}{unit.community if unit.village else ''}"

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
            for group, room in zip(groups, rng.sample(tower.rooms, len(groups)), strict=True):
                placed[id(group)] = room
                if group.registered:
                    _home(room)
                else:
                    self._tenant_rooms.append(room)
            if showcase:  # let whole as a long-term rental apartment building
                self._mark_rental(tower, None, manager=f"{parts['estate']}长租公寓管理有限公司")
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
                if not group.registered:
                    self._tenant_rooms.append(room)
            return placed

        # Streets and villages: registered families own the houses (in the city several
        # families share a building); tenants rent rooms in houses whose owner lets the
        # rest, or in houses let whole.
        names = self._house_names(unit, kind, parts)
        urban = kind == BLOCK and not unit.village
        houses: list[_Building] = []
        lettable: list[tuple[_Building, _Room]] = []

        def new_house(owner: Member | None) -> _Building:
            name = next(names)
            if urban:
                floors, per_floor, shops = rng.randint(3, 8), rng.randint(2, 4), rng.randint(1, 3)
                use = BuildingUse.MIXED
            else:
                floors, per_floor, shops = rng.choice((2, 3, 3, 4, 4, 5)), rng.randint(1, 3), 0
                use = BuildingUse.RESIDENTIAL
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

        homes: list[_Room] = []
        for group in owners:
            if not homes:
                house = new_house(group.members[0])
                homes = [r for r in house.rooms if not r.number.startswith("铺")]
                if urban:  # families take the lower floors, the rest may be let
                    homes = homes[: max(1, len(homes) // 2)]
                else:
                    homes = homes[:1]
                free = [r for r in house.rooms if not r.number.startswith("铺")][len(homes) :]
                if tenants and rng.random() < 0.55:
                    lettable += [(house, r) for r in free]
            placed[id(group)] = _home(homes.pop(0))
        rng.shuffle(lettable)
        for group in tenants:
            while not lettable:
                house = new_house(None)
                lettable += [(house, r) for r in house.rooms if not r.number.startswith("铺")]
                rng.shuffle(lettable)
            house, room = lettable.pop()
            placed[id(group)] = room
            self._tenant_rooms.append(room)
            if not house.rental:
                landlord = house.owner
                if landlord is None and owners:
                    landlord = rng.choice(owners).members[0]
                self._mark_rental(house, landlord)
        if not houses:  # nobody lives here: an empty house still stands
            new_house(None)
        if urban and rng.random() < 0.35:
            name = next(names)
            self._building(
                unit,
                name,
                f"{prefix}{name}",
                floors=rng.randint(1, 2),
                per_floor=0,
                use=BuildingUse.COMMERCIAL,
                shops=rng.randint(2, 6),
                area=(15, 80),
            )
        return placed

    def _house_names(self, unit: Unit, kind: str, parts: dict[str, str]) -> Iterator[str]:
        """Endless house names for the unit: 东华路23号, 东华路23号之一, 新塘里96号…"""
        rng = self.rng
        if kind == BLOCK:
            street, a, b = parts["street"], int(parts["a"]), int(parts["b"])
            numbers = list(range(a, b + 1, 2)) or [a]
            yield from (f"{street}{n}号" for n in numbers)
            k = 1
            while True:
                yield from (f"{street}{n}号之{chinese_number(min(k, 99))}" for n in numbers)
                k += 1
        if kind == CLAN:
            n = rng.randint(1, 20)
            while True:
                yield f"{parts['clan']}{n}号"
                n += 1
        if kind == HAMLET:
            alley, n = 1, rng.randint(1, 5)
            while True:
                yield f"{parts['place']}{chinese_number(min(alley, 99))}巷{n}号"
                n += 1
                if n > 30:
                    alley, n = alley + 1, 1
        while True:  # village groups and the rest: lanes of numbered houses
            lane = self._lane(unit)
            n = rng.randint(1, 60)
            for _ in range(rng.randint(15, 60)):
                yield f"{lane}{n}号"
                n += rng.choice((1, 1, 2))

    # --- rows of people -----------------------------------------------------------------------

    def _write_group(self, unit: Unit, group: Group, room: _Room | None) -> None:
        rng = self.rng
        add = self.sink.add
        seal, index = self.sealer.seal, self.sealer.index
        now = self._now_db
        summary = self.summary
        counts = summary.tags
        db_date = self._db_date
        district = unit.code[:6]
        registered = group.registered
        # A few registered families are known at the unit but not yet in the ledger.
        in_ledger = room is not None and (not registered or self._random() >= 0.01)
        address = (
            room.address if in_ledger and room else room.building_address if room else unit.name
        )
        household_pk: int | None = None
        if group.household:
            household_pk = self._id(Household)
            number = ""
            if registered:
                serial = self._household_serial.get(district, 0) + 1
                self._household_serial[district] = serial
                number = f"{unit.code[6:9]}{serial:06d}"
            add(Household, (household_pk, unit.code, number, address, group.members[0].pk, now))
            summary.households += 1
        origin = ORIGINS[0]
        if registered:
            source = OccupancySource.WORKER if self._random() < 0.6 else OccupancySource.IMPORT
            move_in = self._days_ago(30, 3000)
            home = address
            if self._random() < 0.12 and self._recent_addresses:  # 人户分离
                home = rng.choice(self._recent_addresses)
            low_income = self._random() < 0.015
            residence = ResidenceType.REGISTERED
        else:
            dorm = group.dorm or self._random() < 0.3
            source = OccupancySource.WORKER if dorm else OccupancySource.LANDLORD_REPORT
            move_in = self._days_ago(5, 1500)
            origin = self._origin()
            home = self._hometown(origin)
            low_income = False
            residence = ResidenceType.FLOATING
        note = in_data_language(OccupancySource(source).label) if in_ledger else "登记"
        for member in group.members:
            if registered:
                prefix = self._registered_prefix(district, member.birth)
            else:
                prefix = origin[0] if self._random() < 0.9 else self._origin()[0]
            id_number = self.id_number(prefix, member.birth, member.male)
            phone = member.phone
            full, initials = self._pinyin_of(member.name)
            since = max(move_in, member.birth)
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
                    db_date(member.birth),
                    residence,
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
            add(
                ResidenceHistory,
                (
                    self._id(ResidenceHistory),
                    member.pk,
                    unit.code,
                    address,
                    db_date(since),
                    None,
                    note,
                    None,
                    now,
                ),
            )
            if in_ledger and room is not None:
                add(
                    Occupancy,
                    (
                        self._id(Occupancy),
                        room.pk,
                        member.pk,
                        db_date(since),
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
            if self._random() < (0.055 if age >= 60 else 0.011):
                tags.append("disabled")
            if low_income:
                tags.append("low_income")
            if age >= 18:
                roll = self._random()
                if roll < 0.003:
                    tags.append("mental_disorder")
                elif roll < 0.0036 and age < 60:
                    tags.append("community_correction")
                elif roll < 0.0044:
                    tags.append("key_person")
            for tag in tags:
                tag_pk = self.tag_ids.get(tag)
                if tag_pk is not None:
                    since = self._days_ago(20, 2000, not_before=member.birth)
                    add(
                        PersonTag,
                        (self._id(PersonTag), member.pk, tag_pk, db_date(since), "", None, now),
                    )
                    counts[tag] = counts.get(tag, 0) + 1
        summary.people += len(group.members)
        if not registered:
            summary.floating += len(group.members)

    def _former_tenant(self, unit: Unit, room: _Room) -> None:
        """A tenant who moved out of the area: 已离开, with a closed row in the ledger."""
        member = self._worker()
        move_out = self._days_ago(3, 900)
        move_in = move_out - timedelta(days=self.rng.randint(30, 900))
        move_in = min(max(move_in, member.birth + timedelta(days=16 * 366)), move_out)
        origin = self._origin()
        id_number = self.id_number(origin[0], member.birth, member.male)
        phone = member.phone or self._mobile()
        full, initials = self._pinyin_of(member.name)
        now, add, db_date = self._now_db, self.sink.add, self._db_date
        add(
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
                db_date(member.birth),
                ResidenceType.FLOATING,
                PersonStatus.LEFT,
                self._hometown(origin),
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
        add(
            ResidenceHistory,
            (
                self._id(ResidenceHistory),
                member.pk,
                unit.code,
                room.address,
                db_date(move_in),
                None,
                in_data_language(OccupancySource.LANDLORD_REPORT.label),
                None,
                now,
            ),
        )
        add(
            Occupancy,
            (
                self._id(Occupancy),
                room.pk,
                member.pk,
                db_date(move_in),
                db_date(move_out),
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


def _home(room: _Room) -> _Room:
    """A family's flat or house: a family of seven or eight is not a crowded rental room."""
    room.max_occupants = max(8, room.area // 120)
    return room


def _roommates(rng: random.Random) -> int:
    """People sharing a rented room: mostly 1–3, up to 6, now and then more (over-occupied)."""
    if rng.random() < 0.01:
        return rng.randint(7, 9)
    return rng.choices((1, 2, 3, 4, 5, 6), (28, 30, 20, 11, 7, 4))[0]


def _room_address(building_address: str, number: str) -> str:
    """As the ledger writes it when someone moves in (``places.actions._address_of``)."""
    return building_address + number + ("" if number.endswith("室") else "室")


# --- loading -------------------------------------------------------------------------------


def district_units(district: str) -> list[Unit]:
    """The district's minimal units in code order, with the names of their street and
    village or community."""
    from wangge.regions.models import Region

    above = {
        code: (name, kind)
        for code, name, kind in Region.objects.filter(
            code__startswith=district, level__in=["district", "street", "community"]
        ).values_list("code", "name", "kind")
    }
    return [
        Unit(
            pk=pk,
            code=code,
            name=name,
            community=above.get(code[:12], ("", ""))[0],
            village=above.get(code[:12], ("", ""))[1] == "village",
            street=above.get(code[:9], ("", ""))[0],
            district=above.get(code[:6], ("", ""))[0],
        )
        for pk, code, name in Region.objects.filter(code__startswith=district, level="unit")
        .order_by("code")
        .values_list("id", "code", "name")
    ]


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
        i = next((i for i, u in enumerate(units) if u.code == showcase_unit), None)
        if i is not None and counts[i] < SHOWCASE_PEOPLE:
            missing = SHOWCASE_PEOPLE - counts[i]
            counts[i] = SHOWCASE_PEOPLE
            # One person fewer in each of the most populous other units.
            for j in sorted(range(len(counts)), key=lambda j: (-counts[j], j)):
                if missing == 0:
                    break
                if j != i and counts[j] > 0:
                    counts[j] -= 1
                    missing -= 1
    return counts


def showcase_unit_of(units: Sequence[Unit], grid: str) -> str:
    """The unit of ``grid`` that gets rental housing with tenants whatever the numbers:
    the grid's first street block, else its first unit."""
    in_grid = [u for u in units if u.code.startswith(grid)]
    blocks = [u for u in in_grid if classify(u)[0] == BLOCK]
    return (blocks or in_grid)[0].code if in_grid else ""


def seed_residents(
    districts: Iterable[str],
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = 1,
    showcase_grid: str = "",
    today: date | None = None,
    background: bool = False,
    rebuild_indexes: bool = False,
    say: Say | None = None,
) -> ResidentsSummary:
    """Generate and write the places and ``people`` residents of ``districts``, split over all
    their minimal units.  Districts that already have people are skipped.

    ``showcase_grid``: its first street block gets rental housing with several rooms of
    tenants (one over-occupied) whatever the numbers.  ``background`` and
    ``rebuild_indexes`` (PostgreSQL only) are for millions of people: see the module.
    """
    from wangge.audit.actions import record

    started = time.monotonic()
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
            (u.code for u in all_units), unit_people(all_units, people, seed, showcase), strict=True
        )
    )
    postgres = connection.vendor == "postgresql"
    indexes = secondary_indexes() if rebuild_indexes and postgres else []
    # The writer thread has its own connection: it cannot see rows the caller
    # has not committed yet (a test's transaction, an outer atomic block).
    sink = Sink(background=background and postgres and not connection.in_atomic_block)
    generator = Generator(
        seed=seed,
        today=today or timezone.localdate(),
        sink=sink,
        sealer=Sealer(keyring()),
        next_ids=_next_ids(),
        tag_ids=dict(Tag.objects.filter(is_active=True).values_list("code", "pk")),
        showcase_unit=showcase,
        summary=summary,
    )
    try:
        if indexes:
            sink.call(lambda: _drop_indexes(indexes))
        for code in todo:
            units = units_by_district[code]
            if say:
                total = sum(counts[u.code] for u in units)
                say(f"{code}：生成 {len(units):,} 个最小单元的房屋与 {total:,} 名居民…")
            before = summary.people
            with sink.atomic():
                for i, unit in enumerate(units, start=1):
                    generator.unit(unit, counts[unit.code])
                    if say and i % 10_000 == 0:
                        say(f"  {i:,}/{len(units):,} 个最小单元，共 {summary.people:,} 人")
                sink.flush()
                sink.call(_reset_sequences)
                audit = {"seed": seed, "people": summary.people - before}
                sink.call(
                    lambda code=code, audit=audit: record(  # type: ignore[misc]
                        "demo.seed_residents",
                        actor=None,
                        object_type="people.person",
                        object_repr=f"{audit['people']} 名居民",
                        region_code=code,
                        after=audit,
                    )
                )
            summary.districts.append(code)
    finally:
        index_started = time.monotonic()
        try:
            if indexes:
                if say:
                    say(f"重建 {len(indexes)} 个索引…")
                sink.call(lambda: _create_indexes(indexes))
        finally:
            sink.close()  # waits for the writer: the rows, then the indexes
        summary.index_seconds = time.monotonic() - index_started if indexes else 0.0
    summary.over_occupied_rooms = over_occupied_rooms(summary.districts)
    summary.seconds = time.monotonic() - started
    return summary


def over_occupied_rooms(districts: Sequence[str]) -> int:
    """Rooms of ``districts`` with more people now than their limit (or the installation's)."""
    from django.conf import settings
    from django.db.models import Count, F, Q

    limit = int(getattr(settings, "MAX_OCCUPANTS_PER_ROOM", 6))
    return sum(
        Occupancy.objects.filter(
            move_out__isnull=True, room__building__region_code__startswith=code
        )
        .values("room_id")
        .annotate(n=Count("id"))
        .filter(
            Q(room__max_occupants__isnull=True, n__gt=limit)
            | Q(room__max_occupants__isnull=False, n__gt=F("room__max_occupants"))
        )
        .count()
        for code in districts
    )


TAG_NAMES = (
    ("elderly_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("disabled", "残疾人"),
    ("low_income", "低保户"),
    ("left_behind_child", "留守儿童"),
    ("community_correction", "社区矫正对象"),
    ("mental_disorder", "严重精神障碍患者"),
    ("key_person", "重点人员"),
)


def summary_lines(s: ResidentsSummary) -> list[str]:
    """What the seed command prints."""
    if not s.districts:
        return [f"{'、'.join(s.skipped)}：已有居民，跳过。"] if s.skipped else []
    tags = "，".join(f"{name} {s.tags.get(code, 0):,}" for code, name in TAG_NAMES)
    return [
        f"居民 {s.people:,} 人（流动人口 {s.floating / max(s.people, 1):.0%}，"
        f"其中已离开 {s.left:,}），{s.households:,} 户；房屋 {s.buildings:,} 栋"
        f"（出租屋 {s.rental_buildings:,}），房间 {s.rooms:,} 间（超员 {s.over_occupied_rooms:,}），"
        f"入住登记 {s.occupancies:,} 条；用时 {s.seconds:.1f} 秒",
        f"特殊人群：{tags}",
    ]
