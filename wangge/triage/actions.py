"""Training the category classifier (a new ``TriageModel`` version)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from wangge.audit.actions import record
from wangge.events.catalogue import category_rows
from wangge.triage import selectors
from wangge.triage.classifier import Classifier, KeywordBaseline, evaluate
from wangge.triage.models import TriageModel


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def do_train_triage(*, actor: Any, if_needed: bool = False) -> TriageModel | None:
    """Train on the examples (minus the held-out ones) and past events; store a new version.

    With ``if_needed``, only when there is no model yet or at least
    ``TRIAGE_RETRAIN_AFTER`` registered events are newer than the latest model's;
    answers None when nothing was trained.  Training runs outside the transaction
    (it takes seconds); only the write is atomic.
    """
    if if_needed and TriageModel.objects.exists():
        if selectors.new_events_since_last_model() < selectors.retrain_after():
            return None
    training, held_out, events, last_event_id = selectors.training_documents()
    model = Classifier.train(training)
    names = {r["code"]: r["name"] for r in category_rows() if r["parent"] is not None}
    baseline = KeywordBaseline.train(names, training)
    scored, base = evaluate(model, held_out), evaluate(baseline, held_out)
    data = model.to_bytes()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (TriageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                row = TriageModel.objects.create(
                    version=version,
                    created_by=_user(actor),
                    data=data,
                    digest=hashlib.sha256(data).hexdigest(),
                    categories=len(model.labels),
                    features=len(model.vocabulary),
                    examples=len(training) - events,
                    events=events,
                    last_event_id=last_event_id,
                    held_out=scored.total,
                    top1_accuracy=scored.top1_rate,
                    top3_accuracy=scored.top3_rate,
                    baseline_top1_accuracy=base.top1_rate,
                )
                record(
                    "triage.train",
                    actor=_user(actor),
                    obj=row,
                    after={
                        "version": version,
                        "events": events,
                        "top1_accuracy": round(scored.top1_rate, 4),
                        "top3_accuracy": round(scored.top3_rate, 4),
                        "baseline_top1_accuracy": round(base.top1_rate, 4),
                    },
                )
                return row
        except IntegrityError:
            continue  # another training run took this version number
    raise RuntimeError("could not store the triage model")
