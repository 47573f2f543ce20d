"""The lists cost the same number of queries whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import ENTERPRISE_A, inspect, ok


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(queries)


def test_lists_do_not_grow_with_their_rows(api, login, samples):
    worker = api("worker_a")
    page = login("worker_a")
    ok(inspect(worker, samples.enterprises[ENTERPRISE_A], hose=2.5), 201)
    paths = (
        "/api/v1/inspections/hazards",
        "/api/v1/inspections",
        "/inspections/",
        "/inspections/done/",
    )
    one = {p: count(page if p.startswith("/inspections") else worker, p) for p in paths}
    for _ in range(4):
        ok(
            inspect(worker, samples.enterprises[ENTERPRISE_A], hose=2.5, fail=("alarm-installed",)),
            201,
        )
    five = {p: count(page if p.startswith("/inspections") else worker, p) for p in paths}
    assert five == one
    assert one["/api/v1/inspections/hazards"] <= 6
