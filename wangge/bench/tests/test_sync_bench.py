"""The offline-sync bench at toy size on SQLite: its checks, not its timings."""

import json

import pytest
from django.core.management import CommandError, call_command

from wangge.bench import sync

#: Two phones, seven records each sent three at a time (3 + 3 + 1: batches and a single
#: report), on a network much worse than the real bench's, so that every kind of fault happens.
TINY = [
    "--devices=2",
    "--per-device=7",
    "--batch=3",
    "--photo-share=0.3",
    "--cut-before-answer=0.2",
    "--cut-while-sending=0.2",
    "--repeat=0.3",
    "--workers=1",
    "--threads=2",
]


def test_it_syncs_every_queue_once_through_a_bad_network(tmp_path, django_db_blocker, capsys):
    db = tmp_path / "sync.sqlite3"
    path = tmp_path / "out" / "sync.json"
    with django_db_blocker.unblock():
        try:
            call_command("bench", "sync", f"--database-url=sqlite:///{db}", *TINY, "--json", path)
        except CommandError as exc:  # a slow machine: only the timing may fail
            assert "未达到性能目标" in str(exc)
    r = json.loads(path.read_text())
    i, c = r["integrity"], r["counts"]
    assert r["bench"] == "sync" and r["vendor"] == "sqlite"
    assert (r["devices"], r["per_device"], r["batch"]) == (2, 7, 3)
    # Every kind of fault happened, and still everything is stored exactly once.
    assert c["cut_before_answer"] > 0 and c["cut_while_sending"] > 0 and c["repeated"] > 0
    assert c["refused"] == 0 and c["requests"] > 6
    assert i["submissions"] == i["acknowledged"] == i["stored"] == 14
    assert i["stored_distinct"] == i["added"] == 14 and i["duplicates"] == 0
    assert i["lost"] == [] and i["missing"] == [] and i["unexpected"] == []
    assert i["photos"] > 0 and i["photos_stored"] == i["photos_claimed"] == i["photos"]
    assert i["mismatches"] == 0 and r["checks"]["exactly_once"] is True
    assert r["seconds"] > 0 and r["submissions_per_s"] > 0 and r["latency"]["count"] == 14
    assert r["raw"]["rows"] == 14 and r["raw"]["rows_per_s"] > 0
    assert r["ratio"] == pytest.approx(r["submissions_per_s"] / r["raw"]["rows_per_s"])
    out = capsys.readouterr().out
    assert "比值：离线同步速率 / 原始 executemany" in out and "零丢失零重复 PASS" in out
    assert not db.exists()


def test_it_counts_a_lost_doubled_or_mismatched_submission_as_a_failure():
    good = sync.SyncIntegrity(
        submissions=3, acknowledged=3, stored=3, stored_distinct=3, added=3, photos=1
    )
    good.photos_stored = good.photos_claimed = 1
    assert good.ok
    for change in (
        {"stored": 4, "added": 4},
        {"lost": ["x"]},
        {"acknowledged": 2},
        {"photos_claimed": 0},
        {"photos_stored": 2},
        {"mismatches": 1},
        {"added": 4},
    ):
        bad = sync.SyncIntegrity(**{**good.__dict__, **change})
        assert not bad.ok, change


def test_it_refuses_impossible_settings():
    with pytest.raises(ValueError, match="positive"):
        sync.run_sync_bench(devices=0)
    with pytest.raises(ValueError, match="positive"):
        sync.run_sync_bench(batch=0)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        sync.run_sync_bench(photo_share=1.5)
    with pytest.raises(ValueError, match="nothing would get through"):
        sync.run_sync_bench(faults=sync.Faults(cut_before_answer=0.5, cut_while_sending=0.5))
