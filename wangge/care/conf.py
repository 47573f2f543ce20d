"""The care app's settings, read when used (tests change them with ``settings``).

``CARE_NOT_HOME_FOLLOW_UP_DAYS`` (default 1): after "not home", a follow-up task is due this
many days later (0: the same day; ``None``: no follow-up).
``CARE_TASK_LEAD_DAYS`` (default 0): tasks are created this many days before they fall due.
``CARE_HELP_CATEGORY`` (default: 困难群众帮扶 under 特殊人群服务): the event category code a
"needs help" visit reports in.
``CARE_MAX_BACKDATE_DAYS`` (default 30): how long after a visit a phone may still record it.
"""

from __future__ import annotations

from django.conf import settings


def _int(name: str, default: int, minimum: int = 0) -> int:
    value = getattr(settings, name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(minimum, number)


def follow_up_days() -> int | None:
    """Days until the follow-up of a "not home" visit is due; ``None``: no follow-up."""
    if getattr(settings, "CARE_NOT_HOME_FOLLOW_UP_DAYS", 1) is None:
        return None
    return _int("CARE_NOT_HOME_FOLLOW_UP_DAYS", 1)


def lead_days() -> int:
    return _int("CARE_TASK_LEAD_DAYS", 0)


def help_category_code() -> str:
    return str(getattr(settings, "CARE_HELP_CATEGORY", "") or "")


def max_backdate_days() -> int:
    return _int("CARE_MAX_BACKDATE_DAYS", 30, minimum=1)
