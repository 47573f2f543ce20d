"""``wangge seed_catalogue [DISTRICT…]``: the default event catalogue, calendar and departments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.events.catalogue import seed_catalogue
from wangge.regions.models import Region


class Command(BaseCommand):
    help = "Create the missing event categories, calendar days and (per district) departments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "districts", nargs="*", help="District codes to give the default departments."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        districts = options["districts"] or [None]
        for code in districts:
            if code is not None and not Region.objects.filter(code=code, level="district").exists():
                raise CommandError(f"no such district: {code}")
            result = seed_catalogue(code)
            self.stdout.write(
                f"{code or '-'}: {result.categories} categories, {result.calendar_days} calendar days, "
                f"{result.departments} departments created"
            )
