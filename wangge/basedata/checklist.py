"""The 43-item base-information checklist (人、地、事、物、组织), seeded idempotently.

Items are data: an administrator may rename them, switch them off or change
how they are measured; ``seed_checklist`` only creates missing numbers.  Items about people
and places are counted by the people/places registries (special groups by
their ``people.Tag`` codes); an item whose registry is not installed, or that no
registry records yet (境外人员, 退役军人…), shows as not measurable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wangge.basedata.choices import ItemCategory
from wangge.basedata.models import ChecklistItem

P, L, E, T, G = (  # 人、地、事、物、组织
    ItemCategory.PERSON,
    ItemCategory.PLACE,
    ItemCategory.EVENT,
    ItemCategory.THING,
    ItemCategory.ORGANISATION,
)

_COVERS = ",".join(["0101", "0102", "0103", "0105", "0106", "0107", "0108", "0109", "0110"])
_OPEN = "is_operating=true"
_PEOPLE = "people.Person?status=active"
_LIVE = "state__in=normal,damaged,missing,under_repair"  # every part but the retired


def _tagged(*tags: str) -> str:
    """People in any of the special groups (``people.Tag`` codes)."""
    return f"{_PEOPLE}&person_tags__tag__code__in={','.join(tags)}"


@dataclass(frozen=True)
class ItemSpec:
    number: int
    category: str
    name: str
    measure: str = ""
    description: str = ""


ITEMS: tuple[ItemSpec, ...] = (
    # 人
    ItemSpec(1, P, "实有人口", _PEOPLE, "居住在本网格的全部人员"),
    ItemSpec(2, P, "户籍人口", f"{_PEOPLE}&residence_type=registered"),
    ItemSpec(3, P, "流动人口", f"{_PEOPLE}&residence_type=floating"),
    ItemSpec(4, P, "境外人员", "", "在本网格居住、工作的境外人员"),
    ItemSpec(5, P, "留守人员", _tagged("left_behind_child"), "留守儿童、留守老人、留守妇女"),
    ItemSpec(6, P, "独居、空巢老人", _tagged("elderly_alone", "empty_nest")),
    ItemSpec(7, P, "残疾人", _tagged("disabled")),
    ItemSpec(8, P, "低保、特困人员", _tagged("low_income")),
    ItemSpec(9, P, "退役军人", ""),
    ItemSpec(10, P, "社区矫正对象", _tagged("community_correction")),
    ItemSpec(11, P, "刑满释放人员", ""),
    ItemSpec(12, P, "严重精神障碍患者", _tagged("mental_disorder")),
    ItemSpec(13, P, "重点青少年", "", "闲散、有不良行为的青少年"),
    # 地
    ItemSpec(14, L, "房屋（楼栋）", "places.Building", "住宅、商住楼、厂房等建筑"),
    ItemSpec(15, L, "出租屋", "places.Building?is_rental=true"),
    ItemSpec(16, L, "学校、幼儿园", ""),
    ItemSpec(17, L, "医疗机构", "", "医院、卫生院、诊所、社区卫生服务站"),
    ItemSpec(18, L, "农贸市场、商业综合体", ""),
    ItemSpec(
        19,
        L,
        "“三小”场所",
        f"organisations.Enterprise?kind__in=shop,individual&{_OPEN}",
        "小商店、小作坊、小娱乐场所",
    ),
    ItemSpec(20, L, "人员密集场所", ""),
    ItemSpec(21, L, "宗教活动场所", ""),
    ItemSpec(22, L, "在建工地", ""),
    ItemSpec(23, L, "易涝点、地质灾害隐患点", ""),
    # 事
    ItemSpec(24, E, "矛盾纠纷", "events.Event?category__parent__code=07", "排查登记的矛盾纠纷"),
    ItemSpec(25, E, "治安隐患", "events.Event?category__parent__code=08"),
    ItemSpec(26, E, "安全生产、消防隐患", "events.Event?category__parent__code=09"),
    ItemSpec(27, E, "特殊人群服务", "events.Event?category__parent__code=10"),
    ItemSpec(28, E, "违法建设", "events.Event?category__parent__code=11"),
    ItemSpec(29, E, "民生服务诉求", "events.Event?category__parent__code=14"),
    ItemSpec(30, E, "城市部件问题", "events.Event?category__parent__code=06"),
    # 物
    ItemSpec(31, T, "消防栓", f"assets.Asset?type__code=0111&{_LIVE}", "市政消火栓"),
    ItemSpec(32, T, "微型消防站", f"assets.Asset?type__code=0112&{_LIVE}"),
    ItemSpec(
        33,
        T,
        "井盖",
        f"assets.Asset?type__code__in={_COVERS}&{_LIVE}",
        "上水、污水、雨水、电力、通信等井盖",
    ),
    ItemSpec(34, T, "路灯", f"assets.Asset?type__code=0115&{_LIVE}"),
    ItemSpec(35, T, "监控探头", f"assets.Asset?type__code=0116&{_LIVE}"),
    ItemSpec(
        36,
        T,
        "瓶装液化气使用点",
        f"organisations.Enterprise?uses_gas=lpg&{_OPEN}",
        "使用瓶装液化石油气的经营场所",
    ),
    ItemSpec(
        37,
        T,
        "危险化学品存放点",
        f"organisations.Enterprise?hazardous_chemicals=true&{_OPEN}",
    ),
    # 组织
    ItemSpec(38, G, "企业", f"organisations.Enterprise?kind=enterprise&{_OPEN}"),
    ItemSpec(
        39, G, "个体工商户、商铺", f"organisations.Enterprise?kind__in=shop,individual&{_OPEN}"
    ),
    ItemSpec(40, G, "物业服务企业", "organisations.PropertyCompany"),
    ItemSpec(41, G, "网格党组织", "organisations.PartyOrganisation?kind=grid_branch"),
    ItemSpec(42, G, "党员联系户", "organisations.PartyOrganisation?kind=member_household"),
    ItemSpec(43, G, "社会组织", "organisations.SocialOrganisation"),
)

assert len(ITEMS) == 43 and [i.number for i in ITEMS] == list(range(1, 44))  # noqa: S101


def seed_checklist(using: str = "default") -> int:
    """Create the missing items; return how many were created."""
    have = set(ChecklistItem.objects.using(using).values_list("number", flat=True))
    rows = [
        ChecklistItem(
            number=spec.number,
            category=spec.category,
            name=spec.name,
            measure=spec.measure,
            description=spec.description,
        )
        for spec in ITEMS
        if spec.number not in have
    ]
    ChecklistItem.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def seed_checklist_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "basedata":
        return
    seed_checklist(using=using)
