"""Training versions: the command, the task, past events with corrected categories."""

from __future__ import annotations

from django.core.management import call_command
from django.test import override_settings

from wangge.audit.models import AuditEntry
from wangge.events.actions import do_register_event, do_report_event
from wangge.testing import POINT_A, World
from wangge.triage import selectors
from wangge.triage.actions import do_train_triage
from wangge.triage.models import TriageModel
from wangge.triage.tasks import retrain_triage_task

#: Texts about a thing the examples never mention (charging posts for cars).
PILES = [
    "小区的汽车充电桩坏了，扫码充不上",
    "地下车库充电桩屏幕黑了",
    "新能源充电桩的枪头断了",
    "充电桩一直显示故障",
    "停车场的充电桩没电",
    "充电桩的线被人剪断了",
]
QUERY = "充电桩坏了"


def report_and_register(ew: World, text: str, *, reported: str, corrected: str) -> None:
    event = do_report_event(
        actor=ew["worker_a"], category=reported, description=text, lng=POINT_A[0], lat=POINT_A[1]
    ).event
    do_register_event(event, actor=ew["street"], category=corrected)


def test_the_command_stores_a_version_with_its_accuracy(ew: World) -> None:
    call_command("train_triage")
    row = TriageModel.objects.get()
    assert row.version == 1 and row.events == 0 and row.categories == 55
    assert row.held_out == 165
    assert row.top1_accuracy > row.baseline_top1_accuracy
    assert AuditEntry.objects.filter(action="triage.train", object_id=str(row.pk)).exists()
    assert selectors.current()[0] == 1


def test_training_is_deterministic(ew: World) -> None:
    a = do_train_triage(actor=ew["admin"])
    b = do_train_triage(actor=ew["admin"])
    assert a is not None and b is not None
    assert (a.version, b.version) == (1, 2)
    assert bytes(a.data) == bytes(b.data) and a.digest == b.digest
    assert a.top1_accuracy == b.top1_accuracy


def test_retraining_picks_up_the_category_corrected_at_registration(ew: World) -> None:
    do_train_triage(actor=None)
    before = selectors.suggest(ew["worker_a"], QUERY)[1]
    assert before and before[0].code != "1601"
    # Reported as 电动车违规充电, corrected to 其他问题 when registered.
    for text in PILES:
        report_and_register(ew, text, reported="0902", corrected="1601")
    row = do_train_triage(actor=None)
    assert row is not None and row.events == len(PILES) and row.version == 2
    version, after = selectors.suggest(ew["worker_a"], QUERY)
    assert version == 2
    assert after[0].code == "1601" and after[0].name == "其他问题"
    assert "0902" != after[0].code


def test_unregistered_and_rejected_events_are_not_used(ew: World) -> None:
    do_report_event(
        actor=ew["worker_a"], category="0902", description=PILES[0], lng=POINT_A[0], lat=POINT_A[1]
    )
    assert selectors.event_documents() == []


@override_settings(TRIAGE_RETRAIN_AFTER=3)
def test_the_task_trains_only_after_enough_new_events(ew: World) -> None:
    assert retrain_triage_task.call()["trained"] is True  # no model yet
    assert retrain_triage_task.call() == {"trained": False}
    for text in PILES[:2]:
        report_and_register(ew, text, reported="0902", corrected="1601")
    assert retrain_triage_task.call() == {"trained": False}
    report_and_register(ew, PILES[2], reported="0902", corrected="1601")
    done = retrain_triage_task.call()
    assert done["trained"] is True and done["version"] == 2
    assert TriageModel.objects.get(version=2).last_event_id > 0
    assert retrain_triage_task.call(force=True)["version"] == 3


def test_seed_demo_trains_once(ew: World) -> None:
    from wangge.triage.demo import seed_demo

    assert "model v1 trained" in seed_demo("440704")
    assert seed_demo("440704") == "triage: model is current"
    assert TriageModel.objects.count() == 1
