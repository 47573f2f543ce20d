"""Ledgers and emergencies for tests (the test world of ``wangge.testing``).

``emergency_ledgers(world)`` puts targets and non-targets in both streets of the
test district and in the other district; ``sample_emergencies(world)`` switches
the east street, the west town and the other district into typhoon mode (the
west town's emergency archived after one outcome) — for the project-wide leak
test, whose ``emergency_id`` and ``task_id`` fillers can use them.
"""

from __future__ import annotations

from dataclasses import dataclass

from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, World, make_id_number

STREET = "440704001"
STREET_B = "440704002"
OTHER_DISTRICT = "440703"

#: label → (unit or grid, name, tags, status, phone)
PEOPLE: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "alone_a": (GRID_A + "001", "应急甲", ("elderly_alone",), "active", "13700000001"),
    "disabled_a2": (GRID_A2 + "001", "应急乙", ("disabled", "low_income"), "active", ""),
    "low_income_a": (GRID_A + "002", "应急丙", ("low_income",), "active", "13700000003"),
    "left_a": (GRID_A + "001", "应急丁", ("elderly_alone",), "left", ""),
    "untagged_a": (GRID_A + "001", "应急戊", (), "active", ""),
    "child_grid_a": (GRID_A, "应急己", ("left_behind_child",), "active", ""),
    "alone_b": (GRID_B + "001", "应急庚", ("elderly_alone",), "active", "13700000007"),
    "alone_other": (GRID_OTHER + "001", "应急辛", ("elderly_alone",), "active", ""),
}

#: label → (unit, rental?)
BUILDINGS: dict[str, tuple[str, bool]] = {
    "rental_a": (GRID_A + "001", True),
    "rental_a2": (GRID_A2 + "002", True),
    "plain_a": (GRID_A + "002", False),
    "rental_b": (GRID_B + "001", True),
    "rental_other": (GRID_OTHER + "001", True),
}

#: label → (unit, gas use, hazardous chemicals, operating)
ENTERPRISES: dict[str, tuple[str, str, bool, bool]] = {
    "lpg_a": (GRID_A + "001", "lpg", False, True),
    "chem_a2": (GRID_A2 + "001", "none", True, True),
    "pipeline_a": (GRID_A + "002", "pipeline", False, True),
    "safe_a": (GRID_A + "001", "none", False, True),
    "closed_a": (GRID_A + "002", "lpg", False, False),
    "lpg_b": (GRID_B + "002", "lpg", False, True),
    "lpg_other": (GRID_OTHER + "001", "lpg", False, True),
}


@dataclass
class Ledgers:
    people: dict[str, int]
    buildings: dict[str, int]
    enterprises: dict[str, int]

    def targets(self, *labels: str) -> set[tuple[str, int]]:
        """``(target kind, id)`` of the rows named by ``labels``."""
        found: set[tuple[str, int]] = set()
        for label in labels:
            if label in self.people:
                found.add(("person", self.people[label]))
            elif label in self.buildings:
                found.add(("building", self.buildings[label]))
            else:
                found.add(("enterprise", self.enterprises[label]))
        return found


def emergency_ledgers(world: World) -> Ledgers:
    """People, buildings and enterprises in grids A, A2, B and the other district; made once."""
    from wangge.organisations.actions import do_create_enterprise
    from wangge.people.actions import do_create_person
    from wangge.people.models import Person
    from wangge.places.actions import RentalInfo, do_create_building
    from wangge.places.models import Building

    existing = dict(
        Person.objects.filter(name__in=[p[1] for p in PEOPLE.values()]).values_list("name", "pk")
    )
    if len(existing) == len(PEOPLE):
        from wangge.organisations.models import Enterprise

        return Ledgers(
            people={label: existing[spec[1]] for label, spec in PEOPLE.items()},
            buildings={
                label: Building.objects.get(name=f"应急楼{label}").pk for label in BUILDINGS
            },
            enterprises={
                label: Enterprise.objects.get(name=f"应急企业{label}").pk for label in ENTERPRISES
            },
        )
    people: dict[str, int] = {}
    for i, (label, (place, name, tags, status, phone)) in enumerate(PEOPLE.items(), start=1):
        district = place[:6]
        person = do_create_person(
            actor=None,
            name=name,
            id_number=make_id_number(district, "19400101" if i % 2 else "20150606", f"{700 + i}"),
            region_code=place,
            phone=phone,
            residence_address=f"应急路{i}号",
            tags=list(tags),
        )
        if status != "active":
            Person.objects.filter(pk=person.pk).update(status=status)
        people[label] = person.pk
    buildings: dict[str, int] = {}
    for label, (unit, rental) in BUILDINGS.items():
        building = do_create_building(
            actor=None,
            unit_code=unit,
            name=f"应急楼{label}",
            address=f"应急巷{len(buildings) + 1}号",
            floors=4,
            rental=RentalInfo(landlord_name="应急房东", landlord_phone="13900000011")
            if rental
            else None,
        )
        buildings[label] = building.pk
    enterprises: dict[str, int] = {}
    for label, (unit, gas, chemicals, operating) in ENTERPRISES.items():
        enterprise = do_create_enterprise(
            actor=None,
            name=f"应急企业{label}",
            kind="shop",
            region_code=unit,
            legal_person="应急法人",
            legal_person_phone="13600000012",
            uses_gas=gas,
            hazardous_chemicals=chemicals,
            is_operating=operating,
        )
        enterprises[label] = enterprise.pk
    return Ledgers(people=people, buildings=buildings, enterprises=enterprises)


def sample_emergencies(world: World) -> list[int]:
    """Typhoons in the east street (active), the west town (archived) and the other district
    (active); made once.  Ids in that order."""
    from wangge.emergency.actions import (
        do_activate_emergency,
        do_deactivate_emergency,
        do_record_outcome,
    )
    from wangge.emergency.models import Emergency

    found = list(
        Emergency.objects.filter(title__startswith="样例台风")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if found:
        return found
    emergency_ledgers(world)
    ids = []
    for code in (STREET, STREET_B, OTHER_DISTRICT):
        result = do_activate_emergency(
            actor=None, region_code=code, kind="typhoon", title=f"样例台风{code}"
        )
        ids.append(result.emergency.pk)
    west = Emergency.objects.get(pk=ids[1])
    first = west.tasks.order_by("pk").first()
    if first is not None:
        do_record_outcome(actor=None, task_id=first.pk, outcome="notified")
    do_deactivate_emergency(west, actor=None)
    return ids


def sample_emergency_tasks(world: World) -> list[int]:
    """One task of each sample emergency (east street, west town, other district)."""
    from wangge.emergency.models import Task

    ids = []
    for emergency_id in sample_emergencies(world):
        task = Task.objects.filter(emergency_id=emergency_id).order_by("pk").first()
        if task is not None:
            ids.append(task.pk)
    return ids
