from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.lib.codes import Level


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Village / community")
    GRID = "grid", _("Grid")
    UNIT = "unit", _("Minimal unit")

    @classmethod
    def from_code_level(cls, level: Level) -> "RegionLevel":
        return LEVEL_ORDER[int(level)]

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self)


LEVEL_ORDER: list[RegionLevel] = [
    RegionLevel.DISTRICT,
    RegionLevel.STREET,
    RegionLevel.COMMUNITY,
    RegionLevel.GRID,
    RegionLevel.UNIT,
]


class RegionKind(models.TextChoices):
    """The finer administrative type, where the level allows two."""

    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    GRID = "grid", _("Grid")
    UNIT = "unit", _("Minimal unit")


KINDS_BY_LEVEL: dict[str, set[str]] = {
    RegionLevel.DISTRICT: {RegionKind.DISTRICT},
    RegionLevel.STREET: {RegionKind.STREET, RegionKind.TOWN},
    RegionLevel.COMMUNITY: {RegionKind.COMMUNITY, RegionKind.VILLAGE},
    RegionLevel.GRID: {RegionKind.GRID},
    RegionLevel.UNIT: {RegionKind.UNIT},
}
