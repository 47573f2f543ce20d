"""Care visits (关爱走访): visit tasks of special groups and the visits recorded.

The plan is data kept elsewhere: each special group (``people.Tag``) says how
often its people are visited (``visit_frequency_days``: 独居老人 every 7 days,
残疾人 every 30…); a person in several groups follows the most frequent rule.
``actions.generate_visit_tasks`` turns that plan into ``VisitTask`` rows — at
most one open task per person (a partial unique index), due on the day of the
last visit plus the frequency, or at once for someone never visited — assigned
to the place where the person lives (``region_code``, their minimal unit or
grid: the scoping key).  A ``VisitRecord`` is what the worker found; it closes
the open task, and "not home" opens a follow-up.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.care.choices import TaskKind, TaskStatus, VisitOutcome

#: A grid (15 digits) or minimal unit (18 digits).
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class VisitTask(models.Model):
    """A visit to make: one person, due on a day, assigned to the place they live."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="visit_tasks",
    )
    region_code = models.CharField(_("region code"), max_length=18)
    tag = models.ForeignKey(
        "people.Tag",
        verbose_name=_("special group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The group whose rule made the task (the most frequent of the person's)."),
    )
    frequency_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.REGULAR
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_on = models.DateField(_("due on"))
    follows = models.ForeignKey(
        "VisitRecord",
        verbose_name=_("follows up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The visit that found nobody at home."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")
        ordering = ["due_on", "region_code", "id"]
        permissions = [("record_visit", "Can record care visits")]
        indexes = [
            # A worker's list: the open tasks of a scope (one index range per root), by due day.
            models.Index(
                fields=["status", "region_code", "due_on"], name="care_task_status_region_idx"
            ),
            models.Index(fields=["person", "status"], name="care_task_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=TaskStatus.OPEN),
                name="care_one_open_task_per_person",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="care_task_region_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.due_on} {self.status}"

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]


class VisitRecord(models.Model):
    """One visit: who went, when, what they found; "needs help" links the event it reported."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    region_code = models.CharField(
        _("region code"), max_length=18, help_text=_("Where the person lived at the visit.")
    )
    task = models.ForeignKey(
        VisitTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        help_text=_("The open task this visit closed, if there was one."),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=VisitOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(_("visit time"))
    on_time = models.BooleanField(
        _("on time"),
        default=True,
        help_text=_("Made on or before the due day of the task it closed (or with none due)."),
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visitor_label = models.CharField(_("visitor (name)"), max_length=150, blank=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The event reported because the person needs help."),
    )
    request_id = models.CharField(_("client request id"), max_length=64, blank=True, default="")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["person", "visited_at"], name="care_visit_person_time_idx"),
            models.Index(fields=["region_code", "visited_at"], name="care_visit_region_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "request_id"],
                condition=~Q(request_id=""),
                name="care_visit_request_once",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="care_visit_region_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.visited_at:%Y-%m-%d} {self.outcome}"


def photo_path(instance: VisitPhoto, filename: str) -> str:
    """``care/<yyyy>/<mm>/<random>.<ext>``: nothing of the uploader's file name is kept."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"care/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class VisitPhoto(models.Model):
    """A photo of a visit, re-encoded without metadata (``wangge.events.attachments``).

    Uploaded first, then claimed by the visit that names its id; uploads nobody
    claimed are removed after a day.
    """

    visit = models.OneToOneField(
        VisitRecord,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photo",
    )
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
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
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        indexes = [models.Index(fields=["visit", "created_at"], name="care_photo_unused_idx")]

    def __str__(self) -> str:
        return f"photo {self.pk} of visit {self.visit_id}"
