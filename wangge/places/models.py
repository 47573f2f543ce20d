"""The places registry (地): buildings in minimal units, their rooms, rental housing, and the
occupancy ledger saying who lived in which room from when to when.

The ledger is never rewritten: moving in adds a row, moving out sets its
``move_out``.  The people living in a room now are its rows without
``move_out``; a person lives in at most one room at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wangge.places.choices import BuildingUse, OccupancySource, TenantChange
from wangge.privacy.fields import BlindIndexField, EncryptedTextField


class Building(models.Model):
    """A building (楼栋/房屋) standing in a minimal unit."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("minimal unit"),
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    region_code = models.CharField(_("region code"), max_length=18)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    use = models.CharField(
        _("use"), max_length=16, choices=BuildingUse.choices, default=BuildingUse.RESIDENTIAL
    )
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    is_rental = models.BooleanField(_("rental housing"), default=False)
    verified_at = models.DateTimeField(_("last verified on site"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["region_code", "name", "id"]
        indexes = [
            models.Index(fields=["region_code", "name"], name="building_region_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{18}$"), name="building_in_a_unit"
            ),
            models.CheckConstraint(condition=Q(floors__gte=1), name="building_floors_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RentalHousing(models.Model):
    """What is known about a building let to tenants (出租屋): its landlord and manager."""

    building = models.OneToOneField(Building, on_delete=models.CASCADE, related_name="rental")
    landlord_name = models.CharField(_("landlord"), max_length=50, blank=True)
    landlord_phone = EncryptedTextField(_("landlord phone"), blank=True)
    landlord_phone_hash = BlindIndexField(source="landlord_phone", db_index=False)
    landlord_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("landlord (registered person)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rentals_owned",
    )
    manager_name = models.CharField(_("manager"), max_length=50, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rental housing")
        verbose_name_plural = _("rental housing")
        indexes = [
            models.Index(fields=["landlord_phone_hash"], name="rental_landlord_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.building_id}: {self.landlord_name}"


class Room(models.Model):
    """A room or flat of a building (房间/套)."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="rooms"
    )
    number = models.CharField(_("room number"), max_length=16)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(
        _("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_occupants = models.PositiveSmallIntegerField(
        _("maximum occupants"),
        null=True,
        blank=True,
        help_text=_("Empty: the installation's limit (WANGGE_MAX_OCCUPANTS_PER_ROOM)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["building", "floor", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="room_number_per_building"),
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class Occupancy(models.Model):
    """One stay of one person in one room: the occupancy ledger (居住登记)."""

    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="occupancies"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="occupancies",
    )
    move_in = models.DateField(_("moved in"))
    move_out = models.DateField(_("moved out"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=OccupancySource.choices)
    out_source = models.CharField(
        _("move-out source"), max_length=16, choices=OccupancySource.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancy ledger")
        ordering = ["-move_in", "-id"]
        indexes = [
            models.Index(fields=["room", "move_out"], name="occupancy_room_current_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(move_out__isnull=True),
                name="occupancy_one_room_per_person",
            ),
            models.CheckConstraint(
                condition=Q(move_out__isnull=True) | Q(move_out__gte=F("move_in")),
                name="occupancy_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.room_id} {self.move_in}–{self.move_out or ''}"


class TenantReport(models.Model):
    """A landlord's (or manager's) report that a tenant moved in or out (租户变动申报)."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="tenant_reports")
    change = models.CharField(_("change"), max_length=16, choices=TenantChange.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="tenant_reports"
    )
    occupancy = models.ForeignKey(
        Occupancy, on_delete=models.PROTECT, related_name="reports", null=True, blank=True
    )
    reporter_name = models.CharField(_("reported by (landlord)"), max_length=50, blank=True)
    changed_on = models.DateField(_("date of the change"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tenant change report")
        verbose_name_plural = _("tenant change reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.room_id} {self.change} {self.person_id}"
