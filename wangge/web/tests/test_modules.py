"""The "All" page lists what each role may open, and only that."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from wangge.testing import World

pytestmark = pytest.mark.django_db


def modules(client: Client) -> set[str]:
    response = client.get("/all/")
    assert response.status_code == 200
    return {item["key"] for _group, items in response.context["groups"] for item in items}


def test_a_grid_worker_sees_field_work_not_the_command_centre(
    world: World, login: Callable[[str], Client]
) -> None:
    keys = modules(login("worker_a"))
    assert {"fieldwork:today", "campaigns:list", "care:list", "people:list"} <= keys
    assert {"events:queue", "dashboards:screen", "workforce:roster"}.isdisjoint(keys)


def test_a_command_centre_sees_queue_map_and_dashboards(
    world: World, login: Callable[[str], Client]
) -> None:
    keys = modules(login("street"))
    assert {"events:queue", "maps:index", "dashboards:index", "emergency:centre"} <= keys
    assert "workforce:me" not in keys


def test_a_resident_sees_only_their_own_things(
    world: World, login: Callable[[str], Client]
) -> None:
    keys = modules(login("resident"))
    assert "events:mine" in keys and "notifications:list" in keys
    assert not keys & {"people:list", "maps:index", "campaigns:list", "dashboards:index"}


def test_every_listed_page_opens(world: World, login: Callable[[str], Client]) -> None:
    for username in ("worker_a", "street", "community", "dept", "admin"):
        client = login(username)
        response = client.get("/all/")
        for _group, items in response.context["groups"]:
            for item in items:
                page = client.get(item["url"])
                assert page.status_code in (200, 302), (username, item["url"], page.status_code)


def test_the_page_needs_a_login(world: World) -> None:
    response = Client().get("/all/")
    assert response.status_code == 302 and "/login/" in response["Location"]
