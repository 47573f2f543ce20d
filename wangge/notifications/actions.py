"""Changes: notifying about event steps, reading notifications, SMS and webhook deliveries.

``do_notify_event_change`` runs after an event's transaction committed (receiver of
``wangge.events.notifications.event_changed``).  It is idempotent: notifications
are unique per (step, recipient), SMS per (step, recipient key), deliveries per
(webhook, step), so the same signal twice stores nothing new.  Sending (SMS,
webhook POSTs) happens in tasks, enqueued once the rows are committed.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from wangge.audit.actions import record
from wangge.events.choices import EventAction, EventSource
from wangge.events.models import Event, EventStep
from wangge.lib.errors import Refusal
from wangge.lib.language import in_data_language
from wangge.notifications import selectors, webhooks
from wangge.notifications.choices import DeliveryState, NotificationKind, SmsState
from wangge.notifications.models import Notification, SmsMessage, Webhook, WebhookDelivery
from wangge.notifications.sms import backend_path, get_gateway, sms_kinds

K = NotificationKind
A = EventAction
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
INVALID = gettext_lazy("Invalid input: please check the fields.")


class NotificationError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class NotificationConflict(NotificationError):
    status = 409
    code = "conflict"


# --- who is told what -----------------------------------------------------------------


#: Actions whose step notifies somebody in the app (see ``_plan``).
NOTIFYING_ACTIONS = frozenset(
    {
        A.DISPATCH,
        A.REDISPATCH,
        A.FORCE,
        A.SEND_BACK,
        A.SUMMON,
        A.OVERDUE,
        A.SUPERVISE,
        A.ESCALATE,
        A.VERIFY,
        A.SELF_HANDLE,
        A.REJECT,
    }
)


def _followers(event: Event) -> set[int]:
    """Users following the event (joined it or were merged in): told when it closes too."""
    from wangge.events.models import EventFollower

    return set(EventFollower.objects.filter(event=event).values_list("user_id", flat=True))


def _plan(event: Event, step: EventStep) -> list[tuple[str, set[int]]]:
    """(kind, user ids) for a step; the first kind a user appears under wins."""
    action = step.action
    reporter = {event.reporter_id} if event.reporter_id is not None else set()
    if action in (A.DISPATCH, A.REDISPATCH, A.FORCE):
        return [
            (K.DISPATCHED, selectors.department_handlers(selectors.handling_departments(event)))
        ]
    if action == A.SEND_BACK:
        return [(K.SENT_BACK, selectors.command_centre(event.handler_code))]
    if action == A.SUMMON:
        return [(K.SUMMONED, selectors.department_handlers(selectors.handling_departments(event)))]
    if action in (A.OVERDUE, A.SUPERVISE):
        kind = K.OVERDUE if action == A.OVERDUE else K.SUPERVISED
        departments = selectors.department_handlers(selectors.handling_departments(event))
        return [(kind, departments | selectors.command_centre(event.handler_code))]
    if action == A.ESCALATE:
        # The event's level is already the upper one: its centre is the upper level's.
        return [(K.ESCALATED, selectors.command_centre(event.handler_code))]
    if action == A.VERIFY:
        departments = selectors.department_handlers(selectors.handling_departments(event))
        if (step.data or {}).get("passed"):
            return [(K.VERIFIED, departments), (K.CLOSED, reporter | _followers(event))]
        return [(K.REWORK, departments)]
    if action == A.SELF_HANDLE:
        return [(K.CLOSED, reporter | _followers(event))]
    if action == A.REJECT:
        return [(K.REJECTED, reporter)]
    return []


def _texts(kind: str, event: Event, step: EventStep) -> tuple[str, str]:
    # Stored for every recipient, whatever the language of whoever took the step: in the
    # installation's language, like the rest of the text.
    label = in_data_language(NotificationKind(kind).label)
    title = f"{label}：{event.title}"[:120]
    lines = [f"事件编号 {event.number}", f"类别：{event.category.name}"]
    if event.address:
        lines.append(f"地点：{event.address}")
    if step.note:
        lines.append(f"说明：{step.note[:300]}")
    if kind == K.OVERDUE:
        lines.append("请尽快处置。")
    return title, "\n".join(lines)


def _sms_text(kind: str, event: Event) -> str:
    if kind == K.CLOSED:
        return f"【网格化服务管理】您反映的问题（编号 {event.number}）已办结，感谢您的参与和监督。"
    label = in_data_language(NotificationKind(kind).label)
    return f"【网格化服务管理】{label}：事件编号 {event.number}。"


#: Whether a webhook is active, remembered this long per process: every report asks.
WEBHOOK_CHECK_SECONDS = 5.0
_webhook_check: list[float | bool] = [-1.0, False]  # (asked at, answer); < 0: never


def any_active_webhook() -> bool:
    """Is any webhook active?  Cached for ``WEBHOOK_CHECK_SECONDS``; a webhook saved or deleted
    in this process clears the cache (``forget_webhook_check``), other processes see it within
    those seconds."""
    now = time.monotonic()
    asked = float(_webhook_check[0])
    # 0 <= …: a clock that went back (a simulated one, as the demo seeder runs) is a miss.
    if asked >= 0 and 0 <= now - asked < WEBHOOK_CHECK_SECONDS:
        return bool(_webhook_check[1])
    answer = Webhook.objects.filter(is_active=True).exists()
    _webhook_check[:] = [now, answer]
    return answer


def forget_webhook_check(**kwargs: Any) -> None:
    _webhook_check[:] = [-1.0, False]


@dataclass
class NotifyResult:
    notifications: int = 0
    sms: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)


def do_notify_event_change(event_id: int, action: str, step_id: int | None) -> NotifyResult:
    """Store the notifications, SMS and webhook deliveries for one step (system action)."""
    result = NotifyResult()
    if step_id is None:
        return result
    if action not in NOTIFYING_ACTIONS and not any_active_webhook():
        # A new report (the hot path of intake) tells nobody unless a webhook listens.
        return result
    event = Event.objects.select_related("category").filter(pk=event_id).first()
    step = EventStep.objects.filter(pk=step_id, event_id=event_id).first()
    if event is None or step is None:
        return result
    plan = _plan(event, step)
    with transaction.atomic():
        result.notifications = _store_notifications(event, step, plan)
        result.sms = _store_sms(event, step, {kind for kind, _ in plan})
        result.deliveries = _store_deliveries(event, step)
    if result.sms or result.deliveries:
        transaction.on_commit(partial(_enqueue, result.sms, result.deliveries))
    return result


def _store_notifications(
    event: Event, step: EventStep, plan: list[tuple[str, set[int]]] | None = None
) -> int:
    if plan is None:
        plan = _plan(event, step)
    link = reverse("events:detail", args=[event.pk])
    seen: set[int] = set()
    if step.actor_id is not None:
        seen.add(step.actor_id)  # nobody is told about what they did themselves
    rows: list[Notification] = []
    for kind, user_ids in plan:
        title, body = _texts(kind, event, step)
        for user_id in sorted(user_ids - seen):
            seen.add(user_id)
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=kind,
                    title=title,
                    body=body,
                    link=link,
                    event=event,
                    step=step,
                    created_at=step.at,
                )
            )
    if not rows:
        return 0
    existing = set(Notification.objects.filter(step=step).values_list("recipient_id", flat=True))
    rows = [n for n in rows if n.recipient_id not in existing]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _store_sms(event: Event, step: EventStep, planned: set[str]) -> list[int]:
    kinds = planned & sms_kinds()
    # accounts.User has no phone: only a resident reporter's own contact number is texted.
    if K.CLOSED not in kinds or event.source != EventSource.RESIDENT:
        return []
    phone = re.sub(r"[\s-]", "", event.reporter_contact or "")
    if not PHONE.match(phone):
        return []
    if SmsMessage.objects.filter(step=step, key="reporter").exists():
        return []
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                phone=phone,
                body=_sms_text(K.CLOSED, event),
                kind=K.CLOSED,
                key="reporter",
                event=event,
                step=step,
            )
    except IntegrityError:
        return []  # stored by a concurrent run of the same signal
    return [message.pk]


def _store_deliveries(event: Event, step: EventStep) -> list[int]:
    hooks = [
        hook
        for hook in Webhook.objects.filter(
            is_active=True, district_code__in=["", event.district_code]
        )
        if hook.wants(event, step.action)
    ]
    if not hooks:
        return []
    done = set(
        WebhookDelivery.objects.filter(step=step, webhook__in=hooks).values_list(
            "webhook_id", flat=True
        )
    )
    rows = []
    for hook in hooks:
        if hook.pk in done:
            continue
        delivery = WebhookDelivery(
            webhook=hook, event=event, step=step, action=step.action, next_attempt_at=step.at
        )
        delivery.payload = webhooks.payload(str(delivery.uuid), event, step, step.action)
        rows.append(delivery)
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        WebhookDelivery.objects.filter(uuid__in=[d.uuid for d in rows]).values_list("pk", flat=True)
    )


def _enqueue(sms_ids: list[int], delivery_ids: list[int]) -> None:
    from wangge.notifications.tasks import deliver_webhook_task, send_sms_task

    for message_id in sms_ids:
        send_sms_task.enqueue(message_id)
    for delivery_id in delivery_ids:
        deliver_webhook_task.enqueue(delivery_id, 0)


# --- reading -----------------------------------------------------------------------------


def do_mark_read(notification: Notification, *, actor: Any) -> Notification:
    """Mark one's own notification read (again: nothing changes)."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise NotificationError(_("Notification not found."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def do_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- SMS -------------------------------------------------------------------------------------


