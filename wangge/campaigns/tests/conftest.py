from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wangge.campaigns.outcomes import seed_outcomes
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, World, make_id_number

COMMUNITY_A = "440704001001"  # grids A and A2
STREET_A = "440704001"

#: label → (unit code, name, phone): people of the special group 独居老人 (elderly_alone).
ELDERLY: dict[str, tuple[str, str, str]] = {
    "a1": (GRID_A + "001", "独居甲", "13700000001"),
    "a2": (GRID_A + "001", "独居乙", ""),
    "a3": (GRID_A + "002", "独居丙", "13700000003"),
    "a2_1": (GRID_A2 + "001", "独居丁", ""),
    "a2_2": (GRID_A2 + "002", "独居戊", ""),
    "b1": (GRID_B + "001", "独居己", ""),
    "b2": (GRID_B + "002", "独居庚", ""),
    "other": (GRID_OTHER + "001", "独居辛", ""),
}


@pytest.fixture
def outcomes(db: Any) -> None:
    seed_outcomes()


@pytest.fixture
def elderly(world: World, outcomes: None) -> dict[str, int]:
    """People living alone (tag elderly_alone) in grids A (3), A2 (2), B (2), the other district."""
    from wangge.people.actions import do_create_person

    found = {}
    for i, (label, (unit, name, phone)) in enumerate(ELDERLY.items()):
        place = "440703" if label == "other" else "440704"
        person = do_create_person(
            actor=None,
            name=name,
            id_number=make_id_number(place, "19400101", f"{500 + i:03d}"),
            phone=phone,
            region_code=unit,
            residence_address=f"测试路{i + 1}号",
            tags=["elderly_alone"],
        )
        found[label] = person.pk
    return found


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def deadline(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def campaign_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "独居老人寒潮走访",
        "area_code": COMMUNITY_A,
        "target_kind": "tagged_people",
        "tag": "elderly_alone",
        "deadline": deadline(),
        "questions": [],
        "launch": True,
    }
    body.update(overrides)
    return body


def create_campaign(client: Client, **overrides: Any) -> dict[str, Any]:
    return ok(post(client, "/api/v1/campaigns", campaign_body(**overrides)), 201)


def targets(client: Client, campaign_id: int, query: str = "") -> list[dict[str, Any]]:
    data = ok(client.get(f"/api/v1/campaigns/{campaign_id}/targets?limit=500{query}"))
    return list(data["items"])


def attempt(client: Client, target_id: int, outcome: str = "no_answer", **extra: Any) -> Any:
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "target_id": target_id,
        "channel": "visit",
        "outcome": outcome,
        "note": "",
        "answers": {},
    }
    body.update(extra)
    return post(client, "/api/v1/campaigns/attempts", body)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()
