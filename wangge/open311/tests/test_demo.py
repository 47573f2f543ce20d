"""The demo set: attributes, a key, a few hotline requests; run twice, made once."""

from __future__ import annotations

from wangge.events.models import Event
from wangge.open311.demo import DEMO_REQUESTS, seed_demo
from wangge.open311.models import ApiKey, ServiceAttribute, ServiceRequest

from .conftest import J, data, get


def test_the_demo_seeds_once(ew):
    summary = seed_demo(J)
    assert "演示密钥 1 把" in summary and f"服务请求 {len(DEMO_REQUESTS)} 条" in summary
    assert ServiceAttribute.objects.filter(category_id="0601").count() == 2
    key = ApiKey.objects.get(district__code=J)
    assert ServiceRequest.objects.filter(api_key=key).count() == len(DEMO_REQUESTS)
    events = Event.objects.filter(reporter=key.user)
    assert events.count() == len(DEMO_REQUESTS)
    assert all(e.district_code == J and e.source == "resident" for e in events)
    listed = data(get("requests", jurisdiction_id=J))
    assert {r["service_code"] for r in listed} == {code for code, *_ in DEMO_REQUESTS}
    assert "跳过" in seed_demo(J)
    assert ServiceRequest.objects.count() == len(DEMO_REQUESTS)
