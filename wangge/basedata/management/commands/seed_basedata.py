"""``wangge seed_basedata [DISTRICT…]``: the checklist, asset types and demo things and organisations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.assets.catalogue import seed_asset_types
from wangge.assets.demo import seed_demo_assets
from wangge.basedata.checklist import seed_checklist
from wangge.organisations.demo import ENTERPRISES, seed_demo_organisations
from wangge.regions.models import Region


class Command(BaseCommand):
    help = (
        "载入基础数据清单（43 项）与城市部件类型；给出区划编码时，再为这些区生成演示用的"
        "城市部件（783 个消防栓，其中 419 个新建；井盖、路灯、监控等）和组织"
        "（约 6,000 家企业、商铺，街道党工委、社区党组织、网格党支部、党员联系户，物业、社会组织）。"
        "同一 --seed 得到同样的数据；已有数据的区跳过。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("districts", nargs="*", help="区划编码（6 位），如 440704")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--enterprises", type=int, default=ENTERPRISES, help="每个区的企业、商铺数"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items = seed_checklist()
        types = seed_asset_types()
        self.stdout.write(f"基础数据清单新增 {items} 项，城市部件类型新增 {types} 类。")
        for code in options["districts"]:
            if not Region.objects.filter(code=code, level="district").exists():
                raise CommandError(f"没有编码为 {code} 的区")
            assets = seed_demo_assets(code, options["seed"])
            if assets.skipped:
                self.stdout.write(f"{code}：已有城市部件，跳过。")
            else:
                self.stdout.write(
                    f"{code}：城市部件 {assets.total:,} 个（消防栓 {assets.by_type.get('0111', 0)} 个，"
                    f"其中新建 {assets.new_hydrants} 个）。"
                )
            orgs = seed_demo_organisations(
                code, options["seed"], enterprises=options["enterprises"]
            )
            if orgs.skipped:
                self.stdout.write(f"{code}：已有组织数据，跳过。")
            else:
                self.stdout.write(
                    f"{code}：企业、商铺 {orgs.enterprises:,} 家，党组织 {sum(orgs.party.values()):,} 个，"
                    f"物业服务企业 {orgs.property_companies} 家，社会组织 {orgs.social} 个。"
                )
