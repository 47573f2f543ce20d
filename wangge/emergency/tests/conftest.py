from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from wangge.emergency.testing import Ledgers, emergency_ledgers
from wangge.testing import World


@pytest.fixture
def ledgers(world: World) -> Ledgers:
    """Targets and non-targets in grids A, A2 (east street), B (west town), the other district."""
    return emergency_ledgers(world)


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def rid() -> str:
    return str(uuid.uuid4())


def activate(client: Client, region_code: str, kind: str = "typhoon", **extra: Any) -> Any:
    return post(
        client,
        "/api/v1/emergency/emergencies",
        {"region_code": region_code, "kind": kind, "title": "防御台风「马鞍」", **extra},
    )


def tap(client: Client, task_id: int, outcome: str = "notified", **extra: Any) -> Any:
    body = {"request_id": rid(), "task_id": task_id, "outcome": outcome, **extra}
    return post(client, "/api/v1/emergency/outcomes", body)


def all_tasks(client: Client, emergency_id: int, query: str = "") -> list[dict[str, Any]]:
    data = ok(client.get(f"/api/v1/emergency/emergencies/{emergency_id}/tasks?limit=500{query}"))
    items: list[dict[str, Any]] = data["items"]
    return items
