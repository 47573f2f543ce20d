"""Background work of the events app, run by the configured task backend.

``wangge events_worker`` runs the supervision periodically; with ``--enqueue`` it
only puts ``mark_overdue_task`` on the queue for ``wangge db_worker``.
"""

from __future__ import annotations

from django.tasks import task

from wangge.events.actions import mark_overdue


@task()
def mark_overdue_task() -> dict[str, int]:
    """Flag overdue events and escalate per ``EVENTS_ESCALATE_OVERDUE_HOURS``."""
    return mark_overdue().as_dict()
