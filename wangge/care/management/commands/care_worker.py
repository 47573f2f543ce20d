"""Care visits: open the visit tasks that fall due (and tidy unused photo uploads).

wangge care_worker --once                 one pass, then exit (for cron / systemd timers)
wangge care_worker --interval 3600        a pass every hour until stopped
wangge care_worker --once --enqueue       put the task on the queue for ``wangge db_worker``
wangge care_worker --once --district 440704   only one district
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.care.actions import generate_visit_tasks
from wangge.care.photos import delete_unused_photos


class Command(BaseCommand):
    help = "Generate the care visit tasks that are due (关爱走访), once or periodically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=3600, help="Seconds between passes (default 3600)."
        )
        parser.add_argument("--district", default=None, help="Only this district (code).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the task for the task backend's worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1, int(options["interval"]))
        district = options["district"] or None
        while True:
            if options["enqueue"]:
                from wangge.care.tasks import generate_visit_tasks_task

                result = generate_visit_tasks_task.enqueue(district)
                self.stdout.write(f"enqueued {result.id}")
            else:
                started = time.monotonic()
                counts = generate_visit_tasks(district=district).as_dict()
                removed = delete_unused_photos()
                self.stdout.write(
                    f"people {counts['people']}, created {counts['created']}, "
                    f"cancelled {counts['cancelled']}, moved {counts['moved']}, "
                    f"photos removed {removed} ({time.monotonic() - started:.1f}s)"
                )
            if options["once"]:
                return
            time.sleep(interval)
