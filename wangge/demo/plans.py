"""The fixed parts of the demo data: districts, streets/towns and the demo district's communities.

Street codes follow GB/T 10114: 001–099 for 街道, 100–199 for 镇.  Community
codes do too: 001–199 for 社区（居委会）, 201–399 for 村（村委会）.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StreetPlan:
    number: int  # the street's three digits
    name: str
    kind: str  # "street" (街道) or "town" (镇)
    communities: tuple[str, ...] = ()  # known 社区 names, the first gets 001
    villages: tuple[str, ...] = ()  # known 村 names, the first gets 201

    @property
    def village_share(self) -> float:
        """Share of villages among generated communities."""
        return 0.3 if self.kind == "street" else 0.85


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    streets: tuple[StreetPlan, ...] = field(default_factory=tuple)

    @property
    def short_name(self) -> str:
        """江海区 → 江海, 台山市 → 台山."""
        return self.name[:-1] if self.name[-1] in "区市县" else self.name


#: The demo district (``--scale demo``): 3 streets, 30 villages and communities.
JIANGHAI = DistrictPlan(
    "440704",
    "江海区",
    (
        StreetPlan(
            1,
            "外海街道",
            "street",
            ("外海社区", "金溪社区", "南华社区", "桥美社区"),
            ("直冲村", "麻一村", "麻二村", "麻三村", "麻四村", "中东村", "南山村"),
        ),
        StreetPlan(
            2,
            "礼乐街道",
            "street",
            ("礼乐社区", "新民社区", "丰乐社区"),
            ("威东村", "威西村", "乌纱村", "英南村", "英窗村", "跃进村", "向民村"),
        ),
        StreetPlan(
            3,
            "江南街道",
            "street",
            (
                "江南社区",
                "东海社区",
                "滘头社区",
                "滘北社区",
                "五邑路社区",
                "龙溪社区",
                "文昌社区",
                "胜利社区",
                "新华社区",
            ),
        ),
    ),
)


def _towns(first: int, names: str) -> tuple[StreetPlan, ...]:
    return tuple(StreetPlan(first + i, name, "town") for i, name in enumerate(names.split()))


#: The five districts of ``--scale city``, placed side by side.
CITY: tuple[DistrictPlan, ...] = (
    DistrictPlan(
        "440703",
        "蓬江区",
        (
            StreetPlan(1, "环市街道", "street"),
            StreetPlan(2, "潮连街道", "street"),
            StreetPlan(3, "白沙街道", "street"),
            StreetPlan(4, "北街街道", "street"),
            StreetPlan(5, "堤东街道", "street"),
            *_towns(100, "杜阮镇 棠下镇 荷塘镇"),
        ),
    ),
    JIANGHAI,
    DistrictPlan(
        "440705",
        "新会区",
        (
            StreetPlan(1, "会城街道", "street"),
            *_towns(100, "大泽镇 司前镇 罗坑镇 双水镇 崖门镇 沙堆镇 古井镇 三江镇 睦洲镇 大鳌镇"),
        ),
    ),
    DistrictPlan(
        "440781",
        "台山市",
        (
            StreetPlan(1, "台城街道", "street"),
            *_towns(
                100,
                "大江镇 水步镇 四九镇 白沙镇 三合镇 冲蒌镇 斗山镇 都斛镇 赤溪镇 端芬镇 广海镇 "
                "海宴镇 汶村镇 深井镇 北陡镇 川岛镇",
            ),
        ),
    ),
    DistrictPlan(
        "440784",
        "鹤山市",
        (
            StreetPlan(1, "沙坪街道", "street"),
            *_towns(100, "雅瑶镇 古劳镇 桃源镇 共和镇 址山镇 鹤城镇 宅梧镇 双合镇 龙口镇"),
        ),
    ),
)

#: code, name template ({d} district name, {s} short name) — one set per district.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("cg", "{d}城市管理和综合执法局"),
    ("zj", "{d}住房和城乡建设局"),
    ("sz", "{d}市政设施管理中心"),
    ("xf", "{d}消防救援大队"),
    ("ga", "江门市公安局{s}分局"),
    ("wj", "{d}卫生健康局"),
    ("jy", "{d}教育局"),
    ("sthj", "江门市生态环境局{s}分局"),
    ("scjg", "{d}市场监督管理局"),
)


def department_name(code: str, template: str, district: DistrictPlan) -> str:
    if code == "ga" and district.name.endswith("市"):
        return f"{district.name}公安局"  # a county-level city has its own bureau
    return template.format(d=district.name, s=district.short_name)
