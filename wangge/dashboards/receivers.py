"""An event deleted (the admin, a data clean-up) leaves the dashboards' aggregates at once.

Deleting an event writes no timeline step, so the change feed would not see it and the
event would stay counted until the nightly reconcile.  ``event_deleted`` remembers the ids
and, once the transaction commits, applies them in batches (``aggregates.apply_events``
subtracts what an event that no longer exists had added).  Applying is idempotent, so ids
left over from a rolled-back transaction are harmless when a later commit applies them.
Deletes in raw SQL are not seen: the nightly reconcile covers them.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction

from wangge.dashboards.aggregates import apply_events
from wangge.dashboards.feed import BATCH

_pending = threading.local()


def _ids() -> set[int]:
    ids: set[int] | None = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    return ids


def apply_deleted() -> int:
    """Apply the deleted events remembered so far; how many."""
    ids = sorted(_ids())
    _pending.ids = set()
    for start in range(0, len(ids), BATCH):
        apply_events(ids[start : start + BATCH])
    return len(ids)


def event_deleted(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    _ids().add(int(instance.pk))
    transaction.on_commit(apply_deleted, using=using)
