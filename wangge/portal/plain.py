"""The default plain-language choices: how residents name a problem → a sub-category.

``seed_plain_choices()`` adds the missing ones (by label) for the sub-categories
that exist; the table is then the administrators' (admin: 居民端问题类型).
"""

from __future__ import annotations

from django.db import transaction

from wangge.events.models import Category
from wangge.portal.models import PlainChoice

#: (label, hint, sub-category code)
PLAIN_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("井盖松动、破损或丢失", "车一过就哐哐响、井盖缺了或翘起", "0601"),
    ("路灯不亮", "晚上不亮、白天常亮、灯杆歪倒", "0602"),
    ("护栏、消防栓、垃圾箱等设施损坏", "护栏倒了、消防栓漏水、垃圾箱破了", "0603"),
    ("垃圾没人清、路面脏", "垃圾堆放、渣土、道路不洁", "0101"),
    ("乱贴小广告", "墙上、电线杆上的小广告", "0201"),
    ("施工扰民、工地扬尘", "夜间施工太吵、工地尘土飞扬", "0301"),
    ("路面塌陷、水管爆裂、道路积水", "路上有坑、水管漏水、下雨积水", "0402"),
    ("占道摆摊、乱停车", "摊贩占道、非机动车乱停", "0503"),
    ("噪音、油烟扰民", "噪声、饭店油烟", "1201"),
    ("消防通道堵塞、楼道充电", "通道被占、电动车在楼道充电", "0901"),
    ("邻里纠纷", "邻居之间的矛盾", "0701"),
    ("违章搭建", "私搭乱建、擅自改变房屋结构", "1101"),
    ("停水停电", "家里或小区停水停电", "1401"),
    ("其他问题", "以上都不是", "1601"),
)


@transaction.atomic
def seed_plain_choices() -> int:
    """Add the default choices missing from the table; how many were added."""
    known = set(PlainChoice.objects.values_list("label", flat=True))
    categories = {
        c.code: c
        for c in Category.objects.filter(
            code__in=[code for _, _, code in PLAIN_CHOICES], parent__isnull=False
        )
    }
    rows = [
        PlainChoice(label=label, hint=hint, category=categories[code], sort=(i + 1) * 10)
        for i, (label, hint, code) in enumerate(PLAIN_CHOICES)
        if label not in known and code in categories
    ]
    PlainChoice.objects.bulk_create(rows)
    return len(rows)
