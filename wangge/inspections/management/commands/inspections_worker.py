"""Hazards past their rectification deadline without a re-inspection become events.

wangge inspections_worker --once            one pass, then exit (for cron / systemd timers)
wangge inspections_worker --interval 3600   a pass every hour until stopped
wangge inspections_worker --once --enqueue  put the task on the queue for ``wangge db_worker``
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.inspections.actions import mark_overdue_hazards


class Command(BaseCommand):
    help = "Escalate hazards past their rectification deadline (隐患逾期未复查转事件)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=3600, help="Seconds between passes (default 3600)."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the task for the task backend's worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1, int(options["interval"]))
        while True:
            if options["enqueue"]:
                from wangge.inspections.tasks import escalate_overdue_hazards_task

                result = escalate_overdue_hazards_task.enqueue()
                self.stdout.write(f"enqueued {result.id}")
            else:
                counts = mark_overdue_hazards().as_dict()
                self.stdout.write(f"escalated {counts['escalated']}, failed {counts['failed']}")
            if options["once"]:
                return
            time.sleep(interval)
