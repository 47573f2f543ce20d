"""The default checklists (检查表), seeded idempotently after ``migrate``.

Three checklists the seeds and grid practice name: restaurant gas safety (the
district's city-management bureau checks alarms, their position, hose length
and cylinder storage), enterprise production safety (安全生产) and rental-housing
fire safety (出租屋消防安全).  Each item says how it is answered, whether a
failure is a hazard and how many days the owner has to rectify it, and which
event sub-category (under 09 安全生产/消防隐患) an unresolved hazard becomes.
``seed_checklists`` only creates what is missing: an administrator's edits stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wangge.inspections.choices import AnswerType, TargetKind
from wangge.inspections.models import Checklist, ChecklistItem

PF, NUM, TXT = AnswerType.PASS_FAIL, AnswerType.NUMBER, AnswerType.TEXT

#: Event sub-categories of 09 安全生产/消防隐患 in the seeded event catalogue.
FIRE_EXIT = "0901"  # 消防通道堵塞
EV_CHARGING = "0902"  # 电动车违规充电
DANGEROUS_GOODS = "0903"  # 危化品违规存放
GAS = "0904"  # 燃气使用隐患


@dataclass(frozen=True)
class ItemSpec:
    code: str
    text: str
    answer_type: str = PF
    days: int = 7
    is_hazard: bool = True
    limit_max: Decimal | None = None
    unit: str = ""
    category: str = ""
    guidance: str = ""


@dataclass(frozen=True)
class ChecklistSpec:
    code: str
    name: str
    target_kind: str
    category: str
    description: str
    items: tuple[ItemSpec, ...]


RESTAURANT_GAS = "restaurant-gas"
ENTERPRISE_SAFETY = "enterprise-safety"
RENTAL_FIRE = "rental-fire"

CHECKLISTS: tuple[ChecklistSpec, ...] = (
    ChecklistSpec(
        RESTAURANT_GAS,
        "餐饮场所燃气安全检查",
        TargetKind.ENTERPRISE,
        GAS,
        "使用瓶装液化石油气或管道燃气的餐饮单位：报警装置、软管、气瓶存放与来源。",
        (
            ItemSpec("alarm-installed", "燃气报警器已安装", days=7),
            ItemSpec(
                "alarm-position",
                "报警器安装位置正确",
                days=7,
                guidance="液化石油气比空气重：报警器距地面不超过 0.3 m；"
                "天然气比空气轻：距顶棚不超过 0.3 m；距燃具 1–4 m。",
            ),
            ItemSpec("alarm-working", "报警器工作正常，与切断阀联动", days=3),
            ItemSpec(
                "hose-length",
                "软管长度不超过规定（≤2 m）",
                NUM,
                days=3,
                limit_max=Decimal("2.00"),
                unit="m",
                guidance="连接灶具的软管应不超过 2 m，且不得穿越墙体、门窗。",
            ),
            ItemSpec("hose-condition", "软管无老化、龟裂，两端用卡箍固定", days=1),
            ItemSpec(
                "cylinder-amount",
                "无超量存放气瓶",
                days=1,
                guidance="备用气瓶不超过一天用量，不得在厨房外、楼道等处囤放。",
            ),
            ItemSpec(
                "cylinder-source",
                "使用合法供气企业的气瓶（有充装标签、在检验期内）",
                days=1,
                guidance="违规使用非法营运的燃气瓶的，联系城管执法暂扣。",
            ),
            ItemSpec("cylinder-place", "气瓶直立放置、远离火源，不在地下室或密闭空间", days=1),
            ItemSpec("flame-failure", "灶具有熄火保护装置", days=7),
            ItemSpec("extinguisher", "厨房配备灭火器、灭火毯且在有效期内", days=3),
            ItemSpec(
                "staff-knowledge",
                "从业人员会关阀、会报警、会使用灭火器",
                days=0,
                is_hazard=False,
                guidance="不合格的当场宣传、指导，不列为隐患。",
            ),
            ItemSpec("other", "其他问题", TXT, days=7),
        ),
    ),
    ChecklistSpec(
        ENTERPRISE_SAFETY,
        "企业安全生产检查",
        TargetKind.ENTERPRISE,
        DANGEROUS_GOODS,
        "工业企业、仓储和经营场所：安全责任、疏散通道、消防器材、危化品、用电与“三合一”。",
        (
            ItemSpec("responsibility", "安全生产责任制、管理制度健全", days=15),
            ItemSpec("training", "员工经过安全培训，特种作业人员持证上岗", days=15),
            ItemSpec("exits", "安全出口、疏散通道畅通，未锁闭、堵塞", days=0, category=FIRE_EXIT),
            ItemSpec("emergency-lights", "应急照明、疏散指示标志完好", days=7),
            ItemSpec("extinguishers", "消防器材配置齐全、在有效期内", days=7),
            ItemSpec(
                "chemicals",
                "危险化学品分类存放、专库专人管理",
                days=3,
                category=DANGEROUS_GOODS,
            ),
            ItemSpec("wiring", "电气线路规范敷设，无私拉乱接", days=7),
            ItemSpec("guards", "设备安全防护装置齐全有效", days=7),
            ItemSpec(
                "three-in-one",
                "无“三合一”（生产、仓储、住宿合一）场所住人",
                days=3,
                category=FIRE_EXIT,
            ),
            ItemSpec("gas", "使用燃气的场所安装报警器，软管、气瓶符合要求", days=3, category=GAS),
            ItemSpec("ledger", "隐患自查台账记录完整", days=15, is_hazard=False),
            ItemSpec("other", "其他问题", TXT, days=7),
        ),
    ),
    ChecklistSpec(
        RENTAL_FIRE,
        "出租屋消防安全检查",
        TargetKind.BUILDING,
        FIRE_EXIT,
        "出租屋（房东、管理人负责）：疏散通道、电动车充电、灭火器、报警器、用电与燃气。",
        (
            ItemSpec("escape-routes", "楼梯、通道、安全出口畅通，无杂物堆放", days=1),
            ItemSpec("window-bars", "防盗网预留逃生出口", days=15),
            ItemSpec(
                "ev-charging",
                "无电动自行车在楼道、室内停放充电",
                days=0,
                category=EV_CHARGING,
            ),
            ItemSpec("extinguishers", "每层配备灭火器且在有效期内", days=7),
            ItemSpec("smoke-alarms", "安装独立式感烟火灾探测报警器", days=15),
            ItemSpec("wiring", "电气线路无私拉乱接、无老化破损", days=7),
            ItemSpec("lpg", "无违规使用、存放液化石油气钢瓶", days=1, category=GAS),
            ItemSpec("emergency-lights", "应急照明、疏散指示标志完好", days=7),
            ItemSpec("tenants-registered", "租住人员已登记", days=3, is_hazard=False),
            ItemSpec("other", "其他问题", TXT, days=7),
        ),
    ),
)


def seed_checklists(using: str = "default") -> int:
    """Create the missing default checklists and items; return how many rows were created."""
    created = 0
    by_code = {c.code: c for c in Checklist.objects.using(using).all()}
    for i, spec in enumerate(CHECKLISTS, start=1):
        checklist = by_code.get(spec.code)
        if checklist is None:
            checklist = Checklist.objects.using(using).create(
                code=spec.code,
                name=spec.name,
                target_kind=spec.target_kind,
                event_category_code=spec.category,
                description=spec.description,
                sort_order=i,
            )
            created += 1
        have = set(
            ChecklistItem.objects.using(using)
            .filter(checklist=checklist)
            .values_list("code", flat=True)
        )
        rows = [
            ChecklistItem(
                checklist=checklist,
                code=item.code,
                text=item.text,
                answer_type=item.answer_type,
                limit_max=item.limit_max,
                unit=item.unit,
                is_hazard=item.is_hazard,
                rectify_days=item.days,
                event_category_code=item.category,
                guidance=item.guidance,
                sort_order=j,
            )
            for j, item in enumerate(spec.items, start=1)
            if item.code not in have
        ]
        ChecklistItem.objects.using(using).bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


def seed_checklists_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "inspections":
        return
    seed_checklists(using=using)
