"""Property-based fuzzing of every operation of ``/api/v1/`` with schemathesis.

The schema is the one django-ninja publishes (``/api/v1/openapi.json``), so new
operations are fuzzed automatically.  Each operation is called with valid and
invalid data (schemathesis's positive and negative modes) as the district's
command centre (bearer token) and anonymously; the only check is that nothing
answers with a server error (5xx).  Every example runs in a transaction that is
rolled back, so the writes of one example never change what the next sees.

Runs are deterministic (``derandomize``) and small (``MAX_EXAMPLES``); raise
``WANGGE_FUZZ_EXAMPLES`` for a deeper local run:

    WANGGE_FUZZ_EXAMPLES=200 .venv/bin/pytest wangge/api/tests/test_schemathesis.py -n 2
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from wangge.accounts.tokens import issue_token
from wangge.api.root import api
from wangge.testing import World, extend_world_for_events, sample_events

MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "4"))

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def wsgi_app() -> WSGIHandler:
    return WSGIHandler()


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = wsgi_app()
if os.environ.get("WANGGE_FUZZ_PATHS"):
    # A regular expression: fuzz only the matching paths (while working on one).
    schema = schema.include(path_regex=os.environ["WANGGE_FUZZ_PATHS"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes "old" database
    connections at each request's start and end; inside a test transaction that
    would drop the test's connection.  Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def district_token(world: World) -> str:
    extend_world_for_events(world)
    sample_events(world)
    key, _ = issue_token(world["district"])
    return key


def call(case: Any, headers: dict[str, str] | None = None) -> None:
    """One call and the check, rolled back whatever it wrote."""
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=[not_a_server_error])


@schema.parametrize()
@FUZZ_SETTINGS
def test_it_answers_without_server_errors(case: Any, district_token: str) -> None:
    """Each example as the district's command centre, then anonymously (no credentials:
    schemathesis sends none unless asked to)."""
    call(case, {"Authorization": f"Bearer {district_token}"})
    call(case)


def test_it_refuses_nul_characters_before_any_view(api: Any) -> None:
    """PostgreSQL cannot hold NUL: refused as invalid input (422), not a database error."""
    from django.test import Client

    client = api("district")
    answers = [
        client.get("/api/v1/regions", {"under": "4407\x00"}),
        client.get("/api/v1/regions/4407%0004"),
        client.post(
            "/api/v1/events",
            data='{"description": "井盖\\u0000松动"}',
            content_type="application/json",
        ),
        Client().post(
            "/api/v1/auth/token",
            "username=admin%00&password=x",
            content_type="application/x-www-form-urlencoded",
        ),
    ]
    for response in answers:
        assert response.status_code == 422, response.content
        assert response.json()["code"] == "invalid"
    # Text without NUL goes on to the view as before.
    assert client.get("/api/v1/regions", {"under": "440704"}).status_code == 200


def test_it_answers_ids_beyond_64_bits_as_invalid(api: Any, district_token: str) -> None:
    """Found by the fuzzer: a photo id past 2**63 failed in the database (a 500)."""
    client = api("district")
    report = {
        "category": "0601",
        "description": "井盖松动",
        "lng": 113.02,
        "lat": 22.05,
        "request_id": "fuzz-1",
        "attachments": [2**70],
    }
    response = client.post(
        "/api/v1/events/batch", {"reports": [report]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert result["status"] == "invalid"
    assert "attachments" in result["fields"]
    response = client.post("/api/v1/events", report, content_type="application/json")
    assert response.status_code == 422, response.content
