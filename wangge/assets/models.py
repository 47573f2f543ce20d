from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import Department
from wangge.assets.choices import AssetCategory, AssetState, InspectionResult, LogKind


class AssetType(models.Model):
    """A class of city part (部件小类), e.g. 0111 消防栓.  Data: administrators may add types."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=64)
    category = models.CharField(_("class"), max_length=32, choices=AssetCategory.choices)
    prefix = models.CharField(
        _("number prefix"),
        max_length=8,
        help_text=_("Letters that start the numbers of parts of this type, e.g. XFS."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("asset type")
        verbose_name_plural = _("asset types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Asset(models.Model):
    """One city part (物): a hydrant, a manhole cover, a street lamp… at a place in a grid."""

    type = models.ForeignKey(
        AssetType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="assets"
    )
    code = models.CharField(_("number"), max_length=32)
    name = models.CharField(_("name"), max_length=100, blank=True)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=AssetState.choices, default=AssetState.NORMAL
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    is_new = models.BooleanField(_("newly installed"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    last_inspected_at = models.DateTimeField(_("last inspected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["region_code", "code", "id"]
        permissions = [
            ("inspect_asset", "Can record inspections, maintenance and repairs of assets"),
        ]
        indexes = [
            models.Index(fields=["type", "region_code"], name="asset_type_region_idx"),
            models.Index(fields=["state", "region_code"], name="asset_state_region_idx"),
            models.Index(fields=["owner_department", "state"], name="asset_owner_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district_code", "code"], name="asset_number_per_district"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{15}([0-9]{3})?$"),
                name="asset_region_code_grid_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name or self.type_id}"

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]


class InspectionLog(models.Model):
    """One entry of an asset's history: an inspection, maintenance, repair or state change."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="logs")
    kind = models.CharField(_("kind"), max_length=16, choices=LogKind.choices)
    result = models.CharField(
        _("result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    state_before = models.CharField(_("state before"), max_length=16, blank=True)
    state_after = models.CharField(_("state after"), max_length=16, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_label = models.CharField(_("recorded by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection and maintenance log")
        verbose_name_plural = _("inspection and maintenance logs")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["asset", "at"], name="assetlog_asset_at_idx")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.kind} {self.result}"
