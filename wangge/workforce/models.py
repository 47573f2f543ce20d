"""Grid workers' duties, the "553" checklists, training and the monthly assessment.

Duties and "553" items are data (seeded by a migration, editable in the admin).
Ticks, scorecards and training sessions belong to a place through
``region_code`` (a grid code; a training session's node may be any level) and are
scoped by it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.workforce.choices import MethodKind


class DutyCategory(models.Model):
    """One of the 7 categories of a grid worker's duties (网格员 7 类 19 项职责)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=64)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("duty category")
        verbose_name_plural = _("duty categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Duty(models.Model):
    """One of the 19 duties."""

    category = models.ForeignKey(
        DutyCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="duties"
    )
    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class MethodItem(models.Model):
    """An item of the "553" method (五必知 / 五必访 / 三必到) a worker ticks each month."""

    kind = models.CharField(_("kind"), max_length=8, choices=MethodKind.choices)
    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("label"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("553 item")
        verbose_name_plural = _("553 items")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.label}"


class MethodTick(models.Model):
    """A worker's tick of a "553" item for a month, in the grid they work."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        MethodItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="ticks"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    region_code = models.CharField(_("grid code"), max_length=18, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    request_id = models.CharField(_("client request id"), max_length=64, blank=True, default="")
    ticked_at = models.DateTimeField(_("ticked at"), default=timezone.now)

    class Meta:
        verbose_name = _("553 tick")
        verbose_name_plural = _("553 ticks")
        ordering = ["month", "region_code", "item__sort_order"]
        permissions = [("tick_method", "Can tick the 553 checklist")]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "item", "month", "region_code"], name="workforce_tick_once"
            ),
            models.UniqueConstraint(
                fields=["worker", "request_id"],
                condition=~Q(request_id=""),
                name="workforce_tick_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.month:%Y-%m} {self.item_id}"


class TrainingSession(models.Model):
    """A training session (网格员培训班) held by a node (district, street or community)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    region_code = models.CharField(_("node"), max_length=18, db_index=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request_id = models.CharField(_("client request id"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "request_id"],
                condition=~Q(request_id=""),
                name="workforce_session_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendance(models.Model):
    """One person attended one session (参训人次)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="workforce_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"


class AssessmentScheme(models.Model):
    """Weights (summing to 100), targets and star thresholds of the monthly assessment.

    ``district_code`` empty: the default for districts without their own scheme.
    """

    name = models.CharField(_("name"), max_length=100)
    district_code = models.CharField(_("district code"), max_length=6, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    weight_reported = models.PositiveSmallIntegerField(_("weight: events reported"), default=20)
    weight_self_handled = models.PositiveSmallIntegerField(
        _("weight: events self-handled"), default=10
    )
    weight_verification = models.PositiveSmallIntegerField(
        _("weight: verification speed"), default=15
    )
    weight_visits = models.PositiveSmallIntegerField(_("weight: visits on time"), default=15)
    weight_campaigns = models.PositiveSmallIntegerField(_("weight: campaign coverage"), default=10)
    weight_freshness = models.PositiveSmallIntegerField(
        _("weight: base-data freshness"), default=15
    )
    weight_satisfaction = models.PositiveSmallIntegerField(_("weight: satisfaction"), default=15)
    target_reported = models.PositiveSmallIntegerField(
        _("events reported for full marks"), default=10
    )
    target_self_handled = models.PositiveSmallIntegerField(
        _("events self-handled for full marks"), default=5
    )
    verify_full_hours = models.PositiveSmallIntegerField(
        _("verified within (hours) for full marks"), default=24
    )
    verify_zero_hours = models.PositiveSmallIntegerField(
        _("verified after (hours) for no marks"), default=72
    )
    star2 = models.PositiveSmallIntegerField(_("score for 2 stars"), default=60)
    star3 = models.PositiveSmallIntegerField(_("score for 3 stars"), default=70)
    star4 = models.PositiveSmallIntegerField(_("score for 4 stars"), default=80)
    star5 = models.PositiveSmallIntegerField(_("score for 5 stars"), default=90)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["district_code", "-id"]
        permissions = [("assess_workers", "Can compute grid workers' monthly assessment")]

    def __str__(self) -> str:
        return self.name

    def weights(self) -> dict[str, int]:
        return {
            "reported": self.weight_reported,
            "self_handled": self.weight_self_handled,
            "verification": self.weight_verification,
            "visits": self.weight_visits,
            "campaigns": self.weight_campaigns,
            "freshness": self.weight_freshness,
            "satisfaction": self.weight_satisfaction,
        }


class Scorecard(models.Model):
    """A grid worker's assessment for one month and grid, stored when computed."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    region_code = models.CharField(_("grid code"), max_length=18, db_index=True)
    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+"
    )
    figures = models.JSONField(_("figures"), default=dict)
    components = models.JSONField(
        _("components"), default=dict, help_text=_("Each component's ratio (0–1) and weight.")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    stars = models.PositiveSmallIntegerField(_("stars"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["month", "-score", "worker_id"]
        permissions = [
            ("view_ranking", "Can see the ranking of grid workers"),
            ("view_roster", "Can see grid rosters and their coverage"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "month", "region_code"], name="workforce_scorecard_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.month:%Y-%m} {self.score}"
