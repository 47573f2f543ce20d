"""Property-based fuzzing of ``/open311/v2/`` with schemathesis.

GeoReport v2 has no machine-readable schema of its own, so ``wangge/open311/openapi.yaml``
describes our endpoints as implemented; every operation is called with valid and invalid
data, and nothing may answer with a server error (5xx).  POST runs once with a valid API
key of the district (so that the checks behind the key are reached) and once with whatever
key schemathesis makes up.  Every example is rolled back.  ``WANGGE_FUZZ_EXAMPLES`` raises
the number of examples for a deeper local run (see wangge/api/tests/test_schemathesis.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from wangge.testing import sample_events

from .conftest import BASE, J, Keys

MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "8"))
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

schema = schemathesis.openapi.from_path(str(SCHEMA_PATH))
schema.app = WSGIHandler()
post_schema = schema.include(method="POST")


@pytest.fixture(autouse=True)
def _keep_the_test_connection(settings: Any) -> Iterator[None]:
    """The real WSGI handler closes "old" connections around each request, which would
    drop the test's own; Django's test client disconnects the same signals.  The POST
    rate limit is raised so that the fuzzer reaches the checks behind it."""
    settings.OPEN311_KEY_RATE = "100000/h"
    settings.OPEN311_IP_RATE = "100000/h"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_keys(keys: Keys) -> Keys:
    sample_events(keys.world)
    return keys


def call(case: Any) -> None:
    with transaction.atomic():
        response = case.call()
        transaction.set_rollback(True)
    case.validate_response(response, checks=[not_a_server_error])


def test_it_describes_every_endpoint_it_serves(fuzz_keys: Keys) -> None:
    """The document and the URLs agree: each documented operation answers, in both formats."""
    client = Client()
    for path in ("discovery", "services", "services/0601", "requests"):
        for fmt in ("json", "xml"):
            response = client.get(f"{BASE}/{path}.{fmt}", {"jurisdiction_id": J})
            assert response.status_code == 200, (path, fmt, response.content[:200])
    assert {op.ok().label for op in schema.get_all_operations()} == {
        "GET /discovery.{format}",
        "GET /services.{format}",
        "GET /services/{service_code}.{format}",
        "GET /requests.{format}",
        "POST /requests.{format}",
        "GET /requests/{service_request_id}.{format}",
        "GET /tokens/{token}.{format}",
    }


@schema.parametrize()
@FUZZ_SETTINGS
def test_it_answers_without_server_errors(case: Any, fuzz_keys: Keys) -> None:
    call(case)


@post_schema.parametrize()
@FUZZ_SETTINGS
def test_it_answers_posts_with_a_valid_key_without_server_errors(
    case: Any, fuzz_keys: Keys
) -> None:
    if isinstance(case.body, dict):
        case.body["api_key"] = fuzz_keys.raw
    call(case)
