from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wangge.dashboards import feed
from wangge.events import actions
from wangge.events.models import Event
from wangge.testing import POINT_A, POINT_B, POINT_OTHER, World, extend_world_for_events

POINT_A2 = (113.07, 22.05)


@pytest.fixture
def ew(world: World) -> World:
    """The test world with the event catalogue, the district's departments and their handlers."""
    return extend_world_for_events(world)


@pytest.fixture
def steps(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``steps(fn, *args, **kwargs)``: run an action, then, as after its commit, its
    ``event_changed`` receivers and a pass of the change feed (the aggregates follow each
    step, as they do when the scheduler runs the feed between two steps)."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        capture: Callable[..., AbstractContextManager[Any]] = django_capture_on_commit_callbacks
        with capture(execute=True):
            result = fn(*args, **kwargs)
        feed.catch_up()
        return result

    return run


@dataclass
class Story:
    """Events of the test world: grid A (street 1), A2 (street 1), B (street 2), the other
    district; ids by name."""

    ids: dict[str, int]

    def event(self, name: str) -> Event:
        return Event.objects.get(pk=self.ids[name])


@pytest.fixture
def story(ew: World, steps: Callable[..., Any]) -> Story:
    def report(point: tuple[float, float], category: str, days_ago: int, source: str) -> Event:
        result = steps(
            actions.do_report_event,
            actor=None,
            category=category,
            description="样例",
            lng=point[0],
            lat=point[1],
            source=source,
            now=timezone.now() - timedelta(days=days_ago, minutes=5),
        )
        event: Event = result.event
        return event

    closed = report(POINT_A, "0601", 0, "grid_worker")
    for fn, kwargs in (
        (actions.do_register_event, {}),
        (actions.do_dispatch_event, {}),
        (actions.do_accept_event, {}),
        (actions.do_feedback_event, {"note": "已修复"}),
        (actions.do_verify_event, {"passed": True}),
    ):
        closed = steps(fn, closed, actor=None, **kwargs)
    steps(
        actions.do_return_visit_event,
        closed,
        actor=None,
        contacted=True,
        solved=True,
        satisfaction="satisfied",
    )
    dispatched = report(POINT_A2, "0101", 3, "resident")
    dispatched = steps(actions.do_register_event, dispatched, actor=None)
    steps(actions.do_dispatch_event, dispatched, actor=None, department="cg")
    self_handled = report(POINT_A, "0701", 1, "grid_worker")
    steps(actions.do_self_handle_event, self_handled, actor=None)
    street_b = report(POINT_B, "0901", 2, "hotline")
    steps(actions.do_register_event, street_b, actor=None)
    old = report(POINT_B, "0601", 45, "inspection")
    other = report(POINT_OTHER, "0601", 0, "hotline")
    return Story(
        {
            "closed": closed.pk,
            "dispatched": dispatched.pk,
            "self_handled": self_handled.pk,
            "street_b": street_b.pk,
            "old": old.pk,
            "other": other.pk,
        }
    )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def get(client: Client, path: str, **query: Any) -> Any:
    return client.get(path, {k: v for k, v in query.items() if v is not None})
