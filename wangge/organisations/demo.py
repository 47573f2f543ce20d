"""Demo organisations for a district: enterprises and shops, the party chain, property
companies and social organisations.

``seed_demo_organisations(district, seed)`` writes about 6,000 enterprises, shops
and individual businesses spread over the district's minimal units (bulk insert:
phones are encrypted and hashed on the way), one working committee per street,
one party organisation per community, one party branch per grid with a few
member households, property companies for the urban communities and a few
social organisations per community.  The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.demo.names import ROADS, person_name
from wangge.lib import codes
from wangge.organisations.actions import derive_fire_risk
from wangge.organisations.choices import (
    EnterpriseKind,
    GasUse,
    PartyOrgKind,
    SocialOrgKind,
)
from wangge.organisations.models import (
    Enterprise,
    ManagedUnit,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

BULK_BATCH = 1000
ENTERPRISES = 6000
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet (no I, O, Z, S, V)
_TRADE = "华盛鸿利达兴隆源丰泰嘉恒信宏佳锦福祥瑞昌荣裕通美新德万金永富安康和顺益发汇宝建友"

#: industry → (weight, enterprise name endings, shop name endings)
_INDUSTRIES: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "C": (
        18,
        ("五金制品有限公司", "电器有限公司", "塑料制品有限公司", "食品有限公司", "机械有限公司"),
        ("五金加工场", "制衣厂", "家具作坊"),
    ),
    "F": (
        30,
        ("贸易有限公司", "商贸有限公司", "医药连锁有限公司"),
        ("便利店", "百货商行", "五金店", "水果店", "粮油店", "药店", "建材店"),
    ),
    "H": (
        20,
        ("餐饮管理有限公司", "酒店有限公司"),
        ("餐馆", "茶餐厅", "粥粉面店", "烧腊店", "奶茶店", "大排档"),
    ),
    "O": (14, ("家政服务有限公司",), ("理发店", "洗衣店", "汽车维修店", "美容店", "家电维修部")),
    "G": (5, ("物流有限公司", "运输有限公司"), ("快递驿站",)),
    "E": (4, ("建筑工程有限公司", "装饰工程有限公司"), ("装修队",)),
    "R": (4, ("文化传播有限公司",), ("棋牌室", "健身房", "网吧")),
    "L": (3, ("商务服务有限公司", "广告有限公司"), ("打印店",)),
    "Q": (2, ("医疗管理有限公司",), ("诊所",)),
}
_INDUSTRY_CODES = list(_INDUSTRIES)
_INDUSTRY_WEIGHTS = [v[0] for v in _INDUSTRIES.values()]

_PROPERTY = ("物业服务有限公司", "物业管理有限公司")
_SOCIAL: tuple[tuple[str, str], ...] = (
    (SocialOrgKind.VOLUNTEER, "志愿服务队"),
    (SocialOrgKind.COMMUNITY_GROUP, "长者协会"),
    (SocialOrgKind.COMMUNITY_GROUP, "文体协会"),
    (SocialOrgKind.SOCIAL_GROUP, "商会"),
    (SocialOrgKind.PRIVATE_NON_ENTERPRISE, "社会工作服务中心"),
)


@dataclass
class OrganisationSeedSummary:
    district: str
    enterprises: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    party: dict[str, int] = field(default_factory=dict)
    property_companies: int = 0
    managed_units: int = 0
    social: int = 0
    skipped: bool = False


def _uscc(district: str, entity: str, serial: int, rng: random.Random) -> str:
    """A 统一社会信用代码 with a correct check digit: 9 + entity type + district + MA… + check."""
    body, n = "", serial
    for _ in range(6):
        n, digit = divmod(n, 31)
        body = _ALPHABET[digit] + body
    head = f"9{entity}{district}MA{body}{rng.choice(_ALPHABET)}"
    return head + stdnum_uscc.calc_check_digit(head)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def _trade(rng: random.Random) -> str:
    a = rng.choice(_TRADE)
    b = rng.choice(_TRADE.replace(a, ""))
    return a + b


def _grid_title(community: str, grid: str) -> str:
    """外海社区 + 第1网格 → 外海社区第1网格; a grid named after its community keeps its name."""
    return grid if grid.startswith(community) else community + grid


def _verified(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(days=rng.randint(0, 300), hours=rng.randint(0, 23))


def seed_demo_organisations(
    district: Region | str,
    seed: int = 1,
    *,
    enterprises: int = ENTERPRISES,
    now: datetime | None = None,
) -> OrganisationSeedSummary:
    """Generate the district's demo organisations (bulk insert, one audit row).

    Does nothing (``skipped``) if the district already has enterprises or party organisations.
    """
    code = district.code if isinstance(district, Region) else district
    summary = OrganisationSeedSummary(district=code)
    now = now or timezone.now()
    rng = random.Random(f"wangge-demo:{seed}:{code}:organisations")  # noqa: S311
    with transaction.atomic():
        if (
            Enterprise.objects.filter(district_code=code).exists()
            or PartyOrganisation.objects.filter(prefix_q("region_code", [code])).exists()
        ):
            summary.skipped = True
            return summary
        nodes = list(
            Region.objects.filter(prefix_q("code", [code]))
            .exclude(level=RegionLevel.DISTRICT)
            .order_by("code")
            .values_list("code", "name", "level", "kind", "point_lng", "point_lat")
        )
        names = {c: n for c, n, *_ in nodes}
        streets = [c for c, _n, level, *_ in nodes if level == RegionLevel.STREET]
        communities = [(c, k) for c, _n, level, k, *_ in nodes if level == RegionLevel.COMMUNITY]
        grids = [c for c, _n, level, *_ in nodes if level == RegionLevel.GRID]
        units = [(c, lng, lat) for c, _n, level, _k, lng, lat in nodes if level == RegionLevel.UNIT]
        district_name = (
            Region.objects.filter(code=code).values_list("name", flat=True).first() or ""
        )

        _enterprises(summary, code, district_name, units, names, enterprises, rng, now)
        _party(summary, streets, communities, grids, units, names, rng, now)
        _property_companies(summary, code, communities, units, names, rng, now)
        _social(summary, communities, names, rng, now)
        record(
            "demo.seed_organisations",
            actor=None,
            object_type="organisations.enterprise",
            object_repr=f"{summary.enterprises} 个企业、商铺及各类组织",
            region_code=code,
            after={
                "seed": seed,
                "enterprises": summary.by_kind,
                "party": summary.party,
                "property_companies": summary.property_companies,
                "social": summary.social,
            },
        )
    return summary


def _enterprises(
    summary: OrganisationSeedSummary,
    district: str,
    district_name: str,
    units: list[tuple[str, float | None, float | None]],
    names: dict[str, str],
    count: int,
    rng: random.Random,
    now: datetime,
) -> None:
    if not units:
        return
    city = "江门市"
    rows: list[Enterprise] = []
    for serial in range(1, count + 1):
        unit, lng, lat = (
            units[(serial - 1) % len(units)] if serial <= len(units) else rng.choice(units)
        )
        roll = rng.random()
        kind = (
            EnterpriseKind.ENTERPRISE
            if roll < 0.2
            else EnterpriseKind.SHOP
            if roll < 0.75
            else EnterpriseKind.INDIVIDUAL
        )
        industry = rng.choices(_INDUSTRY_CODES, _INDUSTRY_WEIGHTS)[0]
        _weight, company_endings, shop_endings = _INDUSTRIES[industry]
        trade = _trade(rng)
        if kind == EnterpriseKind.ENTERPRISE:
            name = f"{city}{trade}{rng.choice(company_endings)}"
            employees = int(rng.paretovariate(1.2) * 5) + 3
        else:
            prefix = district_name if kind == EnterpriseKind.INDIVIDUAL else ""
            name = f"{prefix}{trade}{rng.choice(shop_endings)}"
            employees = rng.randint(1, 8)
        if industry == "H":
            gas_roll = rng.random()
            gas = (
                GasUse.LPG if gas_roll < 0.6 else GasUse.PIPELINE if gas_roll < 0.9 else GasUse.NONE
            )
        else:
            gas = GasUse.LPG if rng.random() < 0.08 else GasUse.NONE
        alarm = gas != GasUse.NONE and rng.random() < 0.7
        hazardous = (industry == "C" and rng.random() < 0.08) or (
            industry == "F" and rng.random() < 0.02
        )
        has_code = kind == EnterpriseKind.ENTERPRISE or rng.random() < 0.8
        entity = "1" if kind == EnterpriseKind.ENTERPRISE else "2"
        jitter = (rng.uniform(-0.0003, 0.0003), rng.uniform(-0.0003, 0.0003))
        rows.append(
            Enterprise(
                name=name,
                uscc=_uscc(district, entity, serial, rng) if has_code else "",
                kind=kind,
                industry=industry,
                legal_person=person_name(rng),
                legal_person_phone=_phone(rng),
                address=f"{names.get(unit[:12], '')}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                district_code=district,
                region_code=unit,
                lng=round(lng + jitter[0], 6) if lng is not None else None,
                lat=round(lat + jitter[1], 6) if lat is not None else None,
                employee_count=min(employees, 5000),
                uses_gas=gas,
                has_gas_alarm=alarm,
                hazardous_chemicals=hazardous,
                fire_risk_level=derive_fire_risk(
                    uses_gas=gas,
                    has_gas_alarm=alarm,
                    hazardous_chemicals=hazardous,
                    employee_count=employees,
                ),
                is_operating=rng.random() > 0.03,
                verified_at=_verified(rng, now),
                created_at=now,
                updated_at=now,
            )
        )
        summary.by_kind[kind] = summary.by_kind.get(kind, 0) + 1
    Enterprise.objects.bulk_create(rows, batch_size=BULK_BATCH)
    summary.enterprises = len(rows)


def _saved_ids(rows: list[PartyOrganisation]) -> dict[str, int]:
    """region code → id of the just-inserted organisations (backends without returned ids too)."""
    if all(r.pk is not None for r in rows):
        return {r.region_code: r.pk for r in rows}
    kinds = {r.kind for r in rows}
    return dict(
        PartyOrganisation.objects.filter(
            kind__in=kinds, region_code__in=[r.region_code for r in rows]
        ).values_list("region_code", "id")
    )


def _party(
    summary: OrganisationSeedSummary,
    streets: list[str],
    communities: list[tuple[str, str]],
    grids: list[str],
    units: list[tuple[str, float | None, float | None]],
    names: dict[str, str],
    rng: random.Random,
    now: datetime,
) -> None:
    def org(kind: str, name: str, code: str, parent: int | None, members: int) -> PartyOrganisation:
        return PartyOrganisation(
            kind=kind,
            name=name,
            parent_id=parent,
            region_code=code,
            secretary_name=person_name(rng),
            member_count=members,
            verified_at=_verified(rng, now),
            created_at=now,
            updated_at=now,
        )

    street_rows = [
        org(
            PartyOrgKind.STREET_COMMITTEE,
            f"中共{names[s]}工作委员会",
            s,
            None,
            rng.randint(800, 3000),
        )
        for s in streets
    ]
    PartyOrganisation.objects.bulk_create(street_rows)
    street_ids = _saved_ids(street_rows)
    community_rows = []
    for c, _kind in communities:
        members = rng.randint(40, 260)
        body = "委员会" if members >= 100 else "总支部委员会"
        community_rows.append(
            org(PartyOrgKind.COMMUNITY, f"中共{names[c]}{body}", c, street_ids.get(c[:9]), members)
        )
    PartyOrganisation.objects.bulk_create(community_rows)
    community_ids = _saved_ids(community_rows)
    grid_rows = [
        org(
            PartyOrgKind.GRID_BRANCH,
            f"{_grid_title(names[g[:12]], names[g])}党支部",
            g,
            community_ids.get(g[:12]),
            rng.randint(5, 40),
        )
        for g in grids
    ]
    PartyOrganisation.objects.bulk_create(grid_rows)
    grid_ids = _saved_ids(grid_rows)
    units_by_grid: dict[str, list[str]] = {}
    for unit, _lng, _lat in units:
        units_by_grid.setdefault(unit[: codes.CODE_LENGTH[codes.Level.GRID]], []).append(unit)
    households = []
    for g in grids:
        for unit in rng.sample(units_by_grid.get(g, []), min(2, len(units_by_grid.get(g, [])))):
            member = person_name(rng)
            households.append(
                PartyOrganisation(
                    kind=PartyOrgKind.MEMBER_HOUSEHOLD,
                    name=f"党员{member}联系户",
                    parent_id=grid_ids.get(g),
                    region_code=unit,
                    secretary_name=member,
                    member_count=rng.randint(8, 15),
                    verified_at=_verified(rng, now),
                    created_at=now,
                    updated_at=now,
                )
            )
    PartyOrganisation.objects.bulk_create(households, batch_size=BULK_BATCH)
    summary.party = {
        PartyOrgKind.STREET_COMMITTEE: len(street_rows),
        PartyOrgKind.COMMUNITY: len(community_rows),
        PartyOrgKind.GRID_BRANCH: len(grid_rows),
        PartyOrgKind.MEMBER_HOUSEHOLD: len(households),
    }


def _property_companies(
    summary: OrganisationSeedSummary,
    district: str,
    communities: list[tuple[str, str]],
    units: list[tuple[str, float | None, float | None]],
    names: dict[str, str],
    rng: random.Random,
    now: datetime,
) -> None:
    """One or two companies per urban community (社区), each managing some of its units."""
    companies: list[PropertyCompany] = []
    plans: list[list[str]] = []
    serial = 900_000
    for c, kind in communities:
        if kind != "community":
            continue
        in_community = [u for u, _lng, _lat in units if u.startswith(c)]
        if not in_community:
            continue
        for _ in range(rng.randint(1, 2)):
            serial += 1
            managed = rng.sample(in_community, min(len(in_community), rng.randint(2, 8)))
            companies.append(
                PropertyCompany(
                    name=f"江门市{_trade(rng)}{rng.choice(_PROPERTY)}",
                    uscc=_uscc(district, "1", serial, rng),
                    contact_name=person_name(rng),
                    contact_phone=_phone(rng),
                    address=f"{names[c]}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                    verified_at=_verified(rng, now),
                    created_at=now,
                    updated_at=now,
                )
            )
            plans.append(sorted(managed))
    PropertyCompany.objects.bulk_create(companies)
    if any(c.pk is None for c in companies):  # backends that do not return ids
        by_code = dict(
            PropertyCompany.objects.filter(uscc__in=[c.uscc for c in companies]).values_list(
                "uscc", "id"
            )
        )
        for company in companies:
            company.pk = by_code[company.uscc]
    managed_rows = [
        ManagedUnit(company_id=company.pk, region_code=unit)
        for company, plan in zip(companies, plans, strict=True)
        for unit in plan
    ]
    ManagedUnit.objects.bulk_create(managed_rows, batch_size=BULK_BATCH)
    summary.property_companies = len(companies)
    summary.managed_units = len(managed_rows)


def _social(
    summary: OrganisationSeedSummary,
    communities: list[tuple[str, str]],
    names: dict[str, str],
    rng: random.Random,
    now: datetime,
) -> None:
    rows = []
    for c, _kind in communities:
        for kind, ending in rng.sample(_SOCIAL, rng.randint(1, 3)):
            rows.append(
                SocialOrganisation(
                    name=f"{names[c]}{ending}",
                    kind=kind,
                    contact_name=person_name(rng),
                    contact_phone=_phone(rng),
                    region_code=c,
                    member_count=rng.randint(10, 120),
                    verified_at=_verified(rng, now),
                    created_at=now,
                    updated_at=now,
                )
            )
    SocialOrganisation.objects.bulk_create(rows)
    summary.social = len(rows)
