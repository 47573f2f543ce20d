"""Demo suggestions (金点子) and a published draft (立法联系点) for a district.

``seed_demo("440704")`` (after the hierarchy and accounts are seeded) stores a dozen
suggestions about the district's communities, submitted by the demo resident, in every
state of the life cycle (handled by each street's command centre), two liaison points and
a published draft sent to both, with opinions collected online and on paper, some answered.
The same seed gives the same rows.  A district that already has suggestions is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import Assignment, User
from wangge.accounts.scope import prefix_q
from wangge.regions.models import Region
from wangge.suggestions import actions, selectors
from wangge.suggestions.choices import Topic
from wangge.suggestions.models import Suggestion

IDEAS = (
    (
        "增设电动自行车集中充电桩",
        Topic.COMMUNITY,
        "楼道里私拉电线给电动车充电，存在火灾隐患，建议在小区空地增设集中充电桩。",
    ),
    ("公交站增设遮雨棚", Topic.TRAFFIC, "社区门口公交站没有遮雨棚，雨天老人孩子候车不便。"),
    (
        "河涌沿岸增设垃圾分类投放点",
        Topic.ENVIRONMENT,
        "河涌步道人流多，垃圾桶少，建议增设分类投放点并定时清运。",
    ),
    (
        "老旧小区加装电梯",
        Topic.SERVICES,
        "小区多为七层步梯楼，老人上下楼困难，建议统一组织加装电梯。",
    ),
    (
        "学校周边早晚高峰交通疏导",
        Topic.TRAFFIC,
        "上学放学时段学校门口拥堵，建议安排志愿者疏导并划设临时停车区。",
    ),
    ("社区长者饭堂延长供餐时间", Topic.SERVICES, "长者饭堂只供午餐，建议增加晚餐供应。"),
    ("夜市占道经营规范管理", Topic.CITY, "夜市摊档占用人行道，建议划线经营、定时收摊。"),
    (
        "设立流动党员议事角",
        Topic.COMMUNITY,
        "流动党员希望有固定场所参与社区议事，建议在党群服务中心设立议事角。",
    ),
    ("公园增设儿童游乐设施", Topic.SERVICES, "公园缺少儿童游乐设施，周末孩子无处可玩。"),
    ("背街小巷路灯补装", Topic.CITY, "背街小巷夜间照明不足，建议补装路灯。"),
    ("农贸市场周边污水整治", Topic.ENVIRONMENT, "市场排水沟堵塞发臭，建议整治。"),
    ("网格员联系方式上墙公示", Topic.OTHER, "建议在每栋楼公示网格员姓名和电话，方便居民联系。"),
)
#: What becomes of each suggestion, in order: the last steps it goes through.
PATHS = (
    "submitted",
    "triaged",
    "rejected",
    "adopted",
    "in_progress",
    "done",
    "not_adopted",
    "done",
    "triaged",
    "submitted",
    "in_progress",
    "adopted",
)
OPINIONS = (
    ("第八条", "建议明确业主大会首次会议的召集期限，避免长期无人召集。"),
    ("第十五条", "物业服务收费标准应定期公示，并接受业主监督。"),
    ("第二十二条", "建议增加物业企业退出时的交接程序和期限。"),
    ("", "希望增加对老旧小区无物业管理情况的兜底规定。"),
    ("第三十条", "公共收益的使用应经业主大会表决并每半年公布。"),
    ("第十二条", "业主委员会成员应当公示联系方式。"),
)
PAPER_AUTHORS = ("黄伯", "李阿姨", "陈先生", "梁女士")


def _handler(street: str) -> Any:
    found = (
        Assignment.objects.filter(
            role__slug="dispatcher", region__code=street, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return found.user if found else None


def _district_manager(district_code: str) -> Any:
    found = (
        Assignment.objects.filter(
            role__slug="dispatcher", region__code=district_code, is_active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return found.user if found else None


def _point_staff(community: str) -> Any:
    found = (
        Assignment.objects.filter(
            role__slug="community_staff", region__code=community, is_active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return found.user if found else None


def _walk(s: Suggestion, target: str, handler: Any, rng: random.Random) -> None:
    if target == "submitted":
        return
    if target == "rejected":
        actions.do_reject_suggestion(
            s, actor=handler, reason="属于个人诉求，请通过事件上报渠道反映。"
        )
        return
    actions.do_triage_suggestion(s, actor=handler, node=s.node[:9], note="请街道综治中心研究办理")
    if target == "triaged":
        return
    adopted = target != "not_adopted"
    answer = (
        "感谢您的建议，经研究予以采纳，将纳入近期工作计划。"
        if adopted
        else "感谢您的建议，经研究暂不具备实施条件，已记录在案。"
    )
    actions.do_answer_suggestion(s, actor=handler, adopted=adopted, answer=answer)
    if target in ("adopted", "not_adopted"):
        return
    actions.do_start_suggestion(s, actor=handler, note="已安排专人跟踪落实")
    if target == "done":
        actions.do_complete_suggestion(
            s, actor=handler, note=rng.choice(["已完成建设并投入使用", "已完成整治，居民反映良好"])
        )


def seed_demo(district_code: str, *, seed: int) -> str:
    if Suggestion.objects.filter(prefix_q("node", [district_code])).exists():
        return "金点子：已有数据，跳过"
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    communities = list(
        Region.objects.filter(prefix_q("code", [district_code]), level="community")
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not communities:
        return "金点子：没有社区，跳过"
    resident = User.objects.filter(username="resident", is_active=True).first()
    with transaction.atomic():
        count = 0
        for n, ((title, topic, content), target) in enumerate(zip(IDEAS, PATHS, strict=True)):
            node = communities[(n * 7) % len(communities)]
            result = actions.do_submit_suggestion(
                actor=None,
                title=title,
                content=content,
                topic=topic,
                node=node,
                contact=f"138{rng.randrange(10**8):08d}",
                anonymous=n % 4 == 3,
            )
            s = result.suggestion
            if resident is not None and n % 2 == 0:
                # The demo resident's own: the "my suggestions" list has something to show.
                Suggestion.objects.filter(pk=s.pk).update(
                    submitter=resident, submitter_label=str(resident)
                )
                s.submitter, s.submitter_label = resident, str(resident)
            _walk(s, target, _handler(node[:9]), rng)
            count += 1
        points = [
            actions.do_create_liaison_point(
                actor=None,
                name=f"{Region.objects.get(code=code).name}基层立法联系点",
                node=code,
                address="党群服务中心二楼",
                contact_name=rng.choice(["李明", "张敏", "何伟"]),
                contact_phone=f"139{rng.randrange(10**8):08d}",
            )
            for code in dict.fromkeys([communities[0], communities[-1]])
        ]
        manager = _district_manager(district_code)
        draft = actions.do_create_draft(
            actor=None,
            title="《广东省物业管理条例（修订草案征求意见稿）》",
            body="第一条 为了规范物业管理活动，维护业主、物业服务人的合法权益……\n（全文略）",
            issuing_body="广东省人大常委会法制工作委员会",
            deadline=timezone.now() + timedelta(days=20),
            points=[p.pk for p in points],
            node=district_code,
        )
        actions.do_publish_draft(draft, actor=manager)
        opinions = 0
        for n, (article, content) in enumerate(OPINIONS):
            point = points[n % len(points)]
            staff = _point_staff(point.node)
            on_paper = (
                resident is None
                or n % 2 == 1
                or point not in selectors.opinion_points(resident, draft)
            )
            result_o = actions.do_submit_opinion(
                draft,
                actor=staff if on_paper else resident,
                point=point.pk,
                content=content,
                article=article,
                author_name=PAPER_AUTHORS[n % len(PAPER_AUTHORS)] if on_paper else "",
            )
            if n < 3:
                actions.do_answer_opinion(
                    result_o.opinion,
                    actor=manager,
                    adopted=n != 1,
                    answer="已吸收，将在修改稿中体现。" if n != 1 else "已有相关规定，不予采纳。",
                )
            opinions += 1
    return f"金点子：{count} 条建议；立法联系点 {len(points)} 个，草案 1 部，意见 {opinions} 条"
