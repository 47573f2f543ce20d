"""Kinds of notification and the states of SMS messages and webhook deliveries.

Labels are translated (Chinese by default); the texts stored for the recipients and sent to
residents use the Chinese ones (``wangge.lib.language``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class NotificationKind(models.TextChoices):
    DISPATCHED = "dispatched", pgettext_lazy("notification kind", "New event dispatched")
    SENT_BACK = "sent_back", pgettext_lazy("notification kind", "Event sent back")
    SUMMONED = "summoned", pgettext_lazy("notification kind", "Summoned to an event")
    OVERDUE = "overdue", pgettext_lazy("notification kind", "Event overdue")
    SUPERVISED = "supervised", pgettext_lazy("notification kind", "Event supervised")
    ESCALATED = "escalated", pgettext_lazy("notification kind", "Event escalated")
    VERIFIED = "verified", pgettext_lazy("notification kind", "Verification passed")
    REWORK = "rework", pgettext_lazy("notification kind", "Verification failed: rework")
    CLOSED = "closed", pgettext_lazy("notification kind", "Event closed")
    REJECTED = "rejected", pgettext_lazy("notification kind", "Event not registered")
    #: SMS only: a resident's one-time login code (the portal).
    LOGIN_CODE = "login_code", pgettext_lazy("notification kind", "Login code")


class SmsState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("SMS state", "Waiting to be sent")
    SENDING = "sending", pgettext_lazy("SMS state", "Sending")
    SENT = "sent", pgettext_lazy("SMS state", "Sent")
    FAILED = "failed", pgettext_lazy("SMS state", "Sending failed")


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery state", "Waiting to be delivered")
    DELIVERED = "delivered", pgettext_lazy("webhook delivery state", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery state", "Delivery failed")
