"""Background work of care visits, run by the configured task backend.

``wangge care_worker`` generates the visit tasks periodically (daily is enough: a task
is due on a day); with ``--enqueue`` it only puts ``generate_visit_tasks_task`` on the
queue for ``wangge db_worker`` (or ``wangge rqworker``).
"""

from __future__ import annotations

from django.tasks import task

from wangge.care.actions import generate_visit_tasks
from wangge.care.photos import delete_unused_photos


@task()
def generate_visit_tasks_task(district: str | None = None) -> dict[str, int]:
    """Open the visit tasks that are due; remove photo uploads no visit claimed."""
    counts = generate_visit_tasks(district=district).as_dict()
    counts["photos_removed"] = delete_unused_photos()
    return counts
