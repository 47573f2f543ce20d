"""The visible box of a map: ``west,south,east,north`` in WGS84 degrees."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

BBOX_FORMAT = "应为“西经度,南纬度,东经度,北纬度”四个数，如 113.0,22.0,113.2,22.2"


class BBoxError(ValueError):
    """A box that cannot be read; the message is for users (Chinese)."""


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str | None) -> BBox | None:
        """``None`` for an empty text; :class:`BBoxError` for anything else that is not a box."""
        if text is None or not text.strip():
            return None
        parts = text.split(",")
        if len(parts) != 4:
            raise BBoxError(BBOX_FORMAT)
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise BBoxError(BBOX_FORMAT) from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise BBoxError("必须是有限的数字")
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise BBoxError("经度应在 -180 到 180 之间")
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise BBoxError("纬度应在 -90 到 90 之间")
        if west > east or south > north:
            raise BBoxError("西边不能大于东边，南边不能大于北边")
        return cls(west, south, east, north)

    def filter(self, qs: QuerySet[Any], lng: str = "lng", lat: str = "lat") -> QuerySet[Any]:
        return qs.filter(
            **{
                f"{lng}__gte": self.west,
                f"{lng}__lte": self.east,
                f"{lat}__gte": self.south,
                f"{lat}__lte": self.north,
            }
        )
