"""The organisation registries (组织): who is in the grid besides its residents.

Phones of legal persons and contacts are personal data: encrypted at rest,
searchable by exact value through a blind index, and shown masked.
Every registry carries ``verified_at``: a record not verified within
``WANGGE_BASEDATA_STALE_DAYS`` counts as stale in the base-data checklist.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.organisations.choices import (
    PARTY_ONE_PER_PLACE,
    EnterpriseKind,
    FireRisk,
    GasUse,
    Industry,
    PartyOrgKind,
    SocialOrgKind,
)
from wangge.privacy.fields import BlindIndexField, EncryptedTextField

GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


class Registered(models.Model):
    """What every registry row has: when it was last verified, created and changed."""

    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        abstract = True


class Enterprise(Registered):
    """An enterprise, shop or individual business (企业、商铺、个体工商户) at a place."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EnterpriseKind.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    legal_person = models.CharField(_("legal person / operator"), max_length=64, blank=True)
    legal_person_phone = EncryptedTextField(_("legal person's phone"), blank=True)
    legal_person_phone_hash = BlindIndexField(source="legal_person_phone")
    address = models.CharField(_("address"), max_length=200, blank=True)
    district_code = models.CharField(_("district code"), max_length=6)
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), default=0)
    uses_gas = models.CharField(
        _("gas use"), max_length=16, choices=GasUse.choices, default=GasUse.NONE
    )
    has_gas_alarm = models.BooleanField(_("gas alarm installed"), default=False)
    hazardous_chemicals = models.BooleanField(_("stores hazardous chemicals"), default=False)
    fire_risk_level = models.CharField(
        _("fire risk level"), max_length=16, choices=FireRisk.choices, default=FireRisk.LOW
    )
    is_operating = models.BooleanField(_("operating"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("enterprise or shop")
        verbose_name_plural = _("enterprises and shops")
        ordering = ["region_code", "name", "id"]
        indexes = [
            models.Index(fields=["kind", "region_code"], name="enterprise_kind_region_idx"),
            models.Index(fields=["district_code", "industry"], name="enterprise_industry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="enterprise_uscc_unique"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT),
                name="enterprise_region_code_grid_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PropertyCompany(Registered):
    """A property management company (物业服务企业) and the places it manages."""

    #: The checklist counts a company in every grid where it manages a place.
    BASEDATA_REGION_FIELD = "managed_units__region_code"

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_phone_hash = BlindIndexField(source="contact_phone")
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="property_company_uscc_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ManagedUnit(models.Model):
    """A grid or minimal unit (小区、楼栋) a property company manages."""

    company = models.ForeignKey(
        PropertyCompany, on_delete=models.CASCADE, related_name="managed_units"
    )
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)

    class Meta:
        verbose_name = _("managed place")
        verbose_name_plural = _("managed places")
        ordering = ["company", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "region_code"], name="managed_unit_once_per_company"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=GRID_OR_UNIT),
                name="managed_unit_region_code_grid_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.region_code}"


class PartyOrganisation(Registered):
    """A link of the chain 街道党工委 → 社区党组织 → 网格党组织 → 党员联系户.

    ``region_code`` is the node the organisation is attached to (a street, a
    community, a grid; a member household sits in a grid or unit); ``parent`` is
    the organisation one link up, found from the hierarchy.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=PartyOrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    secretary_name = models.CharField(
        _("secretary"),
        max_length=64,
        blank=True,
        help_text=_("For a member household: the party member who keeps the contact."),
    )
    member_count = models.PositiveIntegerField(
        _("members"),
        default=0,
        help_text=_("Party members; for a member household, the households it contacts."),
    )

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["region_code", "kind", "id"]
        indexes = [models.Index(fields=["kind", "region_code"], name="party_kind_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "region_code"],
                condition=Q(kind__in=PARTY_ONE_PER_PLACE),
                name="party_one_per_place",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{9}([0-9]{3}){0,3}$"),
                name="party_region_code_street_or_below",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SocialOrganisation(Registered):
    """A social organisation (社会组织) active in a community, grid or unit."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=SocialOrgKind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_phone_hash = BlindIndexField(source="contact_phone")
    region_code = models.CharField(_("region code"), max_length=18, db_index=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    activities = models.TextField(_("activities"), blank=True)

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["region_code", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="social_org_uscc_unique"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{12}([0-9]{3}){0,2}$"),
                name="social_org_region_code_community_or_below",
            ),
        ]

    def __str__(self) -> str:
        return self.name