#: Kinds of text that carry a one-time code.
ONE_TIME_CODE_KINDS = frozenset({NotificationKind.LOGIN_CODE})

_CODE = re.compile(r"\d{4,}")


def blank_codes(body: str) -> str:
    """``body`` with every run of four or more digits starred out."""
    return _CODE.sub(lambda m: "*" * len(m.group()), body)


def send_sms(message_id: int) -> SmsMessage | None:
    """Hand one pending message to the gateway; ``None`` if it is not pending (sent already)."""
    if not SmsMessage.objects.filter(pk=message_id, state=SmsState.PENDING).update(
        state=SmsState.SENDING
    ):
        return None
    message = SmsMessage.objects.get(pk=message_id)
    gateway = backend_path()
    # A one-time code is not kept in the outbox once the gateway has had it (sent or not:
    # a failed code is never sent again, the resident asks for a new one).
    body = {"body": blank_codes(message.body)} if message.kind in ONE_TIME_CODE_KINDS else {}
    try:
        provider_id = get_gateway().send(message.phone, message.body)
    except Exception as exc:  # noqa: BLE001  # any gateway failure is recorded, not raised
        SmsMessage.objects.filter(pk=message_id).update(
            state=SmsState.FAILED, gateway=gateway, error=str(exc)[:500], **body
        )
    else:
        SmsMessage.objects.filter(pk=message_id).update(
            state=SmsState.SENT,
            gateway=gateway,
            provider_id=provider_id[:100],
            sent_at=timezone.now(),
            error="",
            **body,
        )
    message.refresh_from_db()
    return message


