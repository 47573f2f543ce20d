"""Twenty identical attempts at the same moment store one (PostgreSQL only)."""

import threading
import uuid

import pytest
from django.db import connection, connections

from wangge.accounts.tokens import issue_token
from wangge.campaigns.models import Attempt, Target

from .conftest import create_campaign

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs concurrent writers (run with a PostgreSQL database)",
)

THREADS = 20


def test_it_stores_one_attempt_for_a_request_id_sent_twenty_times_at_once(
    transactional_db, api, world, elderly
):
    from django.test import Client

    campaign = create_campaign(api("community"))
    target = Target.objects.filter(campaign_id=campaign["id"], assignee=world["worker_a"]).first()
    keys = [issue_token(world["worker_a"])[0] for _ in range(THREADS)]
    body = {
        "request_id": str(uuid.uuid4()),
        "target_id": target.pk,
        "channel": "phone",
        "outcome": "no_answer",
        "answers": {},
    }
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def work(i):
        try:
            client = Client(headers={"Authorization": f"Bearer {keys[i]}"})
            barrier.wait()
            response = client.post(
                "/api/v1/campaigns/attempts", body, content_type="application/json"
            )
            results[i] = (response.status_code, response.json()["id"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in results) == [200] * (THREADS - 1) + [201]
    assert len({pk for _, pk in results}) == 1
    assert Attempt.objects.count() == 1
    assert Target.objects.get(pk=target.pk).attempt_count == 1
