"""Requests at the same moment: the database decides (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from wangge.accounts.tokens import issue_token
from wangge.emergency import actions
from wangge.emergency.models import Emergency, OutcomeRecord, Task
from wangge.emergency.testing import STREET
from wangge.testing import GRID_A

from .conftest import rid

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


def clients(world, username):
    keys = [issue_token(world[username])[0] for _ in range(THREADS)]
    return [Client(headers={"Authorization": f"Bearer {key}"}) for key in keys]


def test_the_same_request_id_at_once_stores_one_outcome(transactional_db, world, ledgers):
    emergency = actions.do_activate_emergency(actor=None, region_code=STREET, kind="typhoon")
    task = Task.objects.filter(emergency=emergency.emergency, grid_code=GRID_A).first()
    body = {"request_id": rid(), "task_id": task.pk, "outcome": "notified"}
    workers = clients(world, "worker_a")

    def work(i):
        response = workers[i].post(
            "/api/v1/emergency/outcomes", body, content_type="application/json"
        )
        return response.status_code, response.json().get("id")

    results = run_together(work)
    assert sorted(code for code, _ in results) == [200] * (THREADS - 1) + [201]
    assert len({pk for _, pk in results}) == 1
    assert OutcomeRecord.objects.count() == 1


def test_nested_areas_switched_in_at_once_let_one_win(transactional_db, world, ledgers):
    district = clients(world, "district")

    def work(i):
        code = ("440704", STREET, "440704001001", GRID_A)[i % 4]
        return (
            district[i]
            .post(
                "/api/v1/emergency/emergencies",
                {"region_code": code, "kind": "typhoon"},
                content_type="application/json",
            )
            .status_code
        )

    codes = run_together(work)
    assert sorted(codes) == [201] + [409] * (THREADS - 1), codes
    assert Emergency.objects.filter(status="active").count() == 1


def test_no_outcome_lands_after_the_final_record(transactional_db, world, ledgers):
    emergency = actions.do_activate_emergency(
        actor=None, region_code=STREET, kind="typhoon"
    ).emergency
    tasks = list(Task.objects.filter(emergency=emergency, grid_code=GRID_A))
    workers = clients(world, "worker_a")
    street = clients(world, "street")[0]

    def work(i):
        if i == 0:
            return street.post(
                f"/api/v1/emergency/emergencies/{emergency.pk}/deactivate",
                {},
                content_type="application/json",
            ).status_code
        task = tasks[i % len(tasks)]
        body = {"request_id": rid(), "task_id": task.pk, "outcome": "notified"}
        return (
            workers[i]
            .post("/api/v1/emergency/outcomes", body, content_type="application/json")
            .status_code
        )

    codes = run_together(work)
    assert codes[0] == 200
    assert set(codes[1:]) <= {201, 409}
    emergency.refresh_from_db()
    assert emergency.final_covered == Task.objects.filter(emergency=emergency, covered=True).count()
    landed = OutcomeRecord.objects.filter(task__emergency=emergency).count()
    assert landed == codes[1:].count(201)
