"""Kinds and attributes of organisations (组织): enterprises and shops, party organisations,
property companies and social organisations.  Labels are what users see."""

from __future__ import annotations

from django.db import models

from wangge.lib import codes


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    SHOP = "shop", "商铺"
    INDIVIDUAL = "individual", "个体工商户"


class Industry(models.TextChoices):
    """Sections (门类) of GB/T 4754-2017 国民经济行业分类."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741 - the standard's letter
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741 - the standard's letter
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class GasUse(models.TextChoices):
    NONE = "none", "不使用燃气"
    LPG = "lpg", "瓶装液化石油气"
    PIPELINE = "pipeline", "管道燃气"


class FireRisk(models.TextChoices):
    LOW = "low", "低风险"
    MEDIUM = "medium", "中风险"
    HIGH = "high", "高风险"


class PartyOrgKind(models.TextChoices):
    """The chain 街道党工委 → 社区党组织 → 网格党组织 → 党员联系户."""

    STREET_COMMITTEE = "street_committee", "街道党工委"
    COMMUNITY = "community", "社区党组织"
    GRID_BRANCH = "grid_branch", "网格党组织"
    MEMBER_HOUSEHOLD = "member_household", "党员联系户"


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
    SOCIAL_GROUP = "social_group", "社会团体"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", "民办非企业单位"
    FOUNDATION = "foundation", "基金会"
    COMMUNITY_GROUP = "community_group", "社区社会组织"
    VOLUNTEER = "volunteer", "志愿服务组织"
