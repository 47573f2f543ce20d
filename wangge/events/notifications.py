"""Side effects after an event changed: sent only once the transaction committed.

Receivers of ``event_changed`` (SMS, app push, dashboards…) get the event id,
the action and the timeline step id; they load what they need themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger("wangge.events")

#: ``sender`` is the Event class; kwargs ``event_id``, ``action``, ``step_id``.
event_changed = Signal()


def notify(event_id: int, action: str, step_id: int | None) -> None:
    logger.debug("event %s: %s (step %s)", event_id, action, step_id)
    from wangge.events.models import Event

    results: list[tuple[Any, Any]] = event_changed.send_robust(
        sender=Event, event_id=event_id, action=action, step_id=step_id
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error("event_changed receiver %r failed: %s", receiver, result)
