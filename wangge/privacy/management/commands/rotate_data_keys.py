"""``wangge rotate_data_keys``: re-encrypt personal data under the first key of the ring."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.lib.crypto import keyring
from wangge.privacy.rotation import FieldReport, keys_in_use, rotate_data_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the active (first) key of WANGGE_DATA_KEYS. "
        "Run it after putting a new key first; afterwards the old keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--dry-run", action="store_true", help="only count the values under each key"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ring = keyring()
        batch_size = max(1, int(options["batch_size"]))
        dry_run = bool(options["dry_run"])
        self.stdout.write(f"当前加密密钥 / active key: {ring.active_id}")

        def progress(report: FieldReport) -> None:
            keys = ", ".join(f"{k}: {n}" for k, n in sorted(report.keys.items())) or "-"
            self.stdout.write(
                f"  {report.label}: {report.values} values, {report.rotated} re-encrypted ({keys})"
            )

        reports = rotate_data_keys(batch_size=batch_size, dry_run=dry_run, progress=progress)
        used = keys_in_use(reports)
        unused = [kid for kid, _key in ring.keys if kid not in used and kid != ring.active_id]
        if dry_run:
            self.stdout.write(f"keys in use: {', '.join(sorted(used)) or '-'} (dry run)")
            return
        total = sum(r.rotated for r in reports)
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted under {ring.active_id}"))
        if unused:
            self.stdout.write(
                f"不再使用的密钥 / keys no longer used: {', '.join(unused)} — "
                "they may be removed from WANGGE_DATA_KEYS"
            )
