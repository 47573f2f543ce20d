"""Reads: a user's own notifications, and who is to be told about a step of an event.

Notifications are private to their recipient: every read filters on ``recipient``,
so another user's notification answers like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet

from wangge.accounts.models import Assignment, User
from wangge.events.models import Event, EventPart
from wangge.notifications.models import Notification


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def notification_for(user: Any, notification_id: int) -> Notification | None:
    return notifications_for(user).filter(pk=notification_id).first()


def unread_count(user: Any) -> int:
    return notifications_for(user, unread_only=True).count()


# --- recipients --------------------------------------------------------------------


def department_handlers(department_ids: Iterable[int]) -> set[int]:
    """Active users with a department assignment, in one of these, whose role handles events."""
    ids = sorted(set(department_ids))
    if not ids:
        return set()
    # One filter() call: the same assignment must match the department and the permission.
    return set(
        User.objects.filter(
            is_active=True,
            assignments__is_active=True,
            assignments__department_id__in=ids,
            assignments__role__permissions__content_type__app_label="events",
            assignments__role__permissions__codename="handle_event",
        ).values_list("pk", flat=True)
    )


def command_centre(code: str) -> set[int]:
    """Dispatchers of the nearest node containing ``code`` (the node itself or above) that has any."""
    prefixes = [code[:n] for n in range(2, len(code) + 1)]
    rows = set(
        Assignment.objects.filter(
            is_active=True,
            user__is_active=True,
            region__code__in=prefixes,
            role__permissions__content_type__app_label="events",
            role__permissions__codename="dispatch_event",
        ).values_list("user_id", "region__code")
    )
    if not rows:
        return set()
    deepest = max(len(node) for _, node in rows)
    return {user_id for user_id, node in rows if len(node) == deepest}


def handling_departments(event: Event) -> list[int]:
    """The department the event is dispatched to, or every summoned one."""
    if event.current_department_id is not None:
        return [event.current_department_id]
    return list(EventPart.objects.filter(event=event).values_list("department_id", flat=True))
