"""The resident portal's own data: plain-language choices, residents' phones, login codes.

Reports themselves are ``events.Event`` rows (source 群众上报); the portal only
adds how a resident signs in (a phone and an SMS code) and the words they pick
a category by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.events.models import Category
from wangge.privacy.fields import BlindIndexField, EncryptedTextField


class PlainChoice(models.Model):
    """A category as a resident would say it ("井盖、路灯、护栏等设施损坏") → a sub-category."""

    label = models.CharField(_("label"), max_length=60)
    hint = models.CharField(_("hint"), max_length=120, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"parent__isnull": False},
    )
    sort = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("plain-language choice")
        verbose_name_plural = _("plain-language choices")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.label


class ResidentAccount(models.Model):
    """The phone a resident signed in with, encrypted, found by its blind index."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="resident_account",
    )
    phone = EncryptedTextField(_("phone"))
    phone_hash = BlindIndexField(source="phone", unique=True, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")

    def __str__(self) -> str:
        return str(self.user)


class LoginCode(models.Model):
    """One SMS code sent to a phone: hashed, short-lived, a few tries.

    The rows are also the send counters of the rate limits (per phone, per
    client address), so the limits hold across processes and restarts.
    """

    phone_hash = models.CharField(_("phone (blind index)"), max_length=40)
    ip_hash = models.CharField(_("client address (keyed hash)"), max_length=40)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    sms = models.ForeignKey(
        "notifications.SmsMessage",
        verbose_name=_("outbox message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="portal_code_phone_idx"),
            models.Index(fields=["ip_hash", "created_at"], name="portal_code_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
