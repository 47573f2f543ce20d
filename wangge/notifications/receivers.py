"""The receiver of ``event_changed``: notify after every committed step of an event."""

from __future__ import annotations

from typing import Any

from wangge.notifications.actions import do_notify_event_change


def on_event_changed(
    sender: Any, *, event_id: int, action: str, step_id: int | None, **kwargs: Any
) -> None:
    do_notify_event_change(event_id, action, step_id)
