"""Excel ledgers (台账): imports of people, buildings, occupancy, enterprises and assets.

An upload becomes an :class:`ImportJob`; a background task reads it, checks
every row and then writes all of it in one transaction or nothing, leaving an
error report (the failed rows with a 错误原因 column) when rows were refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.ledgers.choices import ImportKind, JobStage, JobState


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="ledgers/imports/%Y/%m/", max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope_root = models.CharField(
        _("scope root"),
        max_length=18,
        blank=True,
        help_text=_("Only rows under this node are accepted; empty: the uploader's whole scope."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=JobStage.choices, blank=True, default=""
    )
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    total = models.PositiveIntegerField(_("rows in the file"), default=0)
    created_count = models.PositiveIntegerField(_("records written"), default=0)
    error_count = models.PositiveIntegerField(_("rows refused"), default=0)
    error_message = models.CharField(_("error"), max_length=500, blank=True)
    report = models.FileField(
        _("error report"), upload_to="ledgers/reports/%Y/%m/", max_length=200, blank=True
    )
    #: Raised by each retry: a task runs the job only while its attempt is the job's.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["uploaded_by", "-created_at"], name="importjob_uploader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))
