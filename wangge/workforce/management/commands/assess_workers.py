"""``wangge assess_workers --month 2026-10 [--district 440704]``: store the month's scorecards."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.workforce import months
from wangge.workforce.actions import do_compute_scorecards


class Command(BaseCommand):
    help = "Compute and store grid workers' monthly scorecards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", default="", help="YYYY-MM (default: last month)")
        parser.add_argument("--district", default="", help="district code (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        month = (
            months.parse_month(options["month"])
            if options["month"]
            else months.previous_month(months.this_month())
        )
        if month is None:
            raise CommandError("月份格式应为 YYYY-MM")
        result = do_compute_scorecards(
            month=month, actor=None, district_code=options["district"] or None
        )
        self.stdout.write(
            f"{month:%Y-%m}: {result.computed} scorecards"
            + (f", {len(result.skipped)} grids without a valid scheme" if result.skipped else "")
        )
