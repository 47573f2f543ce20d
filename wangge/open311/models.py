"""Open311 GeoReport v2: API keys, the attributes of service definitions, submitted requests.

A *service* is an active event sub-category (``events.Category``); a *service request*
is an ``events.Event``.  This app adds only what the catalogue and the events lack:
the keys of the clients allowed to POST, the extra questions (attributes) of a few
services, and for each event that came in through Open311 its token, the attribute
answers, the media URL and the submitter's contact, encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.events.models import Category, Event
from wangge.open311.choices import Datatype
from wangge.privacy.fields import EncryptedTextField
from wangge.regions.models import Region


class ApiKey(models.Model):
    """A client allowed to POST service requests for one district (e.g. the 12345 hotline).

    Only the SHA-256 of the key is stored.  Each key has its own system user (a
    resident-like role at the district) who is the reporter of the events it creates.
    """

    name = models.CharField(_("owner"), max_length=100)
    district = models.ForeignKey(
        Region,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="open311_keys",
        limit_choices_to={"level": "district"},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporting user"),
        on_delete=models.PROTECT,
        related_name="open311_key",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["district__code", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ServiceAttribute(models.Model):
    """One extra question of a service definition (GeoReport ``attribute``)."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("service (event category)"),
        to_field="code",
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.SlugField(_("code"), max_length=32)
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Off: the attribute only shows its description to the user."),
    )
    datatype = models.CharField(
        _("datatype"), max_length=16, choices=Datatype.choices, default=Datatype.STRING
    )
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=1)
    description = models.CharField(_("description"), max_length=500)
    #: For list datatypes: ``[{"key": "...", "name": "..."}, …]``.
    values = models.JSONField(_("values"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["category_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="open311_attribute_code_per_service"
            ),
            models.UniqueConstraint(
                fields=["category", "order"], name="open311_attribute_order_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.code}"

    def value_keys(self) -> list[str]:
        return [str(v.get("key", "")) for v in self.values if isinstance(v, dict)]

    def value_name(self, key: str) -> str:
        for value in self.values:
            if isinstance(value, dict) and str(value.get("key", "")) == key:
                return str(value.get("name", key))
        return key


class ServiceRequest(models.Model):
    """What an Open311 POST brought beside the event it created."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="open311_request"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    #: SHA-256 of (device_id, request_id) when the client sent a ``request_id``.
    request_key = models.CharField(max_length=64, blank=True, default="")
    #: SHA-256 of the request's parameters: the same body within the window stores once.
    body_hash = models.CharField(max_length=64)
    attributes = models.JSONField(_("attribute answers"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    account_id = EncryptedTextField(_("account id"), blank=True)
    device_id = EncryptedTextField(_("device id"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    first_name = EncryptedTextField(_("first name"), blank=True)
    last_name = EncryptedTextField(_("last name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "request_key"],
                condition=~Q(request_key=""),
                name="open311_request_key_per_api_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["api_key", "body_hash", "created_at"], name="open311_body_hash_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.token[:8]}…"
