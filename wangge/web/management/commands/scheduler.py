"""Run the platform's periodic jobs (``wangge.web.schedule.JOBS``).

wangge scheduler                          every job at its interval, until stopped
wangge scheduler --once                   every job once, then exit
wangge scheduler --once --only events-overdue dashboards-feed
wangge scheduler --list                   the jobs and when they run
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wangge.web import schedule


class Command(BaseCommand):
    help = "Run the periodic jobs: the dashboards' change feed, overdue checks, reminders…"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each job once and exit.")
        parser.add_argument("--only", nargs="+", metavar="JOB", help="Only these jobs.")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            jobs = schedule.jobs_named(options["only"])
        except KeyError as exc:
            raise CommandError(f"未知的任务：{exc.args[0]}") from None
        if options["list"]:
            for job in jobs:
                when = f"每天 {job.daily_at:%H:%M}" if job.daily_at else f"每 {job.every:g} 秒"
                self.stdout.write(f"{job.name:24} {when}")
            return
        if options["once"]:
            for job in jobs:
                self._run(job)
            return
        now = timezone.now()
        due = {job.name: job.first_due(now) for job in jobs}
        while True:  # pragma: no cover - runs until stopped
            now = timezone.now()
            for job in jobs:
                if due[job.name] <= now:
                    self._run(job, quiet=job.name == "dashboards-feed")
                    due[job.name] = job.next_due(timezone.now())
            time.sleep(max(0.2, min((d - timezone.now()).total_seconds() for d in due.values())))

    def _run(self, job: schedule.Job, *, quiet: bool = False) -> None:
        started = time.monotonic()
        ok, result = schedule.run_job(job)
        if quiet and ok and not (isinstance(result, dict) and result.get("steps")):
            return
        state = "ok" if ok else "失败"
        self.stdout.write(f"{job.name}: {state} {result} ({time.monotonic() - started:.2f}s)")
        self.stdout.flush()
