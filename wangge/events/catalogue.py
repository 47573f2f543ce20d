"""The default event catalogue, departments and work calendar, seeded idempotently.

Top-level types follow GB/T 30428 (数字化城市管理信息系统) for urban management
events and parts, plus what grid practice adds (矛盾纠纷, 治安隐患, 特殊人群…).
``seed_catalogue`` only creates what is missing: an administrator's edits stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from wangge.accounts.models import Department
from wangge.events.choices import CalendarDayKind, Priority, TimeUnit
from wangge.events.models import Category, WorkCalendarDay
from wangge.regions.models import Region

#: code → name of the functional departments every district gets.
DEPARTMENTS: dict[str, str] = {
    "cg": "城市管理和综合执法局",
    "zj": "住房和城乡建设局",
    "sz": "市政设施管理中心",
    "xf": "消防救援大队",
    "ga": "公安分局",
    "wj": "卫生健康局",
    "jy": "教育局",
    "sthj": "生态环境分局",
    "scjg": "市场监督管理局",
}

WH, WD, NH = TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS, TimeUnit.NATURAL_HOURS


@dataclass(frozen=True)
class Sub:
    name: str
    dept: str
    accept: tuple[int, str] = (2, WH)
    handle: tuple[int, str] = (3, WD)
    priority: int = Priority.NORMAL
    admitted: bool = True
    register: str = ""
    close: str = ""


@dataclass(frozen=True)
class Top:
    code: str
    name: str
    subs: tuple[Sub, ...]


CATALOGUE: tuple[Top, ...] = (
    Top(
        "01",
        "市容环境",
        (
            Sub(
                "暴露垃圾",
                "cg",
                (1, WH),
                (4, WH),
                register="道路、广场等公共区域可见生活垃圾、建筑垃圾堆放",
                close="垃圾清运干净，现场整洁",
            ),
            Sub(
                "积存垃圾渣土",
                "cg",
                register="垃圾渣土积存超过 24 小时或面积超过 1 平方米",
                close="积存垃圾渣土清理完毕",
            ),
            Sub(
                "道路不洁",
                "cg",
                (2, WH),
                (1, WD),
                register="道路有明显污迹、积泥、散落物",
                close="路面清扫干净",
            ),
            Sub(
                "水域不洁",
                "sthj",
                register="河道、湖面有明显漂浮垃圾或异味",
                close="水面漂浮物清理完毕",
            ),
        ),
    ),
    Top(
        "02",
        "宣传广告",
        (
            Sub(
                "非法小广告",
                "cg",
                (2, WH),
                (2, WD),
                register="墙面、设施上张贴、涂写、喷涂的小广告",
                close="小广告清除，无明显痕迹",
            ),
            Sub(
                "违规户外广告", "cg", register="未经审批设置的户外广告、横幅", close="违规广告拆除"
            ),
            Sub(
                "广告招牌破损",
                "cg",
                register="招牌破损、松动，存在坠落风险",
                close="招牌修复或拆除，隐患消除",
            ),
        ),
    ),
    Top(
        "03",
        "施工管理",
        (
            Sub(
                "施工扰民",
                "zj",
                register="夜间或午休时段施工产生噪声",
                close="停止违规施工或办理夜间施工许可",
            ),
            Sub(
                "工地扬尘",
                "zj",
                register="工地未覆盖、未洒水，扬尘明显",
                close="落实覆盖、洒水等降尘措施",
            ),
            Sub(
                "道路遗撒",
                "cg",
                (1, WH),
                (4, WH),
                register="运输车辆沿途遗撒泥土、砂石",
                close="路面清理干净",
            ),
            Sub("无证掘路", "sz", register="未经许可开挖道路", close="停止开挖并恢复路面"),
        ),
    ),
    Top(
        "04",
        "突发事件",
        (
            Sub(
                "电线起火",
                "xf",
                (1, NH),
                (4, NH),
                Priority.URGENT,
                register="电线、电箱冒烟起火",
                close="火情扑灭，线路断电或修复",
            ),
            Sub(
                "路面塌陷",
                "sz",
                (1, NH),
                (4, NH),
                Priority.URGENT,
                register="路面下沉、塌陷或出现空洞",
                close="设置围挡并修复路面",
            ),
            Sub(
                "自来水管爆裂",
                "sz",
                (1, NH),
                (4, NH),
                Priority.URGENT,
                register="供水管道破裂跑水",
                close="关阀止水并修复管道",
            ),
            Sub(
                "燃气泄漏",
                "zj",
                accept=(1, NH),
                handle=(2, NH),
                priority=Priority.CRITICAL,
                register="闻到燃气异味或发现燃气泄漏",
                close="泄漏点封堵，隐患排除",
            ),
            Sub(
                "道路积水",
                "sz",
                (1, NH),
                (4, NH),
                Priority.URGENT,
                register="降雨后路面积水影响通行",
                close="积水排除",
            ),
        ),
    ),
    Top(
        "05",
        "街面秩序",
        (
            Sub(
                "无照经营游商",
                "cg",
                (2, WH),
                (1, WD),
                register="流动摊贩无照经营",
                close="摊贩劝离或依法处置",
            ),
            Sub(
                "店外经营",
                "cg",
                (2, WH),
                (1, WD),
                register="商铺超出门窗经营",
                close="物品收回店内",
            ),
            Sub("占道经营", "cg", register="占用道路、人行道经营", close="占道物品清理"),
            Sub("非机动车乱停放", "ga", register="非机动车乱停放影响通行", close="车辆规整或清理"),
        ),
    ),
    Top(
        "06",
        "部件问题",
        (
            Sub(
                "井盖破损/松动",
                "sz",
                (2, WH),
                (2, WD),
                Priority.URGENT,
                register="井盖破损、缺失、松动、移位或异响",
                close="井盖更换或加固，行车无异响",
            ),
            Sub("路灯不亮", "sz", register="路灯夜间不亮或白天常亮", close="路灯恢复正常"),
            Sub("交通护栏损坏", "ga", register="护栏断裂、倒伏", close="护栏修复"),
            Sub("消防栓损坏", "xf", register="消防栓漏水、缺件、被圈占", close="消防栓修复可用"),
            Sub("垃圾箱破损", "cg", register="垃圾箱破损、缺失", close="垃圾箱修复或更换"),
        ),
    ),
    Top(
        "07",
        "矛盾纠纷",
        (
            Sub(
                "邻里纠纷",
                "",
                (4, WH),
                (5, WD),
                register="邻里之间因噪声、漏水、通道等引发的纠纷",
                close="调解达成一致或引导通过法律途径解决",
            ),
            Sub(
                "物业纠纷",
                "zj",
                (4, WH),
                (5, WD),
                register="业主与物业服务企业之间的纠纷",
                close="纠纷调处完毕",
            ),
            Sub(
                "劳资纠纷",
                "",
                (4, WH),
                (5, WD),
                register="拖欠工资等劳动争议",
                close="调处完毕或转交劳动监察",
            ),
        ),
    ),
    Top(
        "08",
        "治安隐患",
        (
            Sub(
                "可疑人员物品",
                "ga",
                (1, WH),
                (1, WD),
                Priority.URGENT,
                register="发现可疑人员或可疑物品",
                close="公安核查处置完毕",
            ),
            Sub("治安乱点", "ga", register="聚众滋事、治安秩序混乱的场所", close="整治完毕"),
            Sub("涉赌涉黄线索", "ga", register="发现涉赌涉黄活动线索", close="公安核查处置完毕"),
        ),
    ),
    Top(
        "09",
        "安全生产/消防隐患",
        (
            Sub(
                "消防通道堵塞",
                "xf",
                (2, WH),
                (1, WD),
                register="消防通道被占用、堵塞",
                close="通道清理畅通",
            ),
            Sub(
                "电动车违规充电",
                "xf",
                (2, WH),
                (1, WD),
                register="楼道、室内为电动车充电或飞线充电",
                close="违规充电行为制止，设施拆除",
            ),
            Sub(
                "危化品违规存放",
                "xf",
                (1, WH),
                (1, WD),
                Priority.URGENT,
                register="居住场所存放易燃易爆危险品",
                close="危险品清离",
            ),
            Sub(
                "燃气使用隐患",
                "zj",
                register="燃气软管老化、违规使用液化气瓶",
                close="隐患整改完毕",
            ),
        ),
    ),
    Top(
        "10",
        "特殊人群服务",
        (
            Sub(
                "严重精神障碍患者异常",
                "wj",
                (1, WH),
                (1, WD),
                Priority.URGENT,
                register="在册患者出现异常行为",
                close="医疗机构、监护人落实管控",
            ),
            Sub(
                "困难群众帮扶",
                "",
                (4, WH),
                (5, WD),
                register="独居老人、困境儿童等需要帮扶",
                close="落实帮扶措施",
            ),
            Sub(
                "社区矫正对象异常",
                "ga",
                (2, WH),
                (2, WD),
                register="社区矫正对象脱管或行为异常",
                close="核查处置完毕",
            ),
        ),
    ),
    Top(
        "11",
        "违法建设",
        (
            Sub(
                "违法搭建",
                "cg",
                register="未经规划许可新建、扩建建（构）筑物",
                close="停止施工并依法处置",
            ),
            Sub(
                "擅自改变房屋结构",
                "zj",
                register="拆改承重墙等改变房屋主体结构",
                close="停止施工并恢复",
            ),
        ),
    ),
    Top(
        "12",
        "生态环境",
        (
            Sub("噪声扰民", "sthj", register="工业、商业噪声扰民", close="噪声源整改"),
            Sub("油烟污染", "sthj", register="餐饮油烟直排", close="安装净化设施或停止直排"),
            Sub(
                "污水偷排",
                "sthj",
                (1, WH),
                (2, WD),
                register="向雨水管网、河道偷排污水",
                close="排放口封堵并依法处置",
            ),
            Sub(
                "露天焚烧",
                "cg",
                (1, WH),
                (4, WH),
                register="露天焚烧垃圾、秸秆",
                close="火源熄灭，现场清理",
            ),
        ),
    ),
    Top(
        "13",
        "食品药品",
        (
            Sub("无证食品经营", "scjg", register="无证经营食品", close="依法处置"),
            Sub("过期食品药品", "scjg", register="销售过期食品、药品", close="下架并依法处置"),
            Sub("校园周边食品安全", "scjg", register="校园周边售卖三无食品", close="依法处置"),
        ),
    ),
    Top(
        "14",
        "民生服务",
        (
            Sub("停水停电", "sz", register="非计划停水、停电", close="恢复供应或说明原因"),
            Sub(
                "入学咨询",
                "jy",
                (4, WH),
                (5, WD),
                register="群众入学政策咨询求助",
                close="答复群众",
            ),
            Sub(
                "医疗卫生服务",
                "wj",
                (4, WH),
                (5, WD),
                register="基层医疗、防疫服务需求",
                close="答复或落实服务",
            ),
        ),
    ),
    Top(
        "15",
        "基础信息变更",
        (
            Sub(
                "人口信息变更",
                "",
                (1, WD),
                (5, WD),
                register="人口迁入迁出、死亡等变化",
                close="信息更新",
            ),
            Sub(
                "房屋信息变更",
                "",
                (1, WD),
                (5, WD),
                register="房屋新建、拆除、用途变化",
                close="信息更新",
            ),
            Sub(
                "单位信息变更",
                "",
                (1, WD),
                (5, WD),
                register="单位、门店开业停业等变化",
                close="信息更新",
            ),
        ),
    ),
    Top(
        "16",
        "其他",
        (
            Sub(
                "其他问题",
                "",
                (4, WH),
                (5, WD),
                register="不属于上述类别但需要处理的问题",
                close="处理完毕",
            ),
            Sub(
                "非网格事项",
                "",
                (4, WH),
                (5, WD),
                admitted=False,
                register="不在网格化服务管理准入清单内的事项，应引导通过其他渠道办理",
                close="已告知办理渠道",
            ),
        ),
    ),
)

#: 2026 holidays and adjusted working days, per the State Council's notice for the year.
#: Later years are added in the admin (事件 › 工作日历) when the notice is published.
CALENDAR_2026: tuple[tuple[str, str, str], ...] = (
    *((f"2026-01-0{d}", CalendarDayKind.HOLIDAY, "元旦") for d in (1, 2, 3)),
    ("2026-01-04", CalendarDayKind.WORKDAY, "元旦调休上班"),
    ("2026-02-14", CalendarDayKind.WORKDAY, "春节调休上班"),
    *((f"2026-02-{d}", CalendarDayKind.HOLIDAY, "春节") for d in range(15, 24)),
    ("2026-02-28", CalendarDayKind.WORKDAY, "春节调休上班"),
    *((f"2026-04-0{d}", CalendarDayKind.HOLIDAY, "清明节") for d in (4, 5, 6)),
    *((f"2026-05-0{d}", CalendarDayKind.HOLIDAY, "劳动节") for d in range(1, 6)),
    ("2026-05-09", CalendarDayKind.WORKDAY, "劳动节调休上班"),
    *((f"2026-06-{d}", CalendarDayKind.HOLIDAY, "端午节") for d in (19, 20, 21)),
    ("2026-09-20", CalendarDayKind.WORKDAY, "国庆节调休上班"),
    *((f"2026-09-{d}", CalendarDayKind.HOLIDAY, "中秋节") for d in (25, 26, 27)),
    *((f"2026-10-0{d}", CalendarDayKind.HOLIDAY, "国庆节") for d in range(1, 8)),
    ("2026-10-10", CalendarDayKind.WORKDAY, "国庆节调休上班"),
)


def category_rows() -> list[dict[str, Any]]:
    """The catalogue flattened: top-level rows first, then sub-categories (code = top + 2 digits)."""
    rows: list[dict[str, Any]] = []
    for i, top in enumerate(CATALOGUE):
        rows.append(
            {"code": top.code, "name": top.name, "parent": None, "sort_order": (i + 1) * 100}
        )
    for i, top in enumerate(CATALOGUE):
        for j, sub in enumerate(top.subs):
            rows.append(
                {
                    "code": f"{top.code}{j + 1:02d}",
                    "name": sub.name,
                    "parent": top.code,
                    "sort_order": (i + 1) * 100 + j + 1,
                    "default_department_code": sub.dept,
                    "accept_limit": sub.accept[0],
                    "accept_unit": sub.accept[1],
                    "handle_limit": sub.handle[0],
                    "handle_unit": sub.handle[1],
                    "priority": sub.priority,
                    "admitted": sub.admitted,
                    "register_condition": sub.register,
                    "close_condition": sub.close,
                }
            )
    return rows


@dataclass
class SeedResult:
    categories: int = 0
    calendar_days: int = 0
    departments: int = 0


@transaction.atomic
def seed_catalogue(district: Region | str | None = None) -> SeedResult:
    """Create the missing catalogue entries, calendar days and (for ``district``) departments.

    Idempotent: existing rows are left exactly as they are.
    """
    result = SeedResult()
    by_code = {c.code: c for c in Category.objects.all()}
    for row in category_rows():
        if row["code"] in by_code:
            continue
        fields = dict(row)
        parent_code = fields.pop("parent")
        category = Category.objects.create(
            parent=by_code[parent_code] if parent_code else None, **fields
        )
        by_code[category.code] = category
        result.categories += 1
    existing_days = set(WorkCalendarDay.objects.values_list("date", flat=True))
    new_days = [
        WorkCalendarDay(date=date.fromisoformat(day), kind=kind, name=name)
        for day, kind, name in CALENDAR_2026
        if date.fromisoformat(day) not in existing_days
    ]
    WorkCalendarDay.objects.bulk_create(new_days)
    result.calendar_days = len(new_days)
    if district is not None:
        region = district if isinstance(district, Region) else Region.objects.get(code=district)
        have = set(Department.objects.filter(district=region).values_list("code", flat=True))
        for code, name in DEPARTMENTS.items():
            if code not in have:
                Department.objects.create(district=region, code=code, name=name)
                result.departments += 1
    return result
