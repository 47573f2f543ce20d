from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from wangge.open311.actions import do_create_api_key
from wangge.open311.catalogue import seed_service_attributes
from wangge.open311.models import ApiKey
from wangge.testing import POINT_A, World, extend_world_for_events

BASE = "/open311/v2"
J = "440704"
J_OTHER = "440703"


@dataclass
class Keys:
    world: World
    key: ApiKey
    raw: str
    other_key: ApiKey
    other_raw: str


@pytest.fixture
def ew(world: World) -> World:
    return extend_world_for_events(world)


@pytest.fixture
def keys(ew: World) -> Keys:
    """The events world, the default attributes and a key for each district."""
    seed_service_attributes()
    key, raw = do_create_api_key(district=J, name="12345 热线", actor=None)
    other_key, other_raw = do_create_api_key(district=J_OTHER, name="邻区热线", actor=None)
    return Keys(ew, key, raw, other_key, other_raw)


def get(path: str, fmt: str = "json", **params: Any) -> Any:
    return Client().get(f"{BASE}/{path}.{fmt}", params)


def post(fmt: str = "json", **params: Any) -> Any:
    return Client().post(f"{BASE}/requests.{fmt}", params)


def submit(raw: str, fmt: str = "json", **params: Any) -> Any:
    """POST a valid component-problem request in grid A unless told otherwise."""
    body: dict[str, Any] = {
        "api_key": raw,
        "jurisdiction_id": J,
        "service_code": "0601",
        "lat": str(POINT_A[1]),
        "long": str(POINT_A[0]),
        "description": "人行道上的井盖松动，踩上去会翘起",
        "attribute[danger]": "high",
    }
    body.update(params)
    return post(fmt, **{k: v for k, v in body.items() if v is not None})


def xml(response: Any) -> ET.Element:
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>'), text[:80]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own answer


def data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def errors(response: Any, status: int) -> list[dict[str, Any]]:
    """The ``errors`` of a refusal, from JSON or XML, after checking the status."""
    assert response.status_code == status, response.content.decode()
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        return [
            {"code": e.findtext("code"), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    items: list[dict[str, Any]] = response.json()
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) == {"code", "description"}
    return items


def codes(response: Any, status: int) -> set[str]:
    return {e["code"] for e in errors(response, status)}
