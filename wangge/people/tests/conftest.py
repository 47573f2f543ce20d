from __future__ import annotations

from typing import Any

from django.test import Client

from wangge.testing import GRID_A, make_id_number

UNIT_A = GRID_A + "001"


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, body, content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def person_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "张伟",
        "id_number": make_id_number("440704", "19900307", "135"),
        "phone": "13812341234",
        "region_code": UNIT_A,
        "registered_address": "江门市江海区新塘里96号",
        "residence_address": "新塘里96号301室",
    }
    body.update(extra)
    return body


def register(client: Client, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(post(client, "/api/v1/people", person_body(**extra)), 201)
    return data
