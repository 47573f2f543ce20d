"""The default attributes of a few services, seeded idempotently (like the event catalogue).

``seed_service_attributes()`` creates the missing ones for the categories that exist;
an administrator's edits (in the admin) stay.  Run by ``wangge open311_key`` and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from wangge.events.models import Category
from wangge.open311.choices import Datatype
from wangge.open311.models import ServiceAttribute


@dataclass(frozen=True)
class Attr:
    code: str
    description: str
    datatype: str = Datatype.STRING
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()


DANGER = Attr(
    "danger",
    "是否已造成危险？",
    Datatype.SINGLEVALUELIST,
    required=True,
    datatype_description="选择一项",
    values=(
        ("high", "有明显危险（可能伤人、损车）"),
        ("some", "存在隐患"),
        ("none", "暂无危险"),
    ),
)
DETAIL = Attr(
    "detail",
    "补充说明（位置标志、现场情况等）",
    Datatype.TEXT,
    datatype_description="不超过 500 字",
)
VOLUME = Attr(
    "volume",
    "垃圾大约有多少？",
    Datatype.SINGLEVALUELIST,
    values=(("small", "少量（几袋）"), ("cart", "一车以内"), ("large", "超过一车")),
)
GAS_NOTICE = Attr(
    "notice",
    "闻到燃气味请立即远离，不要开关电器、不要使用明火，并拨打 119。",
    variable=False,
)
SINCE = Attr(
    "since",
    "从什么时候开始？",
    Datatype.DATETIME,
    datatype_description="日期时间，如 2026-07-01T20:00:00+08:00",
)

#: category code (or a top-level code: all its sub-categories) → attributes in order.
DEFAULT_ATTRIBUTES: dict[str, tuple[Attr, ...]] = {
    "06": (DANGER, DETAIL),  # 部件问题: 井盖、路灯、护栏、消防栓、垃圾箱
    "0101": (VOLUME, DETAIL),  # 暴露垃圾
    "0301": (SINCE, DETAIL),  # 施工扰民
    "0404": (GAS_NOTICE, DETAIL),  # 燃气泄漏
}


@dataclass
class SeedResult:
    attributes: int = 0
    categories: list[str] = field(default_factory=list)


def _rows() -> dict[str, tuple[Attr, ...]]:
    """Sub-category code → its attributes, for the categories present."""
    wanted: dict[str, tuple[Attr, ...]] = {}
    codes = list(DEFAULT_ATTRIBUTES)
    subs = Category.objects.filter(parent__isnull=False).filter(
        code__in=codes
    ) | Category.objects.filter(parent__code__in=codes)
    for code, parent_code in subs.values_list("code", "parent__code"):
        attrs = DEFAULT_ATTRIBUTES.get(code) or DEFAULT_ATTRIBUTES.get(parent_code or "")
        if attrs:
            wanted[code] = attrs
    return wanted


@transaction.atomic
def seed_service_attributes() -> SeedResult:
    """Create the default attributes that are missing; existing rows are left alone."""
    result = SeedResult()
    existing: set[tuple[str, str]] = set()
    taken: dict[str, set[int]] = {}
    rows = ServiceAttribute.objects.values_list("category__code", "code", "order")
    for category_code, attr_code, order in rows:
        existing.add((category_code, attr_code))
        taken.setdefault(category_code, set()).add(order)
    new: list[ServiceAttribute] = []
    for code, attrs in sorted(_rows().items()):
        for position, attr in enumerate(attrs, start=1):
            if (code, attr.code) in existing:
                continue
            used = taken.setdefault(code, set())
            order = position
            while order in used:
                order += 1
            used.add(order)
            values: list[dict[str, Any]] = [{"key": k, "name": n} for k, n in attr.values]
            new.append(
                ServiceAttribute(
                    category_id=code,
                    code=attr.code,
                    variable=attr.variable,
                    datatype=attr.datatype,
                    required=attr.required,
                    datatype_description=attr.datatype_description,
                    order=order,
                    description=attr.description,
                    values=values,
                )
            )
            if code not in result.categories:
                result.categories.append(code)
    ServiceAttribute.objects.bulk_create(new)
    result.attributes = len(new)
    return result
