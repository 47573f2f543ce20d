"""Demo content on top of the demo district: the event catalogue and a few hundred events.

Events go through the real actions (report → register → dispatch → accept →
feedback → verify → close → return visit), so the demo's timelines, audit log
and figures look like a district's.  They are spread over the last ``DAYS`` days:
each step is taken on a simulated clock (``freezegun``), hours after the one
before, and a step that would fall after the present is not taken — the newest
events are still open, a few are overdue, and the trends, last month's
assessment and the reports have a history to show.  Deterministic for a given
seed and day.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.demo.seed import DEMO_DISTRICT, FIRST_GRID
from wangge.events import actions as ev
from wangge.events.catalogue import seed_catalogue
from wangge.events.models import Category, Event
from wangge.regions.models import Region

#: What residents and workers write, by sub-category (its name in the catalogue); a
#: sub-category without titles here is reported in the words of its registration condition.
TITLES: dict[str, list[str]] = {
    "暴露垃圾": ["巷口暴露垃圾无人清运", "垃圾桶满溢"],
    "积存垃圾渣土": ["绿化带堆放建筑垃圾", "空地渣土堆积多日"],
    "道路不洁": ["路面油污未清理"],
    "水域不洁": ["河涌水面漂浮垃圾"],
    "非法小广告": ["电线杆上乱贴小广告", "楼道墙面喷涂办证广告"],
    "违规户外广告": ["天桥上挂了未审批的横幅"],
    "广告招牌破损": ["户外广告牌破损摇晃"],
    "施工扰民": ["工地夜间施工噪音扰民"],
    "工地扬尘": ["工地未洒水扬尘很大"],
    "道路遗撒": ["渣土车未覆盖沿路洒落"],
    "无证掘路": ["路口有人擅自开挖路面"],
    "电线起火": ["公园电线起火冒烟", "变压器旁冒火花"],
    "路面塌陷": ["人行道路面下沉出现空洞"],
    "自来水管爆裂": ["路边水管爆裂跑水"],
    "燃气泄漏": ["楼道里闻到燃气味"],
    "道路积水": ["暴雨后路口积水过膝"],
    "无照经营游商": ["流动摊贩堵塞人行道"],
    "店外经营": ["店外占道经营"],
    "占道经营": ["早市摊位占用人行道"],
    "非机动车乱停放": ["共享单车乱停堵住路口"],
    "井盖破损/松动": ["井盖松动夜间车辆经过咣当作响", "井盖缺失存在安全隐患"],
    "路灯不亮": ["路灯不亮"],
    "交通护栏损坏": ["路口护栏被撞倒伏"],
    "消防栓损坏": ["消防栓漏水"],
    "垃圾箱破损": ["垃圾箱破损缺盖"],
    "邻里纠纷": ["邻里因漏水发生纠纷", "楼上噪音引发争吵"],
    "物业纠纷": ["业主与物业因停车收费起争执"],
    "劳资纠纷": ["工人反映工地拖欠工资"],
    "可疑人员物品": ["夜间有人撬车门", "路边发现无人认领的包裹"],
    "治安乱点": ["烧烤摊深夜聚众喧闹"],
    "涉赌涉黄线索": ["出租屋人员进出频繁疑似聚赌"],
    "消防通道堵塞": ["厂房消防通道堵塞", "车辆乱停占用消防通道"],
    "电动车违规充电": ["出租屋电动车楼道充电"],
    "危化品违规存放": ["住宅内存放多桶油漆稀料"],
    "燃气使用隐患": ["餐馆液化气瓶存放在厨房外"],
    "严重精神障碍患者异常": ["在册患者近日情绪异常"],
    "困难群众帮扶": ["独居老人多日未见出门", "残疾人家庭需要上门服务"],
    "社区矫正对象异常": ["矫正对象多日未按时报到"],
    "违法搭建": ["天台违规加建铁皮房", "一楼住户私自扩建围墙"],
    "擅自改变房屋结构": ["装修时拆改承重墙"],
    "噪声扰民": ["酒吧音响深夜扰民"],
    "油烟污染": ["餐馆油烟直排居民楼"],
    "污水偷排": ["小作坊向雨水井排放污水"],
    "露天焚烧": ["空地焚烧垃圾冒浓烟"],
    "无证食品经营": ["无证小食店卫生差"],
    "过期食品药品": ["流动摊贩售卖过期食品"],
    "校园周边食品安全": ["校门口售卖三无零食"],
    "停水停电": ["小区停水未通知"],
    "入学咨询": ["家长咨询新生入学材料"],
    "医疗卫生服务": ["老人咨询家庭医生签约"],
    "人口信息变更": ["新租户入住需要登记", "住户已搬离需要更新信息"],
    "房屋信息变更": ["旧楼拆除需要更新房屋信息"],
    "单位信息变更": ["门店已停业需要更新信息"],
    "其他问题": ["其他需要协调的问题"],
}


def title_of(sub: Category, rng: random.Random) -> str:
    """What a reporter would write about a problem of ``sub``."""
    titles = TITLES.get(sub.name) or [sub.register_condition or sub.name]
    return rng.choice(titles)


#: How far back the demo events go.
DAYS = 90

STREET_NAMES = ["礼华街", "金瓯路", "东海路", "五邑路", "龙溪路", "江睦路", "滘头大道", "外海大道"]


@dataclass
class ContentSummary:
    categories: int = 0
    events: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


class _Clock:
    """The simulated present of one event's steps: each step comes some hours after the
    one before, and none after the real present."""

    def __init__(self, frozen: Any, start: datetime, until: datetime) -> None:
        self.frozen, self.at, self.until = frozen, start, until

    def after(self, rng: random.Random, low: float, high: float) -> bool:
        """Move on ``low``–``high`` hours; False (and no move) when that is in the future."""
        at = self.at + timedelta(hours=rng.uniform(low, high))
        if at >= self.until:
            return False
        self.at = at
        self.frozen.move_to(at)
        return True


@contextmanager
def _simulated_time(start: datetime) -> Iterator[Any]:
    """Run the actions as if it were ``start`` (moved on with ``move_to``)."""
    if start >= timezone.now():  # pragma: no cover - only when DAYS is 0
        yield None
        return
    from freezegun import freeze_time

    with freeze_time(start, tick=True) as frozen:
        yield frozen


def _report_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """When each demo event is reported: more of them recently, in working hours."""
    today = timezone.localdate(now)
    out = []
    for _ in range(count):
        day = today - timedelta(days=int(rng.triangular(0, DAYS, 0)))
        at = timezone.make_aware(
            datetime.combine(day, time(8)) + timedelta(minutes=rng.randint(0, 11 * 60))
        )
        out.append(min(at, now - timedelta(minutes=rng.randint(5, 90))))
    return out


#: The share of the demo's events placed in the first grid (worker1's).
SHOWCASE_SHARE = 0.1


def _users(prefix: str) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith=prefix)}


def seed_demo_content(
    *, seed: int = 1, events: int = 240, stdout: Callable[[str], Any] | None = None
) -> ContentSummary:
    """Seed the catalogue and ``events`` demo events in the demo district."""
    summary = ContentSummary()
    result = seed_catalogue(DEMO_DISTRICT)
    summary.categories = Category.objects.filter(parent__isnull=False).count()
    if stdout:
        stdout(f"事件目录：{summary.categories} 个小类（新增 {getattr(result, 'categories', 0)}）")
    if Event.objects.filter(district_code=DEMO_DISTRICT).exists():
        return summary
    rng = random.Random(f"wangge-demo:{seed}:events")
    titles = random.Random(f"wangge-demo:{seed}:titles")  # apart: the events stay as they were
    subs = list(
        Category.objects.filter(parent__isnull=False, admitted=True)
        .select_related("parent")
        .order_by("code")
    )
    units: list[tuple[str, float, float, str]] = [
        (code, lng, lat, name)
        for code, lng, lat, name in Region.objects.filter(
            level="unit",
            code__startswith=DEMO_DISTRICT,
            point_lng__isnull=False,
            point_lat__isnull=False,
        )
        .order_by("code")
        .values_list("code", "point_lng", "point_lat", "name")
        if lng is not None and lat is not None
    ]
    workers = _users("gw")
    # The first grid's workers are the demo's worker1 and worker2 (not gw…a/b).
    for suffix, username in (("a", "worker1"), ("b", "worker2")):
        user = User.objects.filter(username=username).first()
        if user is not None:
            workers[f"gw{FIRST_GRID}{suffix}"] = user
    # A tenth of the events happen in that grid, so whoever signs in as worker1 has work.
    showcase = [u for u in units if u[0].startswith(FIRST_GRID)]
    where = random.Random(f"wangge-demo:{seed}:showcase")
    dispatchers = {
        u.username: u for u in User.objects.filter(username__in=["street1", "street2", "street3"])
    }
    street_of = {
        code: dispatchers[name]
        for name, code in zip(
            ["street1", "street2", "street3"],
            sorted(
                Region.objects.filter(level="street", code__startswith=DEMO_DISTRICT).values_list(
                    "code", flat=True
                )
            ),
            strict=False,
        )
        if name in dispatchers
    }
    depts = _users("dept-")
    resident = User.objects.filter(username="resident").first()
    if not subs or not units or not workers:
        return summary

    now = timezone.now()
    times = _report_times(rng, events, now)
    with transaction.atomic(), _simulated_time(min(times, default=now)) as frozen:
        for i in range(events):
            clock = _Clock(frozen, times[i], now)
            if frozen is not None:
                frozen.move_to(times[i])
            sub = rng.choice(subs)
            unit_code, lng, lat, unit_name = rng.choice(units)
            if showcase and where.random() < SHOWCASE_SHARE:
                unit_code, lng, lat, unit_name = where.choice(showcase)
            grid = unit_code[:15]
            worker = workers.get(f"gw{grid}a") or workers.get(f"gw{grid}b")
            if worker is None:
                continue
            by_resident = resident is not None and rng.random() < 0.2
            reporter = resident if by_resident else worker
            title = title_of(sub, titles)
            street = rng.choice(STREET_NAMES)
            report = ev.do_report_event(
                actor=reporter,
                category=sub.code,
                title=title,
                description=f"{street}{rng.randint(1, 200)}号附近（{unit_name}）：{title}。",
                lng=lng,
                lat=lat,
                address=f"江海区{street}{rng.randint(1, 200)}号",
                reporter_contact=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
                if by_resident
                else "",
                request_id=f"demo-{seed}-{i}",
            )
            event = report.event
            stage = rng.random()
            if not by_resident and stage < 0.15 and clock.after(rng, 0.2, 2):
                ev.do_self_handle_event(event, actor=worker, note="已现场处置完毕")
                continue
            if stage < 0.25 or not clock.after(rng, 0.3, 4):
                continue  # waiting for the command centre
            dispatcher = street_of.get(grid[:9])
            if dispatcher is None:
                continue
            event = ev.do_register_event(event, actor=dispatcher)
            clock.after(rng, 0.05, 0.5)  # no later than now: the step before was earlier
            chosen = None if sub.default_department_code else rng.choice(["cg", "sz", "zj", "ga"])
            event = ev.do_dispatch_event(event, actor=dispatcher, department=chosen)
            if stage < 0.35 or not clock.after(rng, 0.5, 8):
                continue
            dept = event.current_department
            dept_user = depts.get(f"dept-{dept.code}") if dept else None
            if dept_user is None:
                continue
            event = ev.do_accept_event(event, actor=dept_user, note="已受理")
            if stage < 0.5 or not clock.after(rng, 4, 60):
                continue
            event = ev.do_feedback_event(event, actor=dept_user, note="已安排人员处置完毕")
            if stage < 0.6 or not clock.after(rng, 1, 20):
                continue
            event = ev.do_verify_event(event, actor=worker, passed=stage > 0.63, note="现场核查")
            if stage < 0.75 or not clock.after(rng, 2, 30):
                continue
            ev.do_return_visit_event(
                event,
                actor=dispatcher,
                contacted=True,
                solved=True,
                satisfaction=rng.choice(
                    ["satisfied", "satisfied", "satisfied", "basically", "dissatisfied"]
                ),
                note="电话回访",
            )
    for state in Event.objects.filter(district_code=DEMO_DISTRICT).values_list("state", flat=True):
        summary.by_state[state] = summary.by_state.get(state, 0) + 1
    summary.events = sum(summary.by_state.values())
    if stdout:
        stdout(f"演示事件：{summary.events} 件 {summary.by_state}")
    return summary
