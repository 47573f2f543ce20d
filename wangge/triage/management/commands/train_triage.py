"""``wangge train_triage``: train a new version of the category suggestion model."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.triage.actions import do_train_triage


class Command(BaseCommand):
    help = "训练事件类型推荐模型（示例文本与已立案事件），保存为新版本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="仅在还没有模型，或新立案事件达到 TRIAGE_RETRAIN_AFTER 条时训练",
        )
        parser.add_argument("--enqueue", action="store_true", help="不在此训练：把训练任务放入队列")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from wangge.triage.tasks import retrain_triage_task

            result = retrain_triage_task.enqueue(force=not options["if_needed"])
            self.stdout.write(f"enqueued {result.id}")
            return
        row = do_train_triage(actor=None, if_needed=options["if_needed"])
        if row is None:
            self.stdout.write("新事件不足，无需重新训练")
            return
        self.stdout.write(
            f"模型 v{row.version}：{row.categories} 个类型、{row.features:,} 个特征，"
            f"示例 {row.examples} 条、已立案事件 {row.events} 条；"
            f"留出集 {row.held_out} 条 top-1 {row.top1_accuracy:.1%}、top-3 {row.top3_accuracy:.1%}"
            f"（关键词基线 top-1 {row.baseline_top1_accuracy:.1%}）"
        )
