"""Kinds and attributes of organisations (组织): enterprises and shops, party organisations,
property companies and social organisations.  Labels are what users see, translated (Chinese
by default)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from wangge.lib import codes


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", pgettext_lazy("enterprise kind", "Enterprise")
    SHOP = "shop", pgettext_lazy("enterprise kind", "Shop")
    INDIVIDUAL = "individual", pgettext_lazy("enterprise kind", "Individual business")


class Industry(models.TextChoices):
    """Sections (门类) of GB/T 4754-2017 国民经济行业分类."""

    A = (
        "A",
        pgettext_lazy("industry section", "Agriculture, forestry, animal husbandry and fishery"),
    )
    B = "B", pgettext_lazy("industry section", "Mining")
    C = "C", pgettext_lazy("industry section", "Manufacturing")
    D = (
        "D",
        pgettext_lazy(
            "industry section", "Production and supply of electricity, heat, gas and water"
        ),
    )
    E = "E", pgettext_lazy("industry section", "Construction")
    F = "F", pgettext_lazy("industry section", "Wholesale and retail trade")
    G = "G", pgettext_lazy("industry section", "Transport, storage and postal services")
    H = "H", pgettext_lazy("industry section", "Accommodation and catering")
    I = (  # noqa: E741 - the standard's letter
        "I",
        pgettext_lazy(
            "industry section",
            "Information transmission, software and information technology services",
        ),
    )
    J = "J", pgettext_lazy("industry section", "Finance")
    K = "K", pgettext_lazy("industry section", "Real estate")
    L = "L", pgettext_lazy("industry section", "Leasing and business services")
    M = "M", pgettext_lazy("industry section", "Scientific research and technical services")
    N = (
        "N",
        pgettext_lazy(
            "industry section", "Water conservancy, environment and public facilities management"
        ),
    )
    O = (  # noqa: E741 - the standard's letter
        "O",
        pgettext_lazy("industry section", "Resident services, repair and other services"),
    )
    P = "P", pgettext_lazy("industry section", "Education")
    Q = "Q", pgettext_lazy("industry section", "Health and social work")
    R = "R", pgettext_lazy("industry section", "Culture, sports and entertainment")
    S = (
        "S",
        pgettext_lazy(
            "industry section", "Public administration, social security and social organisations"
        ),
    )
    T = "T", pgettext_lazy("industry section", "International organisations")


class GasUse(models.TextChoices):
    NONE = "none", pgettext_lazy("gas use", "No gas")
    LPG = "lpg", pgettext_lazy("gas use", "Bottled LPG")
    PIPELINE = "pipeline", pgettext_lazy("gas use", "Piped gas")


class FireRisk(models.TextChoices):
    LOW = "low", pgettext_lazy("fire risk", "Low risk")
    MEDIUM = "medium", pgettext_lazy("fire risk", "Medium risk")
    HIGH = "high", pgettext_lazy("fire risk", "High risk")


class PartyOrgKind(models.TextChoices):
    """The chain 街道党工委 → 社区党组织 → 网格党组织 → 党员联系户."""

    STREET_COMMITTEE = (
        "street_committee",
        pgettext_lazy("party organisation kind", "Street Party working committee"),
    )
    COMMUNITY = (
        "community",
        pgettext_lazy("party organisation kind", "Community Party organisation"),
    )
    GRID_BRANCH = "grid_branch", pgettext_lazy("party organisation kind", "Grid Party organisation")
    MEMBER_HOUSEHOLD = (
        "member_household",
        pgettext_lazy("party organisation kind", "Party member contact households"),
    )


#: The hierarchy levels each kind of party organisation sits at.
PARTY_LEVELS: dict[str, tuple[codes.Level, ...]] = {
    PartyOrgKind.STREET_COMMITTEE: (codes.Level.STREET,),
    PartyOrgKind.COMMUNITY: (codes.Level.COMMUNITY,),
    PartyOrgKind.GRID_BRANCH: (codes.Level.GRID,),
    PartyOrgKind.MEMBER_HOUSEHOLD: (codes.Level.GRID, codes.Level.UNIT),
}

#: Each kind's parent kind in the chain.
PARTY_PARENT: dict[str, str | None] = {
    PartyOrgKind.STREET_COMMITTEE: None,
    PartyOrgKind.COMMUNITY: PartyOrgKind.STREET_COMMITTEE,
    PartyOrgKind.GRID_BRANCH: PartyOrgKind.COMMUNITY,
    PartyOrgKind.MEMBER_HOUSEHOLD: PartyOrgKind.GRID_BRANCH,
}

#: Kinds of which one place holds at most one.
PARTY_ONE_PER_PLACE: tuple[str, ...] = (
    PartyOrgKind.STREET_COMMITTEE,
    PartyOrgKind.COMMUNITY,
    PartyOrgKind.GRID_BRANCH,
)


class SocialOrgKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", pgettext_lazy("social organisation kind", "Social group")
    PRIVATE_NON_ENTERPRISE = (
        "private_non_enterprise",
        pgettext_lazy("social organisation kind", "Private non-enterprise unit"),
    )
    FOUNDATION = "foundation", pgettext_lazy("social organisation kind", "Foundation")
    COMMUNITY_GROUP = (
        "community_group",
        pgettext_lazy("social organisation kind", "Community social organisation"),
    )
    VOLUNTEER = "volunteer", pgettext_lazy("social organisation kind", "Volunteer organisation")
