"""The seeded data: 7 categories / 19 duties, the "553" items and a default scheme.

The seeds (Jianghai, 2022) name "7 类 19 项具体职责" and the "553" method
(五必知、五必访、三必到) without listing them; the lists below are a faithful
reconstruction from the duties the seeds and domain describe (docs/workforce.md).
Seeding only creates what is missing: an administrator's edits stay.
"""

from __future__ import annotations

from typing import Any

from wangge.workforce.choices import MethodKind

#: (category code, category name, [(duty code, duty name), …]) — 7 categories, 19 duties.
DUTIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "1",
        "基础信息采集",
        (
            ("1.1", "人口信息采集与动态更新"),
            ("1.2", "房屋、出租屋信息采集与核实"),
            ("1.3", "企业、商铺及组织信息采集"),
        ),
    ),
    (
        "2",
        "巡查走访",
        (
            ("2.1", "网格日常巡查"),
            ("2.2", "重点人群、特殊人群走访"),
            ("2.3", "入户访谈、收集社情民意"),
        ),
    ),
    (
        "3",
        "事件上报与处置",
        (
            ("3.1", "矛盾纠纷、安全隐患等事件发现上报"),
            ("3.2", "小微事件自行处置"),
            ("3.3", "事件现场核查与结果反馈"),
        ),
    ),
    (
        "4",
        "安全隐患排查",
        (
            ("4.1", "消防、燃气等安全隐患排查"),
            ("4.2", "协助台风、寒潮等应急处置"),
        ),
    ),
    (
        "5",
        "政策宣传与便民服务",
        (
            ("5.1", "政策法规宣传"),
            ("5.2", "代办、帮办便民服务"),
        ),
    ),
    (
        "6",
        "特殊人群服务管理",
        (
            ("6.1", "独居老人、残疾人、困难群众等关爱服务"),
            ("6.2", "协助社区矫正、重点人员服务管理"),
        ),
    ),
    (
        "7",
        "专项工作",
        (
            ("7.1", "疫情防控与离返报备核查"),
            ("7.2", "摸排、敲门行动等专项任务"),
            ("7.3", "文明城市创建与环境卫生督促"),
            ("7.4", "协助网格党建与基层组织工作"),
        ),
    ),
)

#: The "553" items: (code, kind, label).
METHOD_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("K1", MethodKind.KNOW, "网格内户数、人口底数必知"),
    ("K2", MethodKind.KNOW, "重点人群、特殊人群情况必知"),
    ("K3", MethodKind.KNOW, "出租屋及流动人口情况必知"),
    ("K4", MethodKind.KNOW, "企业商铺及安全隐患点必知"),
    ("K5", MethodKind.KNOW, "网格党组织、楼栋长及兼职网格员必知"),
    ("V1", MethodKind.VISIT, "独居、空巢、高龄老人必访"),
    ("V2", MethodKind.VISIT, "残疾人、低保及困难家庭必访"),
    ("V3", MethodKind.VISIT, "留守儿童家庭必访"),
    ("V4", MethodKind.VISIT, "社区矫正及重点人员必访"),
    ("V5", MethodKind.VISIT, "新迁入住户及反映诉求群众必访"),
    ("A1", MethodKind.ATTEND, "发生矛盾纠纷、突发事件必到"),
    ("A2", MethodKind.ATTEND, "群众遇重大变故、红白事必到"),
    ("A3", MethodKind.ATTEND, "台风、寒潮、疫情等应急时期必到"),
)


def seed_catalogue(apps: Any = None) -> tuple[int, int]:
    """Create the missing categories, duties, "553" items and default scheme."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    DutyCategory = apps.get_model("workforce", "DutyCategory")
    Duty = apps.get_model("workforce", "Duty")
    MethodItem = apps.get_model("workforce", "MethodItem")
    AssessmentScheme = apps.get_model("workforce", "AssessmentScheme")
    n = 0
    for i, (code, name, duties) in enumerate(DUTIES):
        category, _ = DutyCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": i}
        )
        for j, (duty_code, duty_name) in enumerate(duties):
            Duty.objects.get_or_create(
                code=duty_code,
                defaults={"category": category, "name": duty_name, "sort_order": i * 10 + j},
            )
            n += 1
    for k, (code, kind, label) in enumerate(METHOD_ITEMS):
        MethodItem.objects.get_or_create(
            code=code, defaults={"kind": kind, "label": label, "sort_order": k}
        )
    if not AssessmentScheme.objects.filter(district_code="").exists():
        AssessmentScheme.objects.create(name="默认考核方案", district_code="")
    return n, len(METHOD_ITEMS)
