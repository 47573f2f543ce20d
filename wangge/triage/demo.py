"""Demo data: a trained suggestion model (the examples plus the demo district's registered events)."""

from __future__ import annotations

from wangge.triage.actions import do_train_triage


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """Train a model version unless a current one exists (idempotent; ``seed`` is unused)."""
    row = do_train_triage(actor=None, if_needed=True)
    if row is None:
        return "triage: model is current"
    return (
        f"triage: model v{row.version} trained ({row.examples} examples, {row.events} events; "
        f"held-out top-1 {row.top1_accuracy:.0%}, top-3 {row.top3_accuracy:.0%})"
    )
