"""Overdue supervision: flag overdue events and escalate them per the configured rule.

wangge events_worker --once            one pass, then exit (for cron / systemd timers)
wangge events_worker --interval 300    a pass every 5 minutes until stopped
wangge events_worker --once --enqueue  put the task on the queue for ``wangge db_worker``
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.events.actions import mark_overdue


class Command(BaseCommand):
    help = "Flag overdue events and escalate them (督办), once or periodically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=300, help="Seconds between passes (default 300)."
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
                from wangge.events.tasks import mark_overdue_task

                result = mark_overdue_task.enqueue()
                self.stdout.write(f"enqueued {result.id}")
            else:
                counts = mark_overdue().as_dict()
                self.stdout.write(f"flagged {counts['flagged']}, escalated {counts['escalated']}")
            if options["once"]:
                return
            time.sleep(interval)
