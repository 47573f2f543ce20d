"""Kinds of "553" items, roles counted on a grid's roster and the assessment components."""

from __future__ import annotations

from django.db import models


class MethodKind(models.TextChoices):
    """The "553" work method: 五必知、五必访、三必到."""

    KNOW = "know", "五必知"
    VISIT = "visit", "五必访"
    ATTEND = "attend", "三必到"


#: Roles on a grid's roster (一格两员), by slug of the role table.
FULL_TIME = "grid_worker"
PART_TIME = "part_time_worker"
DEPT_MEMBER = "dept_member"
LIAISON = "liaison_leader"
ROSTER_ROLES = (FULL_TIME, PART_TIME, DEPT_MEMBER, LIAISON)
#: Roles whose holders count as a grid's members for the 一格两员 check (a liaison leader
#: oversees the grid but does not work it).
MEMBER_ROLES = (FULL_TIME, PART_TIME, DEPT_MEMBER)


class Component(models.TextChoices):
    """The figures a grid worker's monthly score is made of."""

    REPORTED = "reported", "上报事件"
    SELF_HANDLED = "self_handled", "自行处置"
    VERIFICATION = "verification", "核查时效"
    VISITS = "visits", "走访及时"
    CAMPAIGNS = "campaigns", "摸排覆盖"
    FRESHNESS = "freshness", "基础数据鲜活"
    SATISFACTION = "satisfaction", "群众满意"
