"""The dashboards' demo: aggregates of the demo district's events, built set-wise.

The demo events go through the real actions, whose ``event_changed`` signals
keep the aggregates already; the rebuild makes sure whatever was loaded before
this app existed (or with the signal disconnected) is counted too.
"""

from __future__ import annotations

from wangge.dashboards.aggregates import reconcile


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    result = reconcile(districts=[district_code])
    return f"统计看板：{result.events:,} 件事件已汇总（{result.tallies:,} 行，{len(result.chunks)} 个月）"
