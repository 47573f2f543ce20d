from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.regions.choices import RegionKind, RegionLevel


class Region(models.Model):
    """A node of the hierarchy: district, street/town, community/village, grid or minimal unit.

    ``code`` is a materialised path (see ``wangge.lib.codes``); ``geometry`` is
    a GeoJSON Polygon or MultiPolygon in WGS84 (lng, lat).  Minimal units also
    carry a point (the unit's main entrance or representative location).
    Bounding box and centroid are stored so lists and maps need no geometry work.
    """

    code = models.CharField(_("code"), max_length=18, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    kind = models.CharField(_("type"), max_length=16, choices=RegionKind.choices)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    centroid_lng = models.FloatField(_("centroid longitude"))
    centroid_lat = models.FloatField(_("centroid latitude"))
    point_lng = models.FloatField(_("point longitude"), null=True, blank=True)
    point_lat = models.FloatField(_("point latitude"), null=True, blank=True)
    min_lng = models.FloatField()
    min_lat = models.FloatField()
    max_lng = models.FloatField()
    max_lat = models.FloatField()
    area_km2 = models.FloatField(_("area (km²)"), default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        permissions = [
            ("import_regions", "Can import the hierarchy"),
        ]
        indexes = [
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3}){0,4}$"),
                name="region_code_digits",
            ),
            models.CheckConstraint(
                condition=Q(level=RegionLevel.DISTRICT, parent__isnull=True)
                | (~Q(level=RegionLevel.DISTRICT) & Q(parent__isnull=False)),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_depth(self) -> int:
        return RegionLevel(self.level).depth

    def feature(self, **extra: Any) -> dict[str, Any]:
        """This region as a GeoJSON Feature."""
        properties: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "kind": self.kind,
            "parent": self.parent_code,
            "centroid": [self.centroid_lng, self.centroid_lat],
        }
        if self.point_lng is not None and self.point_lat is not None:
            properties["point"] = [self.point_lng, self.point_lat]
        properties.update(extra)
        return {
            "type": "Feature",
            "id": self.code,
            "geometry": self.geometry,
            "properties": properties,
        }

    @property
    def parent_code(self) -> str | None:
        from wangge.lib.codes import parent_of

        return parent_of(self.code)


class GeometryRevision(models.Model):
    """A counter bumped by every action that changes geometry.

    Each process keeps its spatial index until it sees a newer revision.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.BigIntegerField(default=0)
    # A fresh random token per change: a rolled-back change can never be
    # mistaken for a later one that reached the same counter value.
    token = models.CharField(max_length=32, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("geometry revision")

    def __str__(self) -> str:
        return f"geometry revision {self.revision}"
