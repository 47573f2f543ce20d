"""``wangge open311_key --district 440704 --name "12345 热线"``: a new Open311 API key.

The clear key is printed once and never stored (only its SHA-256).  The default service
attributes are seeded first if the catalogue has their categories.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.open311.actions import ApiKeyError, do_create_api_key
from wangge.open311.catalogue import seed_service_attributes


class Command(BaseCommand):
    help = "为一个区生成 Open311 接口密钥（只显示一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", required=True, help="区划代码（6 位），如 440704")
        parser.add_argument("--name", required=True, help="密钥持有方，如 “12345 热线”")

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = seed_service_attributes()
        try:
            key, raw = do_create_api_key(
                district=options["district"], name=options["name"], actor=None
            )
        except ApiKeyError as exc:
            problems = "；".join(exc.fields.values()) or str(exc)
            raise CommandError(problems) from None
        if seeded.attributes:
            self.stderr.write(f"已补充 {seeded.attributes} 个服务属性。")
        self.stderr.write(
            f"已为 {key.district.code} {key.district.name} 的“{key.name}”生成接口密钥"
            f"（前缀 {key.prefix}）。密钥只显示这一次，请妥善保存："
        )
        self.stdout.write(raw)
