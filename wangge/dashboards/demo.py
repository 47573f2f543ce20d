"""The dashboards' demo: aggregates of the demo district's events, built set-wise.

Seeded last: the demo's events went through the real actions, whose steps the
change feed would apply one batch at a time; one rebuild does it at once, and the
feed then starts after the last step (the seeder is the only writer).
"""

from __future__ import annotations

from wangge.dashboards import feed
from wangge.dashboards.aggregates import reconcile


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    result = reconcile(districts=[district_code])
    feed.skip_to_latest()
    return f"统计看板：{result.events:,} 件事件已汇总（{result.tallies:,} 行，{len(result.chunks)} 个月）"
