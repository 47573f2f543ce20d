"""Canvassing campaigns (摸排、敲门行动、三询问一完善): what to canvass, who, and what was found.

A command centre defines a ``Campaign`` over a node (its area): which records to
go through (households, people of a special group, rental buildings,
enterprises, or a list imported from Excel), a short form of ``Question``\\ s
and a deadline.  Launching it makes one ``Target`` per matching record, stored
with the ``region_code`` of the record's grid or unit (the scoping key) and
assigned to the grid workers of its grid.  Each phone call or visit is an
``Attempt`` with an ``Outcome`` from a configurable list (无人、已通知、今晚回…);
the target keeps the state its latest attempt left it in (done, follow-up due),
so the progress figures are one aggregate query over the targets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.campaigns.choices import (
    CampaignState,
    Channel,
    MapsTo,
    QuestionKind,
    TargetKind,
)
from wangge.privacy.fields import EncryptedTextField

GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class Outcome(models.Model):
    """What came of a contact attempt (无人、已通知、今晚回…).  Data: administrators edit it."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=32)
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("The target is done after this outcome.")
    )
    needs_follow_up = models.BooleanField(
        _("needs follow-up"),
        default=False,
        help_text=_("Someone has to try again; a follow-up is scheduled."),
    )
    requires_follow_up_time = models.BooleanField(
        _("requires a follow-up time"),
        default=False,
        help_text=_("The worker must say when to try again (e.g. 'back tonight')."),
    )
    follow_up_delay_minutes = models.PositiveIntegerField(
        _("default follow-up delay (minutes)"), null=True, blank=True
    )
    collects_answers = models.BooleanField(
        _("collects the answers"),
        default=False,
        help_text=_("Required questions must be answered with this outcome."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("contact outcome")
        verbose_name_plural = _("contact outcomes")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class Campaign(models.Model):
    """A canvassing campaign over a node of the hierarchy."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    area_code = models.CharField(_("area"), max_length=18, db_index=True)
    district_code = models.CharField(_("district code"), max_length=6)
    target_kind = models.CharField(_("targets"), max_length=20, choices=TargetKind.choices)
    tag = models.ForeignKey(
        "people.Tag",
        verbose_name=_("special group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    assign_part_time = models.BooleanField(
        _("also assign part-time workers"),
        default=False,
        help_text=_("Targets in a minimal unit with a part-time worker are shared with them."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("canvassing campaign")
        verbose_name_plural = _("canvassing campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_code__regex=r"^[0-9]{6}([0-9]{3}){0,3}$"),
                name="campaign_area_is_a_node_above_units",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a campaign's form."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=32)
    label = models.CharField(_("question"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    show_if_key = models.SlugField(_("shown if the answer to"), max_length=32, blank=True)
    show_if_value = models.CharField(_("equals"), max_length=50, blank=True)
    maps_to = models.CharField(
        _("updates"), max_length=32, choices=MapsTo.choices, default=MapsTo.NONE, blank=True
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="question_key_per_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.label}"


class Target(models.Model):
    """One household, person, building, enterprise or list row a campaign goes through."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    building = models.ForeignKey(
        "places.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise = models.ForeignKey(
        "organisations.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    #: Only for imported rows (a registered person's phone stays in the registry).
    phone = EncryptedTextField(_("phone"), blank=True)
    region_code = models.CharField(_("region code"), max_length=18)
    grid_code = models.CharField(_("grid code"), max_length=15)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("part-time worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    last_outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("latest outcome"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_channel = models.CharField(_("latest channel"), max_length=8, blank=True)
    last_attempt_at = models.DateTimeField(_("latest attempt at"), null=True, blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    follow_up_at = models.DateTimeField(_("follow up at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["campaign", "region_code", "name", "id"]
        indexes = [
            # Progress and lists of a campaign inside a scope: one range per scope root.
            models.Index(fields=["campaign", "region_code"], name="target_campaign_region_idx"),
            # The worker's list and to-do items.
            models.Index(
                fields=["assignee", "is_done", "follow_up_at"], name="target_assignee_idx"
            ),
            models.Index(fields=["helper", "is_done", "follow_up_at"], name="target_helper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="target_region_grid_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Photo(models.Model):
    """A photo answer, re-encoded without metadata; claimed by the attempt that names it."""

    file = models.FileField(_("file"), upload_to="campaigns/%Y/%m/", max_length=200)
    content_type = models.CharField(_("content type"), max_length=32)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempt = models.ForeignKey(
        "Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    #: The phone's id for the upload (the outbox sends ``<request id>-<field>-<n>``).
    request_id = models.CharField(_("request id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign photo")
        verbose_name_plural = _("campaign photos")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uploader", "request_id"],
                condition=~Q(request_id=""),
                name="campaign_photo_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class Attempt(models.Model):
    """One phone call or visit to a target, with its outcome and the form's answers."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="attempts")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attempts")
    region_code = models.CharField(_("region code"), max_length=18)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.PROTECT, related_name="attempts"
    )
    note = models.TextField(_("note"), blank=True)
    follow_up_at = models.DateTimeField(_("follow up at"), null=True, blank=True)
    #: Validated answers by question key; phones an answer gives are kept masked here.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    at = models.DateTimeField(_("contacted at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_label = models.CharField(_("recorded by (name)"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-at", "-id"]
        permissions = [
            ("record_attempt", "Can record contact attempts of canvassing campaigns"),
        ]
        indexes = [
            models.Index(fields=["target", "at"], name="attempt_target_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "request_id"],
                condition=Q(request_id__isnull=False),
                name="attempt_request_once_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.outcome_id} {self.at:%Y-%m-%d %H:%M}"