# --- webhooks -----------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "WANGGE_WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: base · 2^(attempts−1), at most six hours."""
    base = float(getattr(settings, "WANGGE_WEBHOOK_RETRY_BASE_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def attempt_delivery(
    delivery_id: int, attempt: int, *, now: datetime | None = None
) -> WebhookDelivery | None:
    """Try delivery ``delivery_id`` once if it is pending after ``attempt`` tries.

    The compare-and-set on ``attempts`` makes a duplicate task (or a sweep racing
    the scheduled retry) a no-op.  ``None`` when somebody else took this attempt.
    """
    if not WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, attempts=attempt
    ).update(attempts=attempt + 1):
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    if not hook.is_active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            state=DeliveryState.FAILED, next_attempt_at=None, last_error="webhook inactive"
        )
        delivery.refresh_from_db()
        return delivery
    sent_at = now or timezone.now()
    result = webhooks.post(
        hook.url,
        webhooks.body_bytes(delivery.payload),
        secret=hook.secret,
        delivery_id=str(delivery.uuid),
        at=sent_at,
    )
    done_at = timezone.now() if now is None else now
    changes: dict[str, Any] = {"last_status": result.status, "last_error": result.error}
    if result.ok:
        changes.update(state=DeliveryState.DELIVERED, delivered_at=done_at, next_attempt_at=None)
    elif delivery.attempts >= max_attempts():
        changes.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=done_at + backoff(delivery.attempts))
    WebhookDelivery.objects.filter(pk=delivery_id).update(**changes)
    delivery.refresh_from_db()
    return delivery


