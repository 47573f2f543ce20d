from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from wangge.events import actions as ev
from wangge.events.models import Event
from wangge.testing import POINT_A, World, extend_world_for_events


@pytest.fixture
def ew(world: World) -> World:
    return extend_world_for_events(world)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action and its after-commit work (the event signal, then our enqueues)."""

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def registered(ew: World, run: Callable[..., Any]) -> Callable[..., Event]:
    """A new event in grid A, reported by ``reporter`` and registered by the street centre."""

    def make(reporter: str = "worker_a", **extra: Any) -> Event:
        result = run(
            ev.do_report_event,
            actor=ew[reporter],
            category="0601",
            description="井盖松动，车辆经过时哐哐响",
            lng=POINT_A[0],
            lat=POINT_A[1],
            **extra,
        )
        event: Event = Event.objects.select_related("category").get(pk=result.event.pk)
        run(ev.do_register_event, event, actor=ew["street"])
        return event

    return make


@pytest.fixture
def dispatched(
    ew: World, run: Callable[..., Any], registered: Callable[..., Event]
) -> Callable[..., Event]:
    def make(department: str = "cg", **extra: Any) -> Event:
        event = registered(**extra)
        run(ev.do_dispatch_event, event, actor=ew["street"], department=department)
        return event

    return make


class FakeReceiver:
    """A local HTTP server (http.server in a thread) answering with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        import http.server
        import threading

        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Callable[[list[int]], FakeReceiver]]:
    settings.WANGGE_WEBHOOK_ALLOW_LOCAL = True  # the fake receiver listens on 127.0.0.1
    made: list[FakeReceiver] = []

    def make(statuses: list[int]) -> FakeReceiver:
        r = FakeReceiver(statuses)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()
