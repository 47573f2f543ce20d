"""The same POST sent many times at once stores one event (PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from wangge.events.models import Event
from wangge.open311.actions import SubmitInput, do_submit_request
from wangge.open311.models import ApiKey, ServiceRequest
from wangge.testing import POINT_A

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs concurrent writers (run with a PostgreSQL database)",
)

THREADS = 12


def run_together(work):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("request_id", ["", "burst-1"])
def test_a_burst_of_one_request_stores_one_event(transactional_db, keys, request_id):
    body = SubmitInput(
        service_code="0601",
        lat=str(POINT_A[1]),
        long=str(POINT_A[0]),
        description="井盖松动",
        attributes={"danger": ["high"]},
        device_id="d1",
        request_id=request_id,
    )

    def work(i):
        return do_submit_request(ApiKey.objects.get(pk=keys.key.pk), body)

    results = run_together(work)
    assert len({r.request.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Event.objects.count() == 1
    assert ServiceRequest.objects.count() == 1
