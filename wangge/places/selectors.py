"""Reads of buildings, rooms and the occupancy ledger, always through the user's scope.

A user sees the buildings standing under the nodes where one of their roles
grants ``places.view_building``, with their rooms and ledgers; anything else
is answered like a missing record (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from wangge.accounts.scope import prefix_q, scope_for
from wangge.basedata import staleness
from wangge.places.models import Building, Occupancy, Room

VIEW = "places.view_building"
ADD = "places.add_building"
CHANGE = "places.change_building"
ADD_ROOM = "places.add_room"
RECORD = "places.add_occupancy"


def default_room_limit() -> int:
    return int(getattr(settings, "MAX_OCCUPANTS_PER_ROOM", 6))


def may(user: Any, perm: str, region_code: str) -> bool:
    """Does the user hold ``perm`` at ``region_code``?  ``None`` is the system: yes."""
    return user is None or scope_for(user).can(perm, region_code)


def buildings_visible_to(user: Any) -> QuerySet[Building]:
    scope = scope_for(user)
    return scope.filter_by_code(Building.objects.all(), "region_code", scope.roots_with(VIEW))


def get_building_for_user(user: Any, pk: int) -> Building:
    try:
        return buildings_visible_to(user).select_related("rental").get(pk=pk)
    except (Building.DoesNotExist, ValueError, TypeError):
        raise Http404("no such building") from None


def rooms_visible_to(user: Any) -> QuerySet[Room]:
    scope = scope_for(user)
    return scope.filter_by_code(Room.objects.all(), "building__region_code", scope.roots_with(VIEW))


def get_room_for_user(user: Any, pk: int) -> Room:
    try:
        return rooms_visible_to(user).select_related("building").get(pk=pk)
    except (Room.DoesNotExist, ValueError, TypeError):
        raise Http404("no such room") from None


def _count(qs: QuerySet[Any], key: str) -> Any:
    """``COUNT(*)`` of ``qs`` per outer row, as a subquery (no join fan-out)."""
    return Coalesce(
        Subquery(
            qs.order_by().values(key).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def buildings_filtered(
    user: Any,
    *,
    under: str | None = None,
    q: str | None = None,
    rental: bool | None = None,
) -> QuerySet[Building]:
    """Buildings with ``room_count`` and ``occupant_count`` (people living there now)."""
    qs = buildings_visible_to(user)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(address__contains=text))
    if rental is not None:
        qs = qs.filter(is_rental=rental)
    return qs.annotate(
        room_count=_count(Room.objects.filter(building=OuterRef("pk")), "building"),
        occupant_count=_count(
            Occupancy.objects.filter(room__building=OuterRef("pk"), move_out__isnull=True),
            "room__building",
        ),
    ).order_by("region_code", "name", "id")


def is_stale(building: Building) -> bool:
    """Not verified on site recently (``wangge.basedata.staleness``)."""
    return staleness.is_stale(building.verified_at)


# --- rooms and the ledger -----------------------------------------------------------------


def rooms_with_load(building: Building) -> QuerySet[Room]:
    """The building's rooms with ``occupants`` (people living there now): one query."""
    return (
        Room.objects.filter(building=building)
        .annotate(occupants=Count("occupancies", filter=Q(occupancies__move_out__isnull=True)))
        .order_by("floor", "number", "id")
    )


def room_limit(room: Room) -> int:
    return room.max_occupants or default_room_limit()


def current_occupants(room: Room) -> int:
    return Occupancy.objects.filter(room=room, move_out__isnull=True).count()


def ledger(room: Room, *, current: bool | None = None) -> QuerySet[Occupancy]:
    qs = Occupancy.objects.filter(room=room).select_related("person", "recorded_by")
    if current is True:
        qs = qs.filter(move_out__isnull=True)
    elif current is False:
        qs = qs.filter(move_out__isnull=False)
    return qs.order_by("-move_in", "-id")


def current_occupancy(person_id: int) -> Occupancy | None:
    return (
        Occupancy.objects.filter(person_id=person_id, move_out__isnull=True)
        .select_related("room__building")
        .first()
    )


@dataclass(frozen=True)
class RoomLoad:
    room_id: int
    number: str
    floor: int | None
    occupants: int
    limit: int

    @property
    def over(self) -> bool:
        return self.occupants > self.limit


@dataclass(frozen=True)
class BuildingSummary:
    """新塘里96号：4层，8间，18人 — floors, rooms and the people living there now."""

    name: str
    floors: int
    rooms: int
    occupants: int
    stale: bool
    loads: list[RoomLoad] = field(default_factory=list)

    @property
    def over_occupied(self) -> list[RoomLoad]:
        return [load for load in self.loads if load.over]

    @property
    def text(self) -> str:
        """The summary in the user's language (a whole sentence either way)."""
        counts = {
            "name": self.name,
            "floors": self.floors,
            "rooms": self.rooms,
            "people": self.occupants,
            "over": len(self.over_occupied),
        }
        if counts["over"]:
            return (
                _(
                    "%(name)s — floors: %(floors)d, rooms: %(rooms)d, residents: %(people)d, "
                    "rooms over their limit: %(over)d"
                )
                % counts
            )
        return _("%(name)s — floors: %(floors)d, rooms: %(rooms)d, residents: %(people)d") % counts


def building_summary(building: Building) -> BuildingSummary:
    """Counts from the ledger (one query) and rooms over their limit of occupants."""
    loads = [
        RoomLoad(
            room_id=r.pk,
            number=r.number,
            floor=r.floor,
            occupants=r.occupants,  # type: ignore[attr-defined]
            limit=room_limit(r),
        )
        for r in rooms_with_load(building)
    ]
    return BuildingSummary(
        name=building.name,
        floors=building.floors,
        rooms=len(loads),
        occupants=sum(load.occupants for load in loads),
        stale=is_stale(building),
        loads=loads,
    )


def room_load(room: Room) -> RoomLoad:
    return RoomLoad(
        room_id=room.pk,
        number=room.number,
        floor=room.floor,
        occupants=current_occupants(room),
        limit=room_limit(room),
    )


def current_occupancies(building: Building) -> QuerySet[Occupancy]:
    """The stays going on in the building's rooms, with their people: one query."""
    return (
        Occupancy.objects.filter(room__building=building, move_out__isnull=True)
        .select_related("person")
        .order_by("room_id", "move_in", "id")
    )


def building_ledger(building: Building) -> QuerySet[Occupancy]:
    """Every stay in the building's rooms (the occupancy ledger), newest first."""
    return (
        Occupancy.objects.filter(room__building=building)
        .select_related("person", "room", "recorded_by")
        .order_by("-move_in", "-id")
    )