def due_deliveries(now: datetime | None = None) -> list[tuple[int, int]]:
    """(id, attempts) of pending deliveries whose next attempt is due."""
    return list(
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "attempts")[:500]
    )


# --- webhook subscriptions (administrators) -----------------------------------------------------


def _check_hook(
    *, name: str | None, url: str | None, district_code: str | None, actions: list[str] | None
) -> dict[str, Any]:
    from wangge.regions.models import Region

    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if name is not None:
        clean["name"] = name.strip()[:100]
        if not clean["name"]:
            errors["name"] = _("Please give a name.")
    if url is not None:
        clean["url"] = url.strip()
        if not re.match(r"^https?://[^\s/]+", clean["url"]) or len(clean["url"]) > 500:
            errors["url"] = _("Please give an address starting with http:// or https://.")
        elif webhooks.local_host(clean["url"]):
            errors["url"] = str(webhooks.LOCAL_REFUSED)
    if district_code is not None:
        clean["district_code"] = district_code.strip()
        if (
            clean["district_code"]
            and not Region.objects.filter(code=clean["district_code"], level="district").exists()
        ):
            errors["district_code"] = _("No such district (county).")
    if actions is not None:
        wanted = list(dict.fromkeys(a.strip() for a in actions if a.strip()))
        unknown = [a for a in wanted if a not in EventAction.values]
        if unknown:
            errors["actions"] = _("Unknown event actions: %(actions)s") % {
                "actions": pgettext("list separator", ", ").join(unknown)
            }
        clean["actions"] = wanted
    if errors:
        raise NotificationError(INVALID, errors)
    return clean


@transaction.atomic
def do_create_webhook(
    *,
    actor: Any,
    name: str,
    url: str,
    district_code: str = "",
    actions: list[str] | None = None,
    request_id: str = "",
) -> tuple[Webhook, bool]:
    """A new subscription with a fresh secret; the same ``request_id`` twice answers the first."""
    request_id = (request_id or "").strip()
    if request_id:
        found = Webhook.objects.filter(created_by=actor, client_request_id=request_id).first()
        if found is not None:
            return found, False
    clean = _check_hook(name=name, url=url, district_code=district_code, actions=actions or [])
    try:
        with transaction.atomic():
            hook = Webhook.objects.create(
                **clean,
                secret=secrets.token_hex(32),
                created_by=actor,
                client_request_id=request_id,
            )
    except IntegrityError:
        found = Webhook.objects.filter(created_by=actor, client_request_id=request_id).first()
        if found is None:
            raise
        return found, False
    record(
        "notifications.create_webhook",
        actor=actor,
        obj=hook,
        after={"url": hook.url, "district_code": hook.district_code, "actions": hook.actions},
    )
    return hook, True


@transaction.atomic
def do_change_webhook(
    hook: Webhook,
    *,
    actor: Any,
    name: str | None = None,
    url: str | None = None,
    district_code: str | None = None,
    actions: list[str] | None = None,
    is_active: bool | None = None,
    rotate_secret: bool = False,
) -> Webhook:
    clean = _check_hook(name=name, url=url, district_code=district_code, actions=actions)
    if is_active is not None:
        clean["is_active"] = is_active
    before = {k: getattr(hook, k) for k in clean}
    for key, value in clean.items():
        setattr(hook, key, value)
    if rotate_secret:
        hook.secret = secrets.token_hex(32)
    hook.save()
    record(
        "notifications.change_webhook",
        actor=actor,
        obj=hook,
        before=before,
        after={**clean, **({"secret": "rotated"} if rotate_secret else {})},
    )
    return hook
