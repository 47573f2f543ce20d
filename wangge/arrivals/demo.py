"""Demo arrival reports for a district: a few people arriving at the first grid, one late.

Run after the hierarchy, accounts and people are seeded.  The reports go
through the real actions (follow-ups, person matching, audit rows); one of them
is a registered resident coming back (matched by ID number), one came in 15
hours after arriving (late), and two arrive together under a group code.
Deterministic for a given seed; a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from wangge.accounts.scope import prefix_q
from wangge.arrivals import actions
from wangge.arrivals.models import ArrivalGroup, ArrivalReport
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

#: (name, ID number birth and serial, phone, origin, origin code, travel mode, hours ago)
#: A negative "hours ago" is an arrival still to come (reported in advance).
PEOPLE: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    ("黄嘉欣", "19990312021", "13726031288", "广州市天河区", "440106", "train", 3),
    ("梁志强", "19850721153", "13902264417", "湖南省长沙市", "430100", "coach", 15),
    ("陈晓彤", "20010908046", "15013380952", "深圳市南山区", "440305", "self_drive", -20),
    ("吴国栋", "19780130117", "18923607731", "广西梧州市", "450400", "train", 6),
)
STREETS = ("礼华街", "金瓯路", "东海路", "五邑路")


def _id_number(born_serial: str, rng: random.Random) -> str:
    from stdnum.cn import ric

    place = rng.choice(["440106", "430102", "440305", "450403"])
    body = f"{place}{born_serial[:8]}{born_serial[8:]}"
    return body + ric.calc_check_digit(body + "0")


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """A few arrival reports (one late, one matched, a group of two) in ``district_code``."""
    prefix = f"demo-{district_code}-"
    if ArrivalReport.objects.filter(client_request_id__startswith=prefix).exists():
        return f"离返报备：{district_code} 已有演示数据"
    units = list(
        Region.objects.filter(prefix_q("code", [district_code]), level=RegionLevel.UNIT)
        .order_by("code")
        .values_list("code", flat=True)[:12]
    )
    if not units:
        return f"离返报备：{district_code} 没有最小单元，未生成"
    rng = random.Random(f"wangge-demo:{seed}:arrivals:{district_code}")  # noqa: S311
    now = timezone.now().replace(second=0, microsecond=0)
    created = late = matched = 0
    with transaction.atomic():
        for i, (name, born, phone, origin, origin_code, mode, hours) in enumerate(PEOPLE):
            result = actions.do_report_arrival(
                actor=None,
                name=name,
                id_number=_id_number(born, rng),
                phone=phone,
                unit_code=units[i % len(units)],
                address=f"{rng.choice(STREETS)}{rng.randint(1, 180)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}房",
                arrival_at=now - timedelta(hours=hours),
                origin=origin,
                origin_code=origin_code,
                travel_mode=mode,
                note="春节返乡" if i == 0 else "",
                request_id=f"{prefix}{seed}-{i}",
                now=now,
            )
            created += 1
            late += result.report.is_late
        # A registered resident of the district coming back: matched by the ID number.
        from wangge.people.models import Person

        resident = (
            Person.objects.filter(prefix_q("region_code", [district_code]))
            .exclude(id_number_hash="")
            .order_by("region_code", "pk")
            .first()
        )
        if resident is not None:
            result = actions.do_report_arrival(
                actor=None,
                name=resident.name,
                id_number=resident.id_number,
                phone=resident.phone or "13800138000",
                unit_code=resident.region_code,
                address=resident.residence_address or "家中",
                arrival_at=now - timedelta(hours=1),
                origin="上海市浦东新区",
                origin_code="310115",
                travel_mode="plane",
                request_id=f"{prefix}{seed}-resident",
                now=now,
            )
            created += 1
            matched += result.report.person_id is not None
        group = actions.do_create_group(
            actor=None,
            name="江海区某电子厂返岗员工",
            organiser_name="赵经理",
            organiser_phone="13631880012",
            unit_code=units[-1],
            address="工业园宿舍3栋",
            request_id=f"{prefix}{seed}-group",
            now=now,
        ).group
        actions.do_report_group(
            group,
            actor=None,
            rows=[
                actions.RowIn(name="刘佳怡", phone="13580021143", address="宿舍3栋201"),
                actions.RowIn(name="周建华", phone="13680047762", address="宿舍3栋305"),
            ],
            arrival_at=now - timedelta(hours=2),
            origin="江西省赣州市",
            origin_code="360700",
            travel_mode="coach",
            request_id=f"{prefix}{seed}-group-1",
            now=now,
        )
        created += 2
    groups = ArrivalGroup.objects.filter(district_code=district_code).count()
    return (
        f"离返报备：{created} 份（逾期 {late} 份，关联在册人员 {matched} 人），团体码 {groups} 个"
    )
