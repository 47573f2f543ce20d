from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from wangge.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo accounts and where the platform is served."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        from wangge.demo.seed import DEMO_ACCOUNTS

        existing = set(
            User.objects.filter(username__in=[u for u, _ in DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"wangge 网格 · {url}"))
        self.stdout.write(f"API 文档 / API docs: {url}api/v1/docs")
        default = settings.DEMO_PASSWORD == "wangge-demo"  # noqa: S105 - the documented demo password
        shown = "wangge-demo" if default else "$WANGGE_DEMO_PASSWORD"
        self.stdout.write(f"演示账号 / demo accounts (密码 password: {shown})")
        for username, description in DEMO_ACCOUNTS:
            mark = "" if username in existing else "  (未创建 missing)"
            self.stdout.write(f"  {username:<10} {description}{mark}")
        self.stdout.write("")
