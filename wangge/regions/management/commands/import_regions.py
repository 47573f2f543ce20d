"""``wangge import_regions PATH``: load streets, communities, grids and units from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.lib.language import data_language
from wangge.regions import imports
from wangge.regions.actions import RegionImportError


class Command(BaseCommand):
    help = (
        "从 GeoJSON 或 CSV 文件导入层级（街道、社区、网格、最小单元）。"
        "整个文件无误才会写入；有误时逐行列出问题，不写入任何数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="GeoJSON（FeatureCollection）或 CSV 文件")
        parser.add_argument(
            "--format",
            choices=imports.FORMATS,
            default="auto",
            help="文件格式；auto 按扩展名或内容判断（默认）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        # The console speaks the installation's language, whatever the shell's locale.
        with data_language():
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["path"]
        fmt: str = options["format"]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if fmt == "auto":
            with path.open("rb") as f:
                fmt = imports.detect_format(f.read(4096), path.name)
        try:
            count = imports.import_path(path, actor=None, fmt=fmt, dry_run=options["dry_run"])
        except RegionImportError as exc:
            for error in exc.errors:
                self.stderr.write(imports.describe(error, fmt))
            raise CommandError(f"导入失败：共 {len(exc.errors)} 处错误，未写入任何数据") from None
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"检查通过：{count} 个区域可以导入（未写入）"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已导入 {count} 个区域"))
