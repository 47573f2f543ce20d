from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from wangge.arrivals import guard
from wangge.testing import GRID_A

UNIT_A = GRID_A + "001"


@pytest.fixture(autouse=True)
def _fresh_buckets() -> Any:
    """Rate-limit buckets are database rows (rolled back with each test); the cache is
    cleared too, for anything else kept there."""
    cache.clear()
    yield
    cache.clear()


def token(seconds_ago: float = 60) -> str:
    """A form token as if the form had been served ``seconds_ago``."""
    return guard.issue_form_token(now=time.time() - seconds_ago)


def iso(when: datetime) -> str:
    return timezone.localtime(when).isoformat()


def body(**overrides: Any) -> dict[str, Any]:
    """A valid public report: arriving at grid A's first unit two hours ago."""
    data: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "form_token": token(),
        "name": "林小雨",
        "phone": "13912345678",
        "unit_code": UNIT_A,
        "address": "礼华街8号302房",
        "arrival_at": iso(timezone.now() - timedelta(hours=2)),
        "origin": "广州市天河区",
        "travel_mode": "train",
    }
    data.update(overrides)
    return data


def post(client: Client, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(path, data or {}, content_type="application/json", **extra)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    data: dict[str, Any] = response.json()
    return data
