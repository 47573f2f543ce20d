"""Background work of the ledgers: imports, run by the configured task backend (``wangge db_worker``)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from wangge.ledgers.services import run_import


@task()
def run_import_task(job_id: int, attempt: int) -> dict[str, Any]:
    """Run import job ``job_id`` if it is still queued for ``attempt``."""
    job = run_import(job_id, attempt)
    if job is None:
        return {"job_id": job_id, "attempt": attempt, "state": "skipped"}
    return {
        "job_id": job.pk,
        "attempt": job.attempt,
        "state": job.state,
        "created": job.created_count,
        "errors": job.error_count,
    }
