"""Demo notifications for a district: the in-app messages of its recent event steps.

Events seeded through the real actions already notified (the ``event_changed``
receiver); this fills in what is missing (e.g. events seeded before this app
was installed), marks the older half read, and adds one example webhook, inactive.
No SMS and no webhook deliveries are made.  Idempotent.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from wangge.events.models import EventStep
from wangge.notifications.actions import _store_notifications
from wangge.notifications.models import Notification, Webhook

RECENT_STEPS = 300


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    del seed  # nothing random: the same data gives the same result
    steps = list(
        EventStep.objects.filter(event__district_code=district_code)
        .select_related("event__category")
        .order_by("-at", "-pk")[:RECENT_STEPS]
    )
    created = 0
    with transaction.atomic():
        for step in steps:
            created += _store_notifications(step.event, step)
        mine = Notification.objects.filter(
            event__district_code=district_code, read_at__isnull=True
        ).order_by("created_at", "pk")
        ids = list(mine.values_list("pk", flat=True))
        to_read = ids[: len(ids) // 2]
        Notification.objects.filter(pk__in=to_read).update(read_at=timezone.now())
        hook, made = Webhook.objects.get_or_create(
            name="示例：市级城市运行平台（未启用）",
            defaults={
                "url": "https://example.org/wangge-webhook",
                "secret": secrets.token_hex(32),
                "district_code": district_code,
                "actions": ["dispatch", "overdue", "escalate", "verify"],
                "is_active": False,
            },
        )
    total = Notification.objects.filter(event__district_code=district_code).count()
    return (
        f"notifications: {total} ({created} new, {len(to_read)} marked read), "
        f"{'1 example webhook' if made else 'example webhook kept'}"
    )
