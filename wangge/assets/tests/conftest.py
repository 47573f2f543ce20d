from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from wangge.testing import SampleBasedata, World, sample_basedata


@pytest.fixture
def samples(world: World) -> SampleBasedata:
    """One asset in each of grids A (owned by cg), A2, B (owned by sz) and the other district."""
    return sample_basedata(world)


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    data: dict[str, Any] = response.json()
    return data
