"""Background work: sending SMS and POSTing webhook deliveries (``wangge db_worker``).

A failed delivery schedules its own retry (``run_after``, exponential backoff) when
the task backend can defer; ``retry_webhooks_task`` also sweeps every due delivery,
for backends that cannot and for retries lost with a worker.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from wangge.notifications.actions import attempt_delivery, due_deliveries, send_sms
from wangge.notifications.choices import DeliveryState
from wangge.notifications.models import WebhookDelivery


@task()
def send_sms_task(message_id: int) -> dict[str, Any]:
    message = send_sms(message_id)
    if message is None:
        return {"message_id": message_id, "state": "skipped"}
    return {"message_id": message_id, "state": message.state}


def _schedule_retry(delivery: WebhookDelivery) -> bool:
    if delivery.state != DeliveryState.PENDING or delivery.next_attempt_at is None:
        return False
    if not deliver_webhook_task.get_backend().supports_defer:
        return False  # the sweep picks it up
    deliver_webhook_task.using(run_after=delivery.next_attempt_at).enqueue(
        delivery.pk, delivery.attempts
    )
    return True


@task()
def deliver_webhook_task(delivery_id: int, attempt: int) -> dict[str, Any]:
    """POST one delivery once (its ``attempt``-th retry); schedule the next try on failure."""
    delivery = attempt_delivery(delivery_id, attempt)
    if delivery is None:
        return {"delivery_id": delivery_id, "attempt": attempt, "state": "skipped"}
    return {
        "delivery_id": delivery_id,
        "attempts": delivery.attempts,
        "state": delivery.state,
        "status": delivery.last_status,
        "retry_scheduled": _schedule_retry(delivery),
    }


@task()
def retry_webhooks_task() -> dict[str, int]:
    """Try every pending delivery whose next attempt is due."""
    tried = delivered = 0
    for delivery_id, attempts in due_deliveries():
        delivery = attempt_delivery(delivery_id, attempts)
        if delivery is None:
            continue
        tried += 1
        delivered += delivery.state == DeliveryState.DELIVERED
    return {"tried": tried, "delivered": delivered}
