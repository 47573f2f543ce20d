"""Rebuild the dashboards' aggregates from the events table.

wangge rebuild_dashboards                      everything, from the first event to today
wangge rebuild_dashboards --district 440704    one district
wangge rebuild_dashboards --days 400           the events reported in the last 400 days
wangge rebuild_dashboards --since 2026-01-01 --until 2026-03-31
wangge rebuild_dashboards --days 400 --enqueue the nightly reconcile, for the task worker
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wangge.dashboards.aggregates import reconcile
from wangge.lib import codes


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"不是有效的日期（YYYY-MM-DD）：{text}") from None


class Command(BaseCommand):
    help = "从事件表重建统计看板的汇总数据（按区、按月分批，每批一个事务）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--district", action="append", default=[], help="只重建这个区（可重复）"
        )
        parser.add_argument("--since", help="第一天（含），YYYY-MM-DD；默认为最早的事件")
        parser.add_argument("--until", help="最后一天（含），YYYY-MM-DD；默认为今天")
        parser.add_argument("--days", type=int, help="只重建最近 N 天上报的事件")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="不在此运行：把夜间核对任务放入任务队列（与 --days、--district 合用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        districts: list[str] = options["district"]
        for code in districts:
            if not codes.is_valid(code) or len(code) != 6:
                raise CommandError(f"不是区的编码：{code}")
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days 必须是正整数")
        if options["enqueue"]:
            from wangge.dashboards.tasks import DEFAULT_DAYS, reconcile_dashboards_task

            days = options["days"] or DEFAULT_DAYS
            wanted: list[str | None] = list(districts) or [None]
            for district in wanted:
                queued = reconcile_dashboards_task.enqueue(days=days, district=district)
                self.stdout.write(f"已放入任务队列：{queued.id}")
            return
        start = _day(options["since"]) if options["since"] else None
        end = _day(options["until"]) if options["until"] else today
        if options["days"] is not None:
            start = today - timedelta(days=options["days"] - 1)
        if start is not None and end < start:
            raise CommandError("结束日期不能早于开始日期")
        result = reconcile(start=start, end=end, districts=districts or None, say=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"已重建：{result.events:,} 件事件，{result.tallies:,} 行汇总，"
                f"{len(result.chunks)} 批，用时 {result.seconds:.1f} 秒"
                + (f"，整理（VACUUM）{result.vacuumed} 次" if result.vacuumed else "")
            )
        )
