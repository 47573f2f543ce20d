"""The layers of the command map and the fixed values their filters take.

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models


class Layer(models.TextChoices):
    EVENTS = "events", "事件"
    HEAT = "heat", "事件热力"
    ASSETS = "assets", "城市部件"
    RENTALS = "rentals", "出租屋"
    HAZARDS = "hazards", "隐患企业"
    CARE = "care", "关爱走访覆盖"
    CAMPAIGNS = "campaigns", "摸排进度"


#: Layers drawn as points, filtered by the visible box (``bbox``) and capped.
POINT_LAYERS: frozenset[str] = frozenset(
    {Layer.EVENTS, Layer.HEAT, Layer.ASSETS, Layer.RENTALS, Layer.HAZARDS}
)
#: Layers drawn as coloured polygons, one per child of the node on screen.
AREA_LAYERS: frozenset[str] = frozenset({Layer.CARE, Layer.CAMPAIGNS})


class AssetGroup(models.TextChoices):
    """Which city parts the assets layer shows (type codes of the GB/T 30428.2 catalogue)."""

    HYDRANTS = "hydrants", "消防栓"
    COVERS = "covers", "井盖"
    ALL = "all", "全部部件"


#: Type codes of each group (``wangge.assets.catalogue``): 0111 消防栓, 0101–0110 the covers.
ASSET_GROUP_TYPES: dict[str, tuple[str, ...]] = {
    AssetGroup.HYDRANTS: ("0111",),
    AssetGroup.COVERS: tuple(f"01{n:02d}" for n in range(1, 11)),
}
