"""Sample rows for tests that walk every endpoint (``wangge/api/tests/test_leaks.py``).

``sample_notifications(world)``: ids of notifications of a few users (made once), for the
``notification_id`` path parameter; ``sample_webhooks(world)``: ids of webhooks, for
``webhook_id``.
"""

from __future__ import annotations

from wangge.notifications.models import Notification, Webhook
from wangge.testing import World

SAMPLE_TITLE = "样例通知"


def sample_notifications(world: World) -> list[int]:
    existing = list(
        Notification.objects.filter(title=SAMPLE_TITLE).order_by("pk").values_list("pk", flat=True)
    )
    if existing:
        return existing
    ids = []
    for username in ("worker_a", "dept", "street", "resident"):
        n = Notification.objects.create(
            recipient=world[username], kind="dispatched", title=SAMPLE_TITLE, body="样例"
        )
        ids.append(n.pk)
    return ids


def sample_webhooks(world: World) -> list[int]:
    hook, _ = Webhook.objects.get_or_create(
        name="样例 Webhook",
        defaults={"url": "https://example.org/hook", "secret": "sample", "is_active": False},
    )
    return [hook.pk]
