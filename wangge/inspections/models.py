"""Safety inspections (安全检查): checklists as data, inspections of an enterprise or a
building, the hazards (隐患) they find, re-inspections and enforcement records (执法记录).

Every row that belongs to a place stores the ``region_code`` of its target (grid
or unit) and is scoped by it.  Inspections, re-inspections and enforcement
records come from phones and carry the client's ``request_id``: the same id from
the same user stores one row.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.inspections.choices import (
    DEFAULT_EVENT_CATEGORY,
    AnswerType,
    EnforcementKind,
    EscalationReason,
    HazardState,
    Outcome,
    TargetKind,
)

GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class Checklist(models.Model):
    """A checklist (检查表), e.g. 餐饮场所燃气安全.  Data: administrators edit it in the admin."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    target_kind = models.CharField(_("used on"), max_length=16, choices=TargetKind.choices)
    event_category_code = models.CharField(
        _("event category"),
        max_length=8,
        default=DEFAULT_EVENT_CATEGORY,
        help_text=_(
            "Sub-category code (under 09, safety and fire hazards) of the event an unresolved "
            "hazard is escalated into."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("inspection checklist")
        verbose_name_plural = _("inspection checklists")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One line of a checklist: what is checked, how it is answered, what a failure means."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=32)
    text = models.CharField(_("text"), max_length=200)
    answer_type = models.CharField(
        _("answer type"), max_length=16, choices=AnswerType.choices, default=AnswerType.PASS_FAIL
    )
    limit_min = models.DecimalField(
        _("lowest allowed value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    limit_max = models.DecimalField(
        _("highest allowed value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    is_hazard = models.BooleanField(
        _("a failure is a hazard"),
        default=True,
        help_text=_("A failed answer opens a hazard with a rectification deadline."),
    )
    rectify_days = models.PositiveSmallIntegerField(
        _("rectification days"),
        default=7,
        help_text=_("Default deadline, in days after the inspection (0: the same day)."),
    )
    event_category_code = models.CharField(
        _("event category"),
        max_length=8,
        blank=True,
        help_text=_("Overrides the checklist's event category for this item."),
    )
    guidance = models.TextField(_("guidance"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("inspection checklist item")
        verbose_name_plural = _("inspection checklist items")
        ordering = ["checklist", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code"),
            models.CheckConstraint(
                condition=Q(limit_min__isnull=True)
                | Q(limit_max__isnull=True)
                | Q(limit_min__lte=models.F("limit_max")),
                name="checklist_item_limits_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """One inspection of an enterprise or a building against a checklist."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "organisations.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_inspections",
    )
    building = models.ForeignKey(
        "places.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_inspections",
    )
    target_name = models.CharField(_("inspected"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(_("region code"), max_length=18)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inspector_label = models.CharField(_("inspector (name)"), max_length=150, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"))
    note = models.TextField(_("note"), blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-inspected_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "inspected_at"], name="inspection_region_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, building__isnull=True)
                | Q(enterprise__isnull=True, building__isnull=False),
                name="inspection_one_target",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT),
                name="inspection_region_code_grid_or_unit",
            ),
            models.UniqueConstraint(
                fields=["inspector", "request_id"],
                condition=Q(request_id__isnull=False),
                name="inspection_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_name} {self.inspected_at:%Y-%m-%d}"

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]

    @property
    def target_kind(self) -> str:
        return TargetKind.ENTERPRISE if self.enterprise_id else TargetKind.BUILDING


class ItemResult(models.Model):
    """The answer to one checklist item, with the item as it read on the day."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=200)
    answer_type = models.CharField(_("answer type"), max_length=16, choices=AnswerType.choices)
    limit_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    limit_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    outcome = models.CharField(_("result"), max_length=8, choices=Outcome.choices)
    value_number = models.DecimalField(
        _("measured value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    value_text = models.CharField(_("answer"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        ordering = ["inspection", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="item_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.text}: {self.outcome}"


class Hazard(models.Model):
    """A hazard (隐患) found by an inspection: one failed item, to be rectified by a deadline."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="hazards")
    result = models.OneToOneField(ItemResult, on_delete=models.PROTECT, related_name="hazard")
    enterprise = models.ForeignKey(
        "organisations.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_hazards",
    )
    building = models.ForeignKey(
        "places.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_hazards",
    )
    target_name = models.CharField(_("inspected"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(_("region code"), max_length=18)
    description = models.CharField(_("hazard"), max_length=500)
    owner_name = models.CharField(
        _("responsible unit"),
        max_length=200,
        help_text=_("The enterprise, or the landlord of the building."),
    )
    responsible_person = models.CharField(_("responsible person"), max_length=64, blank=True)
    deadline = models.DateField(_("rectification deadline"))
    state = models.CharField(
        _("state"), max_length=16, choices=HazardState.choices, default=HazardState.OPEN
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    found_at = models.DateTimeField(_("found at"))
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_reason = models.CharField(
        _("escalated because"), max_length=32, choices=EscalationReason.choices, blank=True
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["state", "region_code"], name="hazard_state_region_idx"),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT),
                name="hazard_region_code_grid_or_unit",
            ),
            models.CheckConstraint(
                condition=~Q(state=HazardState.ESCALATED) | Q(event__isnull=False),
                name="hazard_escalated_has_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_name}：{self.description}"

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]

    def is_overdue(self, today: date | None = None) -> bool:
        """Open past its deadline (the deadline day itself still counts)."""
        today = today or timezone.localdate()
        return self.state == HazardState.OPEN and self.deadline < today


class Reinspection(models.Model):
    """A re-inspection (复查) of a hazard: passed closes it, failed escalates it."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="reinspections")
    passed = models.BooleanField(_("rectified"))
    value_number = models.DecimalField(
        _("measured value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inspector_label = models.CharField(_("inspector (name)"), max_length=150, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"))
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")
        ordering = ["hazard", "inspected_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "request_id"],
                condition=Q(request_id__isnull=False),
                name="reinspection_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {'passed' if self.passed else 'failed'}"


class EnforcementRecord(models.Model):
    """An enforcement record (执法记录) kept with a hazard's case, e.g. cylinders seized."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="enforcement_records")
    region_code = models.CharField(_("region code"), max_length=18)
    kind = models.CharField(
        _("enforcement measure"), max_length=16, choices=EnforcementKind.choices
    )
    item = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    details = models.TextField(_("details"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enforced_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_label = models.CharField(_("recorded by (name)"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("enforcement record")
        verbose_name_plural = _("enforcement records")
        ordering = ["hazard", "enforced_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT),
                name="enforcement_region_code_grid_or_unit",
            ),
            models.UniqueConstraint(
                fields=["recorded_by", "request_id"],
                condition=Q(request_id__isnull=False),
                name="enforcement_request_once",
            ),
        ]

    def __str__(self) -> str:
        amount = f" {self.quantity}{self.unit}" if self.quantity is not None else ""
        return f"{self.get_kind_display()} {self.item}{amount}"
