from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wangge.testing import World, extend_world_for_events


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue and the departments."""
    return extend_world_for_events(world)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Any) -> list[Any]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def photo_bytes(
    color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (40, 20)
) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def csrf_login(world: World) -> Callable[[str], Client]:
    """A browser-like session client that enforces CSRF, as a phone's pages do."""

    def make(username: str) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(world[username], backend="wangge.accounts.backends.RoleBackend")
        return client

    return make
