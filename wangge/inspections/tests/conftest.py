from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from wangge.testing import (
    SampleBasedata,
    SamplePlaces,
    World,
    extend_world_for_events,
    sample_basedata,
    sample_people,
)

#: Sample enterprises (wangge.testing.sample_basedata): all restaurants using bottled gas.
ENTERPRISE_A, ENTERPRISE_A2, ENTERPRISE_B, ENTERPRISE_OTHER = range(4)


@pytest.fixture
def iw(world: World) -> World:
    """The test world with the event catalogue and the district's departments."""
    return extend_world_for_events(world)


@pytest.fixture
def samples(iw: World) -> SampleBasedata:
    return sample_basedata(iw)


@pytest.fixture
def places(iw: World) -> SamplePlaces:
    return sample_people(iw)


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, body, content_type="application/json")


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    data: dict[str, Any] = response.json()
    return data


def rid() -> str:
    return str(uuid.uuid4())


def gas_answers(
    client: Client,
    *,
    fail: tuple[str, ...] = (),
    hose: float | None = 1.5,
    checklist: str = "restaurant-gas",
    deadlines: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Answers to every item of ``checklist``: pass, except the codes in ``fail``."""
    lists = ok(client.get("/api/v1/inspections/checklists"))
    items = next(c for c in lists if c["code"] == checklist)["items"]
    answers = []
    for item in items:
        answer: dict[str, Any] = {"item": item["id"]}
        if item["answer_type"] == "number":
            answer["value"] = hose
        elif item["code"] in fail:
            answer["outcome"] = "fail"
            if item["answer_type"] == "text":
                answer["text"] = "后厨堆放纸箱靠近灶台"
        else:
            answer["outcome"] = "pass"
        if deadlines and item["code"] in deadlines:
            answer["deadline"] = deadlines[item["code"]]
        answers.append(answer)
    return answers


def inspect(
    client: Client,
    enterprise_id: int,
    *,
    request_id: str | None = None,
    **kwargs: Any,
) -> Any:
    body = {
        "checklist": kwargs.pop("checklist", "restaurant-gas"),
        "enterprise_id": enterprise_id,
        "answers": gas_answers(client, **kwargs),
        "request_id": request_id or rid(),
    }
    return post(client, "/api/v1/inspections", body)


@pytest.fixture
def hazard_in_a(iw: World, samples: SampleBasedata, api: Callable[[str], Client]) -> dict[str, Any]:
    """An inspection of the restaurant in grid A by worker_a: hose 2.5 m, one open hazard."""
    found = ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)
    assert len(found["hazards"]) == 1
    hazard: dict[str, Any] = found["hazards"][0]
    return hazard


def days(n: int) -> timedelta:
    return timedelta(days=n)
