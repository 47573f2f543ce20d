from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wangge.testing import POINT_A, POINT_B, POINT_OTHER, World, extend_world_for_events

#: A point in grid A2 (its first unit).
POINT_A2 = (113.07, 22.05)
POINTS = {"A": POINT_A, "A2": POINT_A2, "B": POINT_B, "OTHER": POINT_OTHER}
#: A box around grid A only (113.00–113.05), and one around the whole test district.
BOX_A = "113.0,22.0,113.049,22.2"
BOX_DISTRICT = "113.0,22.0,113.2,22.2"


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue and the departments' handlers."""
    return extend_world_for_events(world)


def report(place: str, *, title: str = "", category: str = "0601") -> int:
    from wangge.events.actions import do_report_event

    lng, lat = POINTS[place]
    return do_report_event(
        actor=None,
        category=category,
        title=title or f"井盖松动{place}",
        description="井盖松动，车辆经过时哐哐响",
        lng=lng,
        lat=lat,
        address=f"{place}路口",
    ).event.pk


@pytest.fixture
def events(ew: World) -> dict[str, int]:
    """One event in each of grids A (dispatched to 城管 cg), A2, B and the other district."""
    from wangge.events.actions import do_dispatch_event, do_register_event
    from wangge.events.models import Event

    ids = {place: report(place) for place in POINTS}
    first = Event.objects.select_related("category").get(pk=ids["A"])
    do_register_event(first, actor=None)
    do_dispatch_event(first, actor=None, department=ew.departments["cg"])
    return ids


def get(client: Client, path: str, **query: Any) -> Any:
    return client.get(path, {k: v for k, v in query.items() if v is not None})


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def ids_of(data: dict[str, Any]) -> set[Any]:
    return {f["id"] for f in data["features"]}


def codes_of(data: dict[str, Any]) -> set[str]:
    return {f["properties"]["code"] for f in data["features"]}


@pytest.fixture
def client_for(api: Callable[[str], Client], ew: World) -> Callable[[str], Client]:
    return api
