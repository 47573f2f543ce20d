"""Arrival reports (离返报备): people arriving from elsewhere report where they go.

A report belongs to its destination: ``region_code`` is the minimal unit (or
grid) the person arrives at, the scoping key.  Each report opens one follow-up
(``FollowUp``) for the grid workers of that grid.  ID numbers and phones are
encrypted at rest and matched through their blind indexes, like people's.

A group code (团体码, ``ArrivalGroup``) lets an organiser — a company bringing
its workers back, a school, a tour — hand one code to many people, who are then
reported together (``GroupSubmission``: all of them or none).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.arrivals.choices import FollowUpOutcome, FollowUpStatus, TravelMode
from wangge.privacy.fields import BlindIndexField, EncryptedTextField

#: A grid (15 digits) or minimal unit (18 digits).
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class ArrivalGroup(models.Model):
    """A group code: many people reported through one short code (and its QR code)."""

    code = models.CharField(_("group code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(
        _("default destination"),
        max_length=18,
        blank=True,
        help_text=_("The grid or minimal unit the group arrives at, if it is one place."),
    )
    address = models.CharField(_("default address"), max_length=200, blank=True)
    organiser_name = models.CharField(_("organiser"), max_length=50)
    organiser_phone = EncryptedTextField(_("organiser phone"), blank=True)
    organiser_phone_hash = BlindIndexField(source="organiser_phone")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField(_("accepts reports until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("arrival group")
        verbose_name_plural = _("arrival groups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_request_id"],
                condition=~Q(client_request_id=""),
                name="arrivalgroup_request_id_once",
            ),
            models.CheckConstraint(
                condition=Q(region_code="") | Q(region_code__regex=GRID_OR_UNIT),
                name="arrivalgroup_region_code_format",
            ),
        ]
        indexes = [models.Index(fields=["created_by", "created_at"], name="arrivalgroup_by_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GroupSubmission(models.Model):
    """One sending of a group form: the people in it are stored together or not at all."""

    group = models.ForeignKey(ArrivalGroup, on_delete=models.CASCADE, related_name="submissions")
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("group submission")
        verbose_name_plural = _("group submissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_request_id"],
                condition=~Q(client_request_id=""),
                name="groupsubmission_request_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.pk}"


class ArrivalReport(models.Model):
    """Somebody arriving (or who arrived) at a place of the district, and from where."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = BlindIndexField(source="id_number", db_index=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = BlindIndexField(source="phone", db_index=False)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(_("destination"), max_length=18)
    address = models.CharField(_("destination address"), max_length=200)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    arrival_at = models.DateTimeField(_("arrival time"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    is_late = models.BooleanField(
        _("reported late"),
        default=False,
        help_text=_("Reported more than ARRIVALS_LATE_HOURS after the arrival."),
    )
    origin = models.CharField(_("coming from"), max_length=100)
    origin_code = models.CharField(
        _("origin division code"),
        max_length=6,
        blank=True,
        help_text=_("GB/T 2260 code of the place of origin (province, city or county)."),
    )
    travel_mode = models.CharField(_("travel mode"), max_length=16, choices=TravelMode.choices)
    note = models.TextField(_("note"), blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("registered person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.ForeignKey(
        ArrivalGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    submission = models.ForeignKey(
        GroupSubmission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("arrival report")
        verbose_name_plural = _("arrival reports")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "arrival_at"], name="arrival_region_at_idx"),
            models.Index(fields=["district_code", "reported_at"], name="arrival_district_idx"),
            models.Index(fields=["id_number_hash"], name="arrival_id_number_hash_idx"),
            models.Index(fields=["phone_hash"], name="arrival_phone_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client_request_id"],
                condition=~Q(client_request_id=""),
                name="arrival_request_id_once",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="arrival_region_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]


class FollowUp(models.Model):
    """The grid worker's follow-up of one report (回访): open until an outcome is recorded."""

    report = models.OneToOneField(ArrivalReport, on_delete=models.CASCADE, related_name="follow_up")
    region_code = models.CharField(_("region code"), max_length=18)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_by_label = models.CharField(_("done by (name)"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("arrival follow-up")
        verbose_name_plural = _("arrival follow-ups")
        ordering = ["due_at", "id"]
        permissions = [
            ("follow_up_arrival", "Can record the follow-up of arrival reports"),
        ]
        indexes = [
            models.Index(fields=["status", "region_code", "due_at"], name="followup_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="followup_region_code_format"
            ),
            models.CheckConstraint(
                condition=Q(status=FollowUpStatus.OPEN, outcome="")
                | (Q(status=FollowUpStatus.DONE) & ~Q(outcome="")),
                name="followup_outcome_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.status}"

    def is_overdue(self, now: datetime) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_at < now


class RateBucket(models.Model):
    """A token bucket of the public rate limits (``wangge.arrivals.guard``).

    One row per kind and keyed hash of a client address, a phone number or an API
    key, never the value itself.  Kept in the database so that every application
    process (gunicorn workers, several machines) counts against the same bucket and
    a restart forgets nothing.  ``updated`` is in seconds since the epoch.
    """

    key = models.CharField(max_length=160, unique=True)
    tokens = models.FloatField()
    updated = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("rate limit bucket")
        verbose_name_plural = _("rate limit buckets")

    def __str__(self) -> str:
        return self.key
