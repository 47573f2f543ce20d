"""The intake bench at toy size: its structure and its no-loss / no-duplicate checks (no timings)."""

import json
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command

from wangge.bench import intake

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

TINY = {
    "count": 30,
    "clients": 2,
    "rate": 20.0,
    "paced_count": 10,
    "workers": 1,
    "threads": 2,
    "warmup": 2,
    "retry_sample": 5,
    "race": 3,
    "reporters": 5,
    "per_row_commit": 10,
    "batch": 4,
}


def postgres_url() -> str:
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return f"{PG_SERVER}/wangge_bench_t{uuid.uuid4().hex[:8]}"


def pg_database_exists(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def check_result(r: intake.IntakeBenchResult) -> None:
    i = r.integrity
    # Everything acknowledged is stored exactly once: warm-up, closed loop, batched, paced, races.
    assert i.acknowledged == 2 + 30 + 30 + 10 + 3
    assert i.stored == i.stored_distinct == i.added == i.acknowledged
    assert i.duplicates == 0 and i.missing == [] and i.unexpected == []
    assert (i.retried, i.retry_mismatches) == (5, 0)
    assert (i.raced, i.race_mismatches) == (3, 0)
    assert i.http_errors == 0 and i.error_examples == []
    assert i.ok
    assert (r.closed.count, r.closed.clients, r.closed.errors) == (30, 2, 0)
    assert r.closed.latency.count == 30 and r.closed.reports_per_s > 0
    assert r.batched is not None and (r.batched.count, r.batched.errors) == (30, 0)
    assert r.batched.batch == 4 and r.batched.reports_per_s > 0
    # 30 reports of 7 reporters (30 // 4) in batches of at most 4: more than 7 requests.
    assert r.batched.latency.count == 30
    assert (r.paced.count, r.paced.rate, r.paced.errors) == (10, 20.0, 0)
    assert r.paced.latency.count == 10
    assert r.paced.latency.p50_ms <= r.paced.latency.p95_ms <= r.paced.latency.p99_ms
    assert r.raw.rows == 30 and r.raw.rows_per_s > 0
    assert r.raw.per_row_commit_rows == 10
    assert r.server["workers"] == 1 and r.server["threads"] == 2
    assert r.workers_reporting == 5 and 1 <= r.grids <= 5
    data = json.loads(json.dumps(r.to_dict()))
    assert set(data["checks"]) == {
        "throughput_ratio",
        "p99_at_rate",
        "no_loss_no_duplicates",
        "dashboards_caught_up",
    }
    assert data["checks"]["no_loss_no_duplicates"] is True
    # The change feed ran beside the server and read every step: each event is aggregated.
    assert r.feed is not None and r.feed.ok and r.feed.backlog == 0
    assert r.feed.facts == r.feed.events >= i.acknowledged
    assert data["checks"]["dashboards_caught_up"] is True
    assert data["integrity"]["duplicates"] == 0
    assert data["ratio"] == pytest.approx(r.closed.reports_per_s / r.raw.rows_per_s)
    assert data["batched_ratio"] == pytest.approx(r.batched.reports_per_s / r.raw.rows_per_s)
    assert data["passed"] == r.passed
    lines = intake.summary_lines(r)
    assert any("闭环吞吐" in line for line in lines) and "无丢失无重复 PASS" in lines[-1]


def test_it_runs_against_postgresql_and_drops_its_database(tmp_path, django_db_blocker):
    url = postgres_url()
    with django_db_blocker.unblock():
        result = intake.run_intake_bench(database_url=url, log_path=tmp_path / "server.log", **TINY)
    assert result.vendor == "postgresql"
    check_result(result)
    assert not pg_database_exists(url)


def test_it_runs_as_a_command_on_sqlite_and_writes_json(tmp_path, django_db_blocker, capsys):
    db = tmp_path / "bench.sqlite3"
    path = tmp_path / "out" / "intake.json"
    args = [f"--{k.replace('_', '-')}={v}" for k, v in TINY.items()]
    with django_db_blocker.unblock():
        try:
            call_command("bench", "intake", f"--database-url=sqlite:///{db}", *args, "--json", path)
        except CommandError as exc:  # the targets are not for toy sizes
            assert "未达到性能目标" in str(exc)
    data = json.loads(path.read_text())
    assert data["bench"] == "intake" and data["vendor"] == "sqlite"
    assert data["checks"]["no_loss_no_duplicates"] is True
    assert data["integrity"]["acknowledged"] == data["integrity"]["stored"] == 75
    assert not db.exists()


def test_it_refuses_to_replace_a_database_that_is_not_a_benchs():
    url = postgres_url().replace("wangge_bench_t", "wangge_other_t")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with pytest.raises(RuntimeError, match="只会删除名称含 bench 的数据库"):
            intake.create_database(url)
        assert pg_database_exists(url)
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_it_counts_a_lost_or_doubled_report_as_a_failure():
    good = intake.Integrity(acknowledged=10, stored=10, stored_distinct=10, added=10)
    assert good.ok
    lost = intake.Integrity(acknowledged=10, stored=9, stored_distinct=9, added=9, missing=["x"])
    doubled = intake.Integrity(acknowledged=10, stored=11, stored_distinct=10, added=11)
    stray = intake.Integrity(acknowledged=10, stored=10, stored_distinct=10, added=11)
    retry = intake.Integrity(
        acknowledged=10, stored=10, stored_distinct=10, added=10, retry_mismatches=1
    )
    assert not any(i.ok for i in (lost, doubled, stray, retry))
    assert doubled.duplicates == 1


def test_it_takes_percentiles_by_nearest_rank():
    latency = intake.Latency.of([i / 1000 for i in range(1, 101)])  # 1 … 100 ms
    assert (latency.p50_ms, latency.p95_ms, latency.p99_ms, latency.max_ms) == pytest.approx(
        (50, 95, 99, 100)
    )
    assert latency.count == 100 and latency.mean_ms == pytest.approx(50.5)
    assert intake.Latency.of([]).count == 0
