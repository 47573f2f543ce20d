"""When a base-data record counts as stale: not verified within ``BASEDATA_STALE_DAYS``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

DEFAULT_STALE_DAYS = 180


def stale_days() -> int:
    return int(getattr(settings, "BASEDATA_STALE_DAYS", DEFAULT_STALE_DAYS))


def stale_before(now: datetime | None = None) -> datetime:
    """Records verified before this moment (or never) are stale."""
    return (now or timezone.now()) - timedelta(days=stale_days())


def is_stale(verified_at: datetime | None, now: datetime | None = None) -> bool:
    return verified_at is None or verified_at < stale_before(now)
