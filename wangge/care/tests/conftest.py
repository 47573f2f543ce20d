from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wangge.people.actions import do_create_person
from wangge.people.choices import DEFAULT_TAGS
from wangge.people.models import Person, PersonTag, Tag
from wangge.testing import (
    GRID_A,
    GRID_B,
    GRID_OTHER,
    World,
    extend_world_for_events,
    make_id_number,
)

UNIT_A = GRID_A + "001"
UNIT_B = GRID_B + "001"
UNIT_OTHER = GRID_OTHER + "001"

_serials = itertools.count(100)


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue (a "needs help" visit reports an event)."""
    return extend_world_for_events(world)


def ensure_default_tags() -> None:
    """The special groups a migration creates (a transactional test before may have flushed
    them)."""
    if Tag.objects.exists():
        return
    for order, (code, name, days, note) in enumerate(DEFAULT_TAGS):
        Tag.objects.create(
            code=code, name=name, visit_frequency_days=days, description=note, sort_order=order * 10
        )


def make_person(
    name: str,
    region_code: str = UNIT_A,
    tags: Sequence[str] = ("elderly_alone",),
    *,
    born: str = "19400101",
    address: str = "",
) -> Person:
    """A resident registered by the system (ID numbers of the place's district, unique)."""
    ensure_default_tags()
    return do_create_person(
        actor=None,
        name=name,
        id_number=make_id_number(region_code[:6], born, f"{next(_serials) % 1000:03d}"),
        region_code=region_code,
        tags=list(tags),
        residence_address=address or f"{name}家",
    )


def bulk_people(n: int, region_code: str, tag: str, *, prefix: str = "批量") -> list[int]:
    """``n`` tagged residents inserted in bulk (for query-count tests)."""
    ensure_default_tags()
    people = [
        Person(
            name=f"{prefix}{i}",
            id_number=make_id_number(region_code[:6], "19400101", f"{i % 1000:03d}"),
            gender="male",
            birth_date=date(1940, 1, 1),
            region_code=region_code,
        )
        for i in range(n)
    ]
    Person.objects.bulk_create(people, batch_size=1000)
    ids = list(
        Person.objects.filter(name__startswith=prefix, region_code=region_code).values_list(
            "pk", flat=True
        )
    )
    found = Tag.objects.get(code=tag)
    PersonTag.objects.bulk_create([PersonTag(person_id=pk, tag=found) for pk in ids])
    return ids


def at(text: str) -> datetime:
    """An aware local datetime from ``YYYY-MM-DD HH:MM``."""
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))  # noqa: DTZ007


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


@pytest.fixture
def person_factory(world: World) -> Callable[..., Person]:
    return make_person
