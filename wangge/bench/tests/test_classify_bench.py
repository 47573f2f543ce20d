"""The classify bench at small scale: it runs, prints both methods' figures and its verdict."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wangge.bench import classify


def test_small_run_compares_model_and_baseline(tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "classify.json"
    call_command("bench", "classify", "--per-category", "10", "--json", str(target), stdout=out)
    text = out.getvalue()
    assert "模型（留出集）：top-1" in text and "关键词基线（留出集）：top-1" in text
    assert text.strip().endswith("PASS")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["bench"] == "classify"
    # 10 examples per sub-category: the 5th and 10th are held out.
    assert data["held_out"] == 2 * data["categories"] == 110
    assert data["training"] == 8 * data["categories"]
    assert data["model"]["top1"] > data["baseline"]["top1"]
    assert data["model"]["total"] == data["baseline"]["total"] == 110


def test_too_few_examples_is_refused() -> None:
    with pytest.raises(CommandError):
        call_command("bench", "classify", "--per-category", "3", stdout=StringIO())


def test_it_fails_when_the_model_does_not_beat_the_baseline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A "model" no better than the baseline: the baseline itself.
    real = classify.Classifier.train

    def as_baseline(documents: list[tuple[str, str]]) -> classify.Classifier:
        model = real(documents)
        names = {r["code"]: r["name"] for r in classify.category_rows() if r["parent"]}
        model.top = classify.KeywordBaseline.train(names, documents).top  # type: ignore[method-assign]
        return model

    monkeypatch.setattr(classify.Classifier, "train", staticmethod(as_baseline))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("bench", "classify", "--per-category", "10", stdout=out)
    assert "FAIL" in out.getvalue()
