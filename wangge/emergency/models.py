"""Emergency mode (平急转换): an area switched into an emergency, its point-to-point tasks and
the outcomes recorded against them.

* ``Emergency`` — a command centre switches an area (district, street, community or
  grid) into an emergency of a kind; at most one active emergency per area, and none
  nested in another (checked by the action; the same area twice also by a constraint).
* ``Task`` — one target of the area's ledgers (a vulnerable person, a rental
  building, an enterprise with hazards), a typed reference ``(target_kind, target_id)``
  with the target's place (``region_code``, the scoping key) and its grid
  (``grid_code``, who does it).  Labels carry masked personal data only.
* ``OutcomeRecord`` — append-only: every outcome tapped, idempotent per
  ``(recorded_by, request_id)``.  The task keeps the latest (by when it was done).
* ``KindTag`` and ``OutcomeOption`` — the catalogue, as data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.emergency.choices import EmergencyKind, EmergencyStatus, TargetKind

GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class KindTag(models.Model):
    """A special group an emergency of a kind targets (台风 → 独居老人、残疾人…)."""

    kind = models.CharField(_("emergency kind"), max_length=16, choices=EmergencyKind.choices)
    tag = models.ForeignKey(
        "people.Tag",
        verbose_name=_("special group"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Switch off rather than delete: deleted defaults come back on upgrade."),
    )

    class Meta:
        verbose_name = _("targeted special group")
        verbose_name_plural = _("targeted special groups")
        ordering = ["kind", "tag__sort_order", "tag__code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "tag"], name="emergency_kind_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.tag_id}"


class OutcomeOption(models.Model):
    """An outcome a worker taps for a task of a target kind (已通知、已转移、无人…)."""

    target_kind = models.CharField(_("target kind"), max_length=16, choices=TargetKind.choices)
    code = models.SlugField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=32)
    is_final = models.BooleanField(
        _("final"),
        default=True,
        help_text=_("A final outcome counts the task as covered; others ask for another visit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("emergency task outcome")
        verbose_name_plural = _("emergency task outcomes")
        ordering = ["target_kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "code"], name="emergency_outcome_code_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} · {self.label}"


class Emergency(models.Model):
    """An area in emergency mode (应急状态), from activation until it is switched back."""

    kind = models.CharField(_("kind"), max_length=16, choices=EmergencyKind.choices)
    title = models.CharField(_("title"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("area code"), max_length=18)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EmergencyStatus.choices,
        default=EmergencyStatus.ACTIVE,
    )
    started_at = models.DateTimeField(_("emergency started at"))
    ended_at = models.DateTimeField(_("emergency ended at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_by_label = models.CharField(_("activated by (name)"), max_length=150, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deactivated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deactivated_by_label = models.CharField(_("deactivated by (name)"), max_length=150, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    task_count = models.PositiveIntegerField(_("tasks"), default=0)
    #: The final record, written when the area is switched back.
    final_tasks = models.PositiveIntegerField(_("tasks at the end"), null=True, blank=True)
    final_covered = models.PositiveIntegerField(_("covered at the end"), null=True, blank=True)
    final_coverage = models.JSONField(
        _("final coverage"),
        null=True,
        blank=True,
        help_text=_("Rows [grid code, target kind, tasks, covered] when switched back."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        ordering = ["-started_at", "-id"]
        permissions = [
            ("activate_emergency", "Can switch an area into emergency mode and back"),
            ("record_outcome", "Can record outcomes of emergency tasks"),
        ]
        indexes = [
            models.Index(fields=["status", "region_code"], name="emergency_status_region_idx"),
            models.Index(fields=["region_code", "started_at"], name="emergency_region_start_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"],
                condition=Q(status="active"),
                name="emergency_one_active_per_area",
            ),
            models.UniqueConstraint(
                fields=["activated_by", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="emergency_request_once",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{6}([0-9]{3}){0,3}$"),
                name="emergency_area_grid_or_above",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == EmergencyStatus.ACTIVE


class Task(models.Model):
    """One point-to-point task (点对点任务): a target of the area's ledgers, for its grid."""

    emergency = models.ForeignKey(
        Emergency, verbose_name=_("emergency"), on_delete=models.PROTECT, related_name="tasks"
    )
    target_kind = models.CharField(_("target kind"), max_length=16, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField(_("target id"))
    region_code = models.CharField(_("region code"), max_length=18)
    grid_code = models.CharField(_("grid"), max_length=15)
    label = models.CharField(_("label"), max_length=200)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact = models.CharField(
        _("contact (masked)"), max_length=100, blank=True, help_text=_("Phones masked.")
    )
    outcome = models.ForeignKey(
        OutcomeOption,
        verbose_name=_("latest outcome"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_note = models.CharField(_("note"), max_length=500, blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    outcome_by_label = models.CharField(_("outcome by"), max_length=150, blank=True)
    covered = models.BooleanField(_("covered"), default=False)

    class Meta:
        verbose_name = _("emergency task")
        verbose_name_plural = _("emergency tasks")
        ordering = ["emergency", "region_code", "target_kind", "label", "id"]
        indexes = [
            # Coverage: one range of this index per emergency, grouped without the table.
            models.Index(
                fields=["emergency", "grid_code", "target_kind", "covered"],
                name="etask_coverage_idx",
            ),
            # A worker's list: the range of their grid.
            models.Index(fields=["region_code", "emergency"], name="etask_region_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["emergency", "target_kind", "target_id"], name="etask_target_once"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="etask_region_grid_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} {self.label}"


class OutcomeRecord(models.Model):
    """An outcome tapped for a task (append-only history; the task shows the latest)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="records")
    outcome = models.ForeignKey(
        OutcomeOption, verbose_name=_("outcome"), on_delete=models.PROTECT, related_name="+"
    )
    is_final = models.BooleanField(_("final"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_label = models.CharField(_("recorded by (name)"), max_length=150, blank=True)
    request_id = models.UUIDField(_("client request id"), null=True, blank=True)
    at = models.DateTimeField(_("done at"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("emergency task outcome record")
        verbose_name_plural = _("emergency task outcome records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["task", "at"], name="eoutcome_task_at_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "request_id"],
                condition=Q(request_id__isnull=False),
                name="eoutcome_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.outcome_id}"
