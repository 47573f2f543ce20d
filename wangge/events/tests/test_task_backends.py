"""The task backend chosen by WANGGE_TASKS_BACKEND; the overdue task run through RQ and Redis."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.tasks import TaskResultStatus
from django.utils import timezone

from wangge.events.models import Event
from wangge.events.tasks import mark_overdue_task

from .conftest import act, ok, report

PRINT_TASKS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'tasks': s.TASKS, 'queues': s.RQ_QUEUES, "
    "'rq': 'django_rq' in s.INSTALLED_APPS}))"
)


def configured(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WANGGE_TASKS")}
    environ.update(DJANGO_SETTINGS_MODULE="wangge.config.settings", **env)
    return subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", PRINT_TASKS],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_uses_the_database_backend_by_default():
    done = configured()
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["tasks"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert found["rq"] is False


def test_it_uses_rq_when_asked():
    done = configured(WANGGE_TASKS_BACKEND="rq", WANGGE_REDIS_URL="redis://127.0.0.1:6390/3")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["tasks"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert found["queues"]["default"]["URL"] == "redis://127.0.0.1:6390/3"
    assert found["rq"] is True


def test_it_refuses_an_unknown_backend():
    done = configured(WANGGE_TASKS_BACKEND="celery")
    assert done.returncode != 0
    assert "WANGGE_TASKS_BACKEND must be database or rq" in done.stderr


@pytest.fixture
def rq_queue(settings):
    """A queue of its own on the local Redis; skipped only when Redis does not answer."""
    import django_rq
    import redis

    url = django_settings.REDIS_URL
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    from django_tasks_rq import Job

    name = f"wangge-test-{uuid.uuid4().hex[:12]}"
    # get_result() looks jobs up through the connection of the "default" queue.
    settings.RQ_QUEUES = {"default": {"URL": url}, name: {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    queue = django_rq.get_queue(name, job_class=Job)
    yield queue
    for job_id in [
        *queue.job_ids,
        *queue.finished_job_registry.get_job_ids(),
        *queue.failed_job_registry.get_job_ids(),
    ]:
        job = queue.fetch_job(job_id)
        if job is not None:
            job.delete()
    queue.delete(delete_jobs=True)


def test_it_runs_the_overdue_task_through_rq(ew, client_for, rq_queue):
    from django_tasks_rq import Job
    from rq import SimpleWorker

    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(client_for("street"), event_id, "register"))
    ok(act(client_for("street"), event_id, "dispatch"))
    Event.objects.filter(pk=event_id).update(accept_due=timezone.now() - timedelta(hours=1))

    result = mark_overdue_task.using(queue_name=rq_queue.name).enqueue()
    assert result.status == TaskResultStatus.READY
    assert rq_queue.job_ids == [result.id]
    assert not Event.objects.get(pk=event_id).overdue

    # In-process (no fork), so the worker sees this test's transaction.
    worker = SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job)
    assert worker.work(burst=True) is True
    assert Event.objects.get(pk=event_id).overdue
    finished = mark_overdue_task.get_backend().get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == {"flagged": 1, "escalated": 0}
    assert rq_queue.job_ids == []
