"""The point-to-point list: which rows of the ledgers an emergency targets, turned into tasks.

Set-based: each target kind is one query over the area's index range (plus one
for the special groups of the people found and one for the people living in the
rental buildings), read in chunks and written in batches of plain rows
(``executemany`` of one INSERT: about ten times faster than ``bulk_create``,
which prepares every value of every model instance — 25,000 people, 2,860 tasks:
0.1 s instead of 1 s of writing).  The number of queries does not grow with the
number of targets.

* people — living in the area (``status=active``) and in one of the special groups
  the emergency's kind targets (``KindTag``);
* rental buildings — ``places.Building.is_rental`` in the area;
* enterprises with hazards — operating ``organisations.Enterprise`` using gas
  (bottled or piped) or storing hazardous chemicals.

Labels carry what a worker needs at the door, with personal data masked:
names, special groups and age, addresses, phones as ``138****1234``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db import connection
from django.db.models import Count, Q

from wangge.accounts.scope import prefix_q
from wangge.emergency.choices import TargetKind
from wangge.emergency.models import Emergency, KindTag, Task
from wangge.lib.crypto import mask_phone
from wangge.lib.language import in_data_language

BATCH = 5000
#: Rows read from the database at a time.
CHUNK = 2000


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


#: The columns written for a new task, in the order of ``_task``'s rows.
COLUMNS = (
    "emergency_id",
    "target_kind",
    "target_id",
    "region_code",
    "grid_code",
    "label",
    "detail",
    "address",
    "contact",
    "outcome_note",
    "outcome_by_label",
    "covered",
)
Row = tuple[int, str, int, str, str, str, str, str, str, str, str, bool]


def _task(
    emergency: Emergency,
    kind: str,
    target_id: int,
    region_code: str,
    label: str,
    detail: str = "",
    address: str = "",
    contact: str = "",
) -> Row:
    """A new task as a row of ``COLUMNS`` (no outcome yet)."""
    return (
        emergency.pk,
        kind,
        target_id,
        region_code,
        region_code[:15],
        (label or "")[:200],
        (detail or "")[:200],
        (address or "")[:200],
        (contact or "")[:100],
        "",
        "",
        False,
    )


def _people(emergency: Emergency) -> Iterator[Row]:
    from wangge.people.choices import PersonStatus
    from wangge.people.models import Person, PersonTag

    tag_ids = list(
        KindTag.objects.filter(
            kind=emergency.kind, is_active=True, tag__is_active=True
        ).values_list("tag_id", flat=True)
    )
    if not tag_ids:
        return
    area = prefix_q("person__region_code", [emergency.region_code])
    groups: dict[int, list[str]] = defaultdict(list)
    for person_id, name in (
        PersonTag.objects.filter(area, tag_id__in=tag_ids, person__status=PersonStatus.ACTIVE)
        .order_by("person_id", "tag__sort_order", "tag__code")
        .values_list("person_id", "tag__name")
        .iterator(chunk_size=CHUNK)
    ):
        groups[person_id].append(name)
    if not groups:
        return
    on = emergency.started_at.date()
    tagged = PersonTag.objects.filter(tag_id__in=tag_ids).values("person_id")
    rows = (
        Person.objects.filter(prefix_q("region_code", [emergency.region_code]))
        .filter(status=PersonStatus.ACTIVE, pk__in=tagged)
        .order_by("region_code", "pk")
        .values_list("pk", "name", "region_code", "residence_address", "phone", "birth_date")
    )
    for pk, name, region_code, address, phone, born in rows.iterator(chunk_size=CHUNK):
        if pk not in groups:  # pragma: no cover - tagged between the two queries
            continue
        age = _age(born, on)
        detail = "、".join(groups[pk]) + (f" · {age}岁" if age is not None else "")
        yield _task(
            emergency,
            TargetKind.PERSON,
            pk,
            region_code,
            name,
            detail,
            address,
            mask_phone(phone),
        )


def _buildings(emergency: Emergency) -> Iterator[Row]:
    from wangge.places.models import Building, Occupancy

    area = prefix_q("region_code", [emergency.region_code])
    living = dict(
        Occupancy.objects.filter(
            prefix_q("room__building__region_code", [emergency.region_code]),
            move_out__isnull=True,
            room__building__is_rental=True,
        )
        .values("room__building_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("room__building_id", "n")
    )
    rows = (
        Building.objects.filter(area, is_rental=True)
        .order_by("region_code", "pk")
        .values_list(
            "pk",
            "name",
            "address",
            "region_code",
            "floors",
            "rental__landlord_name",
            "rental__landlord_phone",
        )
    )
    for pk, name, address, region_code, floors, landlord, phone in rows.iterator(chunk_size=CHUNK):
        parts = [f"{floors}层", f"现住{living.get(pk, 0)}人"]
        contact = "、".join(
            p for p in (f"房东 {landlord}" if landlord else "", mask_phone(phone)) if p
        )
        yield _task(
            emergency,
            TargetKind.BUILDING,
            pk,
            region_code,
            name,
            "出租屋 · " + "，".join(parts),
            address,
            contact,
        )


def hazardous() -> Q:
    """Enterprises with hazards: gas in use (bottled or piped) or hazardous chemicals."""
    from wangge.organisations.choices import GasUse

    return Q(is_operating=True) & (
        Q(uses_gas__in=[GasUse.LPG, GasUse.PIPELINE]) | Q(hazardous_chemicals=True)
    )


def _enterprises(emergency: Emergency) -> Iterator[Row]:
    from wangge.organisations.choices import GasUse
    from wangge.organisations.models import Enterprise

    # The task's detail is stored (and read by every worker): in the installation's language.
    gas = {value: in_data_language(label) for value, label in GasUse.choices}
    rows = (
        Enterprise.objects.filter(prefix_q("region_code", [emergency.region_code]))
        .filter(hazardous())
        .order_by("region_code", "pk")
        .values_list(
            "pk",
            "name",
            "address",
            "region_code",
            "uses_gas",
            "has_gas_alarm",
            "hazardous_chemicals",
            "legal_person",
            "legal_person_phone",
        )
    )
    for (
        pk,
        name,
        address,
        region_code,
        uses_gas,
        alarm,
        chemicals,
        person,
        phone,
    ) in rows.iterator(chunk_size=CHUNK):
        hazards = []
        if uses_gas != GasUse.NONE:
            hazards.append(gas.get(uses_gas, uses_gas))
            if not alarm:
                hazards.append("未装燃气报警器")
        if chemicals:
            hazards.append("危险化学品")
        contact = "、".join(p for p in (f"法人 {person}" if person else "", mask_phone(phone)) if p)
        yield _task(
            emergency,
            TargetKind.ENTERPRISE,
            pk,
            region_code,
            name,
            "、".join(hazards),
            address,
            contact,
        )


def _insert(rows: list[Row]) -> None:
    ops = connection.ops
    table = ops.quote_name(Task._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in COLUMNS)
    values = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({values})",  # noqa: S608 - quoted names
            rows,
        )


def generate_tasks(emergency: Emergency) -> dict[str, int]:
    """Write the emergency's point-to-point tasks; the number written per target kind."""
    counts = {kind: 0 for kind in TargetKind.values}
    for kind, source in (
        (TargetKind.PERSON, _people),
        (TargetKind.BUILDING, _buildings),
        (TargetKind.ENTERPRISE, _enterprises),
    ):
        batch: list[Row] = []
        for row in source(emergency):
            batch.append(row)
            if len(batch) >= BATCH:
                _insert(batch)
                counts[kind] += len(batch)
                batch = []
        if batch:
            _insert(batch)
            counts[kind] += len(batch)
    return counts
