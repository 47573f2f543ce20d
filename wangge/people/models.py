"""The population registry (人): people, households, special-group tags, where people lived.

A person belongs to the place where they actually live: ``region_code`` is the
code of their minimal unit (or grid, when the unit is not known).  It is the
scoping key: a grid worker sees the people whose code lies under their grid.
ID numbers and phones are encrypted at rest and found by exact value through
their blind indexes; names are found by prefix, also in pinyin initials.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.people.choices import Gender, PersonStatus, Relation, ResidenceType
from wangge.privacy.fields import BlindIndexField, EncryptedTextField

#: A grid (15 digits) or minimal unit (18 digits).
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class Tag(models.Model):
    """A special group (特殊人群) people can belong to, with how often to visit them."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    visit_frequency_days = models.PositiveSmallIntegerField(
        _("visit every (days)"),
        null=True,
        blank=True,
        help_text=_("How often a grid worker visits people of this group; empty for no rule."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (户): its members are people pointing at it, one of them the head."""

    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    number = models.CharField(_("household number"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["region_code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="household_region_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"户 {self.pk}"


class Person(models.Model):
    """A resident: registered (户籍) or floating (流动) population of a grid."""

    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=255, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = BlindIndexField(source="id_number", db_index=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = BlindIndexField(source="phone", db_index=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    residence_type = models.CharField(
        _("residence type"),
        max_length=16,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    registered_address = models.CharField(
        _("household registration address"), max_length=200, blank=True
    )
    residence_address = models.CharField(_("actual residence"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=18)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    household_relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["region_code", "name", "id"]
        permissions = [
            ("unmask_person", "Can see personal identifiers in clear (audited)"),
        ]
        indexes = [
            # Lists inside a scope, in name order: one index range per scope root (and name
            # prefixes common enough that the first page is found walking it).
            models.Index(fields=["region_code", "name"], name="person_region_name_idx"),
            # Prefix search (name, pinyin initials, full pinyin) in a large scope: the prefix
            # range, the scope checked in the index.  varchar_pattern_ops (PostgreSQL) makes
            # LIKE 'x%' an index range under any collation; elsewhere plain indexes.
            models.Index(
                fields=["name", "region_code"],
                opclasses=["varchar_pattern_ops", "varchar_ops"],
                name="person_name_prefix_idx",
            ),
            models.Index(
                fields=["name_initials", "region_code"],
                opclasses=["varchar_pattern_ops", "varchar_ops"],
                name="person_initials_prefix_idx",
            ),
            models.Index(
                fields=["name_pinyin", "region_code"],
                opclasses=["varchar_pattern_ops", "varchar_ops"],
                name="person_pinyin_prefix_idx",
            ),
            # Exact ID number / phone search.
            models.Index(fields=["id_number_hash"], name="person_id_number_hash_idx"),
            models.Index(fields=["phone_hash"], name="person_phone_hash_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT), name="person_region_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grid_code(self) -> str:
        return self.region_code[:15]


class PersonTag(models.Model):
    """A person's membership of a special group."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="person_tags")
    since = models.DateField(_("since"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("special-group membership")
        verbose_name_plural = _("special-group memberships")
        ordering = ["tag__sort_order", "tag__code"]
        constraints = [
            models.UniqueConstraint(fields=["person", "tag"], name="person_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.tag_id}"


class ResidenceHistory(models.Model):
    """Where a person lived and when: a new row for every move, the last one open."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    region_code = models.CharField(_("region code"), max_length=18)
    address = models.CharField(_("address"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
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
        verbose_name = _("residence")
        verbose_name_plural = _("residence history")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="residence_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.region_code} {self.started_on}–{self.ended_on or ''}"
