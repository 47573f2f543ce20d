"""In-app notifications, the SMS outbox and outbound webhooks with their deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.events.models import Event, EventStep
from wangge.notifications.choices import DeliveryState, NotificationKind, SmsState
from wangge.privacy.fields import EncryptedTextField


class Notification(models.Model):
    """One message for one user about one step of an event (at most one per step and user)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    step = models.ForeignKey(
        EventStep,
        verbose_name=_("timeline step"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "recipient"], name="notification_once_per_step_and_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"


class SmsMessage(models.Model):
    """The SMS outbox: one text to one phone, sent by the configured gateway in a task."""

    phone = EncryptedTextField(_("phone"))
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    #: Who it is for, without personal data: ``reporter`` or ``user:<id>``.
    key = models.CharField(_("recipient key"), max_length=32)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step = models.ForeignKey(
        EventStep,
        verbose_name=_("timeline step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=SmsState.choices, default=SmsState.PENDING
    )
    gateway = models.CharField(_("gateway"), max_length=100, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS outbox")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "key"], name="sms_once_per_step_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.state}"


class Webhook(models.Model):
    """A subscription: changes of events (of a district, of some actions) are POSTed, signed."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"))
    district_code = models.CharField(
        _("district code"),
        max_length=6,
        blank=True,
        help_text=_("Only events of this district; empty for every district."),
    )
    actions = models.JSONField(
        _("actions"),
        default=list,
        blank=True,
        help_text=_("Event actions (dispatch, send_back, …) to send; empty for all."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_request_id = models.CharField(
        _("client request id"), max_length=64, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="webhook_request_id_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's form: the URL checked as the API checks it (not this machine)."""
        from django.core.exceptions import ValidationError

        from wangge.notifications import webhooks

        if self.url and webhooks.local_host(self.url):
            raise ValidationError({"url": webhooks.LOCAL_REFUSED})

    def wants(self, event: Event, action: str) -> bool:
        if self.district_code and self.district_code != event.district_code:
            return False
        return not self.actions or action in self.actions


class WebhookDelivery(models.Model):
    """One POST of one event change to one webhook, retried with backoff until it succeeds."""

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step = models.ForeignKey(
        EventStep,
        verbose_name=_("timeline step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "step"], name="delivery_once_per_webhook_and_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.uuid} {self.action} {self.state}"
