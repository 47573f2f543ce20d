"""Webhook retries: POST every pending delivery whose next attempt is due.

wangge webhooks_worker --once            one pass, then exit (for cron / systemd timers)
wangge webhooks_worker --interval 60     a pass every minute until stopped
wangge webhooks_worker --once --enqueue  put the sweep on the queue for ``wangge db_worker``

Retries are scheduled as deferred tasks already; the sweep is for task backends that
cannot defer and for retries lost with a worker.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Retry due webhook deliveries, once or periodically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=60, help="Seconds between passes (default 60)."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the task for the task backend's worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from wangge.notifications.tasks import retry_webhooks_task

        interval = max(1, int(options["interval"]))
        while True:
            if options["enqueue"]:
                result = retry_webhooks_task.enqueue()
                self.stdout.write(f"enqueued {result.id}")
            else:
                counts = retry_webhooks_task.call()
                self.stdout.write(f"tried {counts['tried']}, delivered {counts['delivered']}")
            if options["once"]:
                return
            time.sleep(interval)
