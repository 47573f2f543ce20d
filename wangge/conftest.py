from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client, testcases

from wangge.testing import World, build_world

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files of the whole run go to a temporary directory, not ``var/media``."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def world(db: Any) -> World:
    """Two districts, grids A/A2/B, one user per demo role (see wangge.testing)."""
    return build_world()


@pytest.fixture
def api(world: World) -> Callable[[str], Client]:
    """``api("worker_a")`` → a test client that sends that user's bearer token."""
    from wangge.accounts.tokens import issue_token

    def make(username: str) -> Client:
        key, _ = issue_token(world[username])
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def login(world: World) -> Callable[[str], Client]:
    """``login("street")`` → a test client with that user's browser session."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world[username], backend="wangge.accounts.backends.RoleBackend")
        return client

    return make


class _OneRequestAtATimeLiveServer(ThreadedWSGIServer):
    """The live server for browser tests, answering one request at a time.

    With SQLite the test database is in memory and its one connection is shared
    with the server's request threads; a page firing requests in parallel (htmx
    swaps, map tiles, navigation) could then use that connection from two
    threads at once and hang.  Serialising the application keeps keep-alive
    connections working while the database sees one request at a time.
    """

    _lock = threading.Lock()
    #: Set while a test's database is torn down: requests still arriving from its page
    #: get a 503 instead of a query that would deadlock with the flush (PostgreSQL).
    closed = False

    def set_app(self, application: Any) -> None:
        lock = self._lock
        server = type(self)

        def serialised(environ: Any, start_response: Any) -> Any:
            with lock:
                if server.closed:
                    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                    return [b"the test has ended"]
                return application(environ, start_response)

        super().set_app(serialised)


@pytest.fixture(autouse=True)
def _live_server_quiet_at_teardown(_django_db_helper: Any) -> Iterator[None]:
    """Before the database is flushed, wait for the request in flight and refuse later
    ones (set up after the database fixture, so torn down before it)."""
    _OneRequestAtATimeLiveServer.closed = False
    yield
    with _OneRequestAtATimeLiveServer._lock:
        _OneRequestAtATimeLiveServer.closed = True


testcases.LiveServerThread.server_class = _OneRequestAtATimeLiveServer


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends in the installation's language: a test-client request in
    English leaves English active in its thread, which would follow the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
