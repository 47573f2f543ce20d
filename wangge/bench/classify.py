"""Benchmark of the category suggestion (``wangge.triage``): model vs keyword baseline.

Both are trained on the training part of the catalogue's examples (every
``HOLDOUT_EVERY``-th example of each sub-category is held out and never
trained on) and scored, in the same run, on the held-out examples: top-1 (the
first suggestion is the right sub-category) and top-3 (it is among the three
suggested).  The keyword baseline: each sub-category's name words plus the top
terms of its examples; the category with most keyword hits wins (ties by
catalogue order).  Also measured: the model's prediction time per text after
warm-up.  No database is needed.

Targets: the model's top-1 accuracy beats the baseline's; p95 prediction < 20 ms.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from wangge.events.catalogue import category_rows
from wangge.triage.classifier import Accuracy, Classifier, KeywordBaseline, evaluate
from wangge.triage.examples import HOLDOUT_EVERY, split
from wangge.triage.text import tokenizer

TARGET_P95_MS = 20.0


@dataclass
class ClassifyResult:
    categories: int
    training: int
    held_out: int
    holdout_every: int
    features: int
    train_seconds: float
    model: Accuracy
    baseline: Accuracy
    p50_ms: float
    p95_ms: float
    target_p95_ms: float = TARGET_P95_MS

    @property
    def beats_baseline(self) -> bool:
        return self.model.top1 > self.baseline.top1

    @property
    def fast_enough(self) -> bool:
        return self.p95_ms < self.target_p95_ms

    @property
    def passed(self) -> bool:
        return self.beats_baseline and self.fast_enough

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("model", "baseline"):
            acc: Accuracy = getattr(self, key)
            data[key] = {**asdict(acc), "top1_rate": acc.top1_rate, "top3_rate": acc.top3_rate}
        data.update(
            beats_baseline=self.beats_baseline, fast_enough=self.fast_enough, passed=self.passed
        )
        return data


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_classify_bench(
    *, per_category: int | None = None, say: Callable[[str], Any] = print
) -> ClassifyResult:
    if per_category is not None and per_category < HOLDOUT_EVERY:
        raise ValueError(f"--per-category 至少为 {HOLDOUT_EVERY}（否则没有留出样本）")
    training, held_out = split(per_category=per_category)
    names = {r["code"]: r["name"] for r in category_rows() if r["parent"] is not None}
    say("加载 jieba 词典…")
    tokenizer()
    start = time.perf_counter()
    model = Classifier.train(training)
    train_seconds = time.perf_counter() - start
    baseline = KeywordBaseline.train(names, training)
    scored, base = evaluate(model, held_out), evaluate(baseline, held_out)
    for _code, text in held_out[:20]:  # warm-up
        model.top(text)
    timings: list[float] = []
    for _code, text in held_out:
        t0 = time.perf_counter()
        model.top(text)
        timings.append((time.perf_counter() - t0) * 1000)
    return ClassifyResult(
        categories=len({c for c, _ in training}),
        training=len(training),
        held_out=len(held_out),
        holdout_every=HOLDOUT_EVERY,
        features=len(model.vocabulary),
        train_seconds=train_seconds,
        model=scored,
        baseline=base,
        p50_ms=_percentile(timings, 0.5),
        p95_ms=_percentile(timings, 0.95),
    )


def _line(label: str, acc: Accuracy) -> str:
    return (
        f"{label}：top-1 {acc.top1}/{acc.total} = {acc.top1_rate:.1%}，"
        f"top-3 {acc.top3}/{acc.total} = {acc.top3_rate:.1%}"
    )


def summary_lines(r: ClassifyResult) -> list[str]:
    mark = {True: "PASS", False: "FAIL"}
    return [
        f"示例：{r.categories} 个子类型，训练 {r.training} 条，留出 {r.held_out} 条"
        f"（每类第 {r.holdout_every}、{2 * r.holdout_every}… 条，从不参与训练）",
        f"模型：朴素贝叶斯，{r.features:,} 个特征（词、词二元组、字二元组），训练 {r.train_seconds:.2f} 秒",
        _line("模型（留出集）", r.model),
        _line("关键词基线（留出集）", r.baseline),
        f"预测耗时：p50 {r.p50_ms:.2f} ms，p95 {r.p95_ms:.2f} ms",
        f"目标：top-1 胜过基线（{r.model.top1} > {r.baseline.top1}）{mark[r.beats_baseline]}；"
        f"p95 < {r.target_p95_ms:.0f} ms {mark[r.fast_enough]}",
    ]
