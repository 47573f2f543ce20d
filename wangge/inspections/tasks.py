"""Background work of safety inspections, run by the configured task backend.

``wangge inspections_worker`` runs the pass periodically; with ``--enqueue`` it
only puts ``escalate_overdue_hazards_task`` on the queue for ``wangge db_worker``.
"""

from __future__ import annotations

from django.tasks import task

from wangge.inspections.actions import mark_overdue_hazards


@task()
def escalate_overdue_hazards_task() -> dict[str, int]:
    """Escalate open hazards past their rectification deadline into events."""
    return mark_overdue_hazards().as_dict()
