"""The layers of the command map and the fixed values their filters take.

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Layer(models.TextChoices):
    EVENTS = "events", pgettext_lazy("map layer", "Events")
    HEAT = "heat", pgettext_lazy("map layer", "Event heat")
    ASSETS = "assets", pgettext_lazy("map layer", "City parts")
    RENTALS = "rentals", pgettext_lazy("map layer", "Rental buildings")
    HAZARDS = "hazards", pgettext_lazy("map layer", "Enterprises with hazards")
    CARE = "care", pgettext_lazy("map layer", "Care visit coverage")
    CAMPAIGNS = "campaigns", pgettext_lazy("map layer", "Canvassing progress")


#: Layers drawn as points, filtered by the visible box (``bbox``) and capped.
POINT_LAYERS: frozenset[str] = frozenset(
    {Layer.EVENTS, Layer.HEAT, Layer.ASSETS, Layer.RENTALS, Layer.HAZARDS}
)
#: Layers drawn as coloured polygons, one per child of the node on screen.
AREA_LAYERS: frozenset[str] = frozenset({Layer.CARE, Layer.CAMPAIGNS})


class AssetGroup(models.TextChoices):
    """Which city parts the assets layer shows (type codes of the GB/T 30428.2 catalogue)."""

    HYDRANTS = "hydrants", pgettext_lazy("map city part group", "Fire hydrants")
    COVERS = "covers", pgettext_lazy("map city part group", "Manhole covers")
    ALL = "all", pgettext_lazy("map city part group", "All parts")


#: Type codes of each group (``wangge.assets.catalogue``): 0111 消防栓, 0101–0110 the covers.
ASSET_GROUP_TYPES: dict[str, tuple[str, ...]] = {
    AssetGroup.HYDRANTS: ("0111",),
    AssetGroup.COVERS: tuple(f"01{n:02d}" for n in range(1, 11)),
}
