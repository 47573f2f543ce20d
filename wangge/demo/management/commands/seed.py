from __future__ import annotations

import unicodedata
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.actions import AccountError
from wangge.demo.hierarchy import SCALES
from wangge.demo.residents import DEFAULT_PEOPLE, seed_residents
from wangge.demo.residents import summary_lines as residents_summary
from wangge.demo.seed import DEMO_DISTRICT, FIRST_GRID, SeedError, SeedSummary, seed_demo
from wangge.regions.actions import RegionImportError
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

LEVEL_LABELS = {
    RegionLevel.DISTRICT: "区",
    RegionLevel.STREET: "街道/镇",
    RegionLevel.COMMUNITY: "村/社区",
    RegionLevel.GRID: "网格",
    RegionLevel.UNIT: "最小单元",
}


class Command(BaseCommand):
    help = (
        "载入演示数据（确定性：同一 --seed 得到同样的编码、名称、范围和用户名）。"
        "--scale demo：江海区（440704），3 个街道、30 个村/社区、190 个网格、2,590 个最小单元，"
        "各职能部门、演示账号，每个网格两名专职网格员、每个最小单元一名兼职网格员，"
        "以及 300,000 名居民（--residents）：房屋、房间、出租屋、户、入住登记与特殊人群。"
        "--scale city：5 个区约 12,000 个网格（每格 4 个最小单元）的城市规模数据，用于性能测试；"
        "只创建各区职能部门和演示账号（挂在江海区），不批量创建网格员。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="demo", help="数据规模（默认 demo）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有任何区划时什么也不做"
        )
        parser.add_argument(
            "--events",
            type=int,
            default=240,
            help="演示规模下生成的演示事件数（默认 240；0 为不生成，也不载入走访摸排等演示数据）",
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"演示规模下生成的居民人数（默认 {DEFAULT_PEOPLE:,}，连同房屋、房间、户与入住登记；"
            "0 为不生成）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Region.objects.exists():
            self.stdout.write("数据库中已有区划数据，跳过演示数据载入。")
            return
        try:
            summary = seed_demo(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
        except (SeedError, RegionImportError, AccountError) as exc:
            raise CommandError(str(exc)) from exc
        if options["scale"] == "demo":
            from wangge.demo.content import seed_demo_content

            seed_demo_content(
                seed=options["seed"], events=options["events"], stdout=self.stdout.write
            )
            call_command("seed_basedata", DEMO_DISTRICT, seed=options["seed"], stdout=self.stdout)
            if options["residents"] > 0:
                residents = seed_residents(
                    [DEMO_DISTRICT],
                    people=options["residents"],
                    seed=options["seed"],
                    showcase_grid=FIRST_GRID,
                    background=True,  # PostgreSQL: write while generating
                    say=self.stdout.write,
                )
                for line in residents_summary(residents):
                    self.stdout.write(line)
            # Field work makes events of its own (help requests, escalated hazards, hotline
            # reports): not when the demo was asked for without events (the benches).
            if options["events"] > 0:
                for line in seed_field_work(DEMO_DISTRICT, seed=options["seed"]):
                    self.stdout.write(line)
        self._print(summary)

    def _print(self, summary: SeedSummary) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"演示数据已载入（规模 {summary.scale}，种子 {summary.seed}，用时 {summary.seconds:.1f} 秒）"
            )
        )
        counts = [(label, summary.regions.get(level, 0)) for level, label in LEVEL_LABELS.items()]
        counts += [
            ("职能部门", summary.departments),
            ("用户", summary.users),
            ("角色分配", summary.assignments),
        ]
        for label, count in counts:
            out.write(f"  {_pad(label, 10)}{count:>8,}")
        out.write("")
        if settings.DEMO_PASSWORD == "wangge-demo":  # noqa: S105 - the documented default
            out.write("演示账号（密码均为 wangge-demo）：")
        else:
            out.write("演示账号（密码均为环境变量 WANGGE_DEMO_PASSWORD 的值）：")
        user_width = max(len(username) for username, _, _ in summary.accounts) + 2
        name_width = max(_width(name) for _, name, _ in summary.accounts) + 2
        out.write(f"  {_pad('账号', user_width)}{_pad('名称', name_width)}角色")
        for username, name, description in summary.accounts:
            out.write(f"  {_pad(username, user_width)}{_pad(name, name_width)}{description}")


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


#: Apps seeded after the people and base data they work on (field work, Open311 keys…).
FIELD_WORK_APPS = (
    "campaigns",
    "arrivals",
    "care",
    "emergency",
    "inspections",
    "open311",
    "notifications",
    "triage",  # learns from the demo events
    "suggestions",
    "portal",
    "workforce",  # it scores last month's field work
    "dashboards",  # last: the aggregates of everything above
    "reports",  # reads the dashboards' aggregates
)


def seed_field_work(district_code: str, *, seed: int) -> list[str]:
    """Each field-work app's demo data (``wangge.<app>.demo.seed_demo``); one line each."""
    lines = []
    for app in FIELD_WORK_APPS:
        if app == "workforce":
            # What the overdue sweep would flag at its first run: the scores, the dashboards
            # and the reports below count overdue events as the pages will show them.
            from wangge.events.actions import mark_overdue

            lines.append(f"超期检查：标记 {len(mark_overdue().flagged)} 件超期事件")
        module = import_module(f"wangge.{app}.demo")
        lines.append(module.seed_demo(district_code, seed=seed))
    return lines
