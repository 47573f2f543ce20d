from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wangge.testing import POINT_A, World, extend_world_for_events


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue, all departments and their handlers."""
    return extend_world_for_events(world)


@pytest.fixture
def client_for(ew: World, api: Callable[[str], Client]) -> Callable[[str], Client]:
    """Like ``api`` but with the events world (department handlers included)."""
    return api


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def report(
    client: Client, *, category: str = "0601", point: tuple[float, float] = POINT_A, **extra: Any
) -> Any:
    body = {
        "category": category,
        "description": "井盖松动，车辆经过时哐哐响",
        "lng": point[0],
        "lat": point[1],
    }
    body.update(extra)
    return post(client, "/api/v1/events", body)


def act(client: Client, event_id: int, action: str, body: dict[str, Any] | None = None) -> Any:
    return post(client, f"/api/v1/events/{event_id}/{action}", body)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    data: dict[str, Any] = response.json()
    return data
