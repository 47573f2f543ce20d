from __future__ import annotations

import pytest

from wangge.testing import World, extend_world_for_events


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue and all departments."""
    return extend_world_for_events(world)
