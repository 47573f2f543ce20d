"""Demo Open311 data for a district: the default service attributes, a key, a few requests.

``seed_demo("440704")`` (after the hierarchy, accounts and event catalogue are seeded):

1. the default service attributes (``seed_service_attributes``);
2. an API key for "12345 热线（演示）" — its clear key is not kept: make a usable one with
   ``wangge open311_key --district 440704 --name …``;
3. a few service requests through ``do_submit_request`` at points of the district's units,
   as a hotline would send them (with the caller's phone, stored encrypted).

The same seed gives the same requests.  A district whose demo key exists is left alone.
"""

from __future__ import annotations

import random

from wangge.open311.actions import SubmitInput, do_create_api_key, do_submit_request
from wangge.open311.catalogue import seed_service_attributes
from wangge.open311.models import ApiKey
from wangge.regions.models import Region

DEMO_KEY_NAME = "12345 热线（演示）"

#: (service code, description, attributes, address)
DEMO_REQUESTS: tuple[tuple[str, str, dict[str, list[str]], str], ...] = (
    (
        "0601",
        "来电反映：小区门口的井盖松动，电动车经过时会翘起",
        {"danger": ["high"], "detail": ["门口保安亭旁边"]},
        "小区南门",
    ),
    (
        "0602",
        "来电反映：路口两盏路灯连续三晚不亮，晚上过马路很危险",
        {"danger": ["some"]},
        "十字路口",
    ),
    (
        "0101",
        "来电反映：绿化带旁堆了很多装修垃圾，已经好几天没人清运",
        {"volume": ["large"]},
        "绿化带旁",
    ),
    ("0301", "来电反映：工地晚上十一点后还在打桩，严重影响休息", {}, "在建工地东侧"),
)


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """Load the Open311 demo set for ``district_code``; one line saying what was made."""
    seeded = seed_service_attributes()
    if ApiKey.objects.filter(district__code=district_code, name=DEMO_KEY_NAME).exists():
        return (
            f"Open311：{district_code} 已有演示密钥，跳过（服务属性新增 {seeded.attributes} 个）。"
        )
    key, _raw = do_create_api_key(district=district_code, name=DEMO_KEY_NAME, actor=None)
    points = list(
        Region.objects.filter(level="unit", code__startswith=district_code, point_lng__isnull=False)
        .order_by("code")
        .values_list("point_lng", "point_lat")[:500]
    )
    rng = random.Random(seed)  # noqa: S311 - demo data
    made = 0
    for index, (code, description, attributes, address) in enumerate(DEMO_REQUESTS):
        if not points:
            break
        lng, lat = rng.choice(points)
        do_submit_request(
            key,
            SubmitInput(
                service_code=code,
                lat=str(lat),
                long=str(lng),
                address_string=address,
                attributes=attributes,
                description=description,
                phone=f"1390000{rng.randint(1000, 9999)}",
                device_id="hotline-12345",
                request_id=f"demo-{seed}-{index}",
            ),
        )
        made += 1
    return (
        f"Open311：服务属性新增 {seeded.attributes} 个，演示密钥 1 把（{key.prefix}…），"
        f"热线转入的服务请求 {made} 条。"
    )
