"""The visible box of a map: ``west,south,east,north`` in WGS84 degrees."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

BBOX_FORMAT = gettext_lazy(
    "Expected four numbers “west,south,east,north”, such as 113.0,22.0,113.2,22.2"
)


class BBoxError(ValueError):
    """A box that cannot be read; the message is for users (in their language)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))


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
            raise BBoxError(gettext_lazy("Must be a finite number."))
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise BBoxError(gettext_lazy("Longitudes must lie between -180 and 180."))
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise BBoxError(gettext_lazy("Latitudes must lie between -90 and 90."))
        if west > east or south > north:
            raise BBoxError(gettext_lazy("West cannot be beyond east, nor south beyond north."))
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
