"""Background training: ``retrain_triage_task`` trains when enough new events were registered.

Enqueue it periodically (``wangge train_triage --if-needed --enqueue``, e.g. next to
``wangge events_worker --once --enqueue``) and run ``wangge db_worker``.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from wangge.triage.actions import do_train_triage


@task()
def retrain_triage_task(force: bool = False) -> dict[str, Any]:
    """Train a new version if forced, if there is none, or after ``TRIAGE_RETRAIN_AFTER`` events."""
    row = do_train_triage(actor=None, if_needed=not force)
    if row is None:
        return {"trained": False}
    return {"trained": True, "version": row.version, "top1_accuracy": row.top1_accuracy}
