"""The search bench at toy size: its lookups, its report and its database (no timings)."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command

from wangge.bench import search
from wangge.demo.residents import seed_residents
from wangge.demo.seed import DEMO_DISTRICT, seed_demo

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def check_cells(r: search.SearchBenchResult, queries: int) -> None:
    assert [(c.level, c.kind) for c in r.cells] == [
        (level, kind) for level in search.LEVELS for kind in search.KINDS
    ]
    for c in r.cells:
        assert c.indexed.count == queries
        assert c.misses == 0  # every ID number found its person, every prefix someone
        assert 0 < c.indexed.p50_ms <= c.indexed.p95_ms <= c.indexed.p99_ms <= c.indexed.max_ms
        assert c.rows >= queries
    # An exact ID number finds exactly its person.
    assert all(c.rows == queries for c in r.cells if c.kind == "id_number")


@pytest.mark.django_db
def test_it_looks_people_up_through_the_selector_at_every_level(tmp_path: Path) -> None:
    seed_demo(seed=1, workers=False)
    seed_residents([DEMO_DISTRICT], people=1500, seed=1)
    r = search.measure(queries=4, baseline_queries=2, warmup=3, seed=2)
    check_cells(r, 4)
    assert r.people == 1500 and r.districts == 1 and r.units == 2590
    if r.vendor == "sqlite":  # the sequential-scan baseline needs PostgreSQL's planner switches
        assert r.baseline_queries == 0 and all(c.baseline is None for c in r.cells)
    else:
        assert r.baseline_queries > 0 and all(c.baseline is not None for c in r.cells)
    # One user per level and node, holding the level's role; reused by the next run.
    users = search.bench_users([("grid", "440704001001001"), ("district", "440704")])
    again = search.bench_users([("grid", "440704001001001")])
    assert users[("grid", "440704001001001")].pk == again[("grid", "440704001001001")].pk

    data = json.loads(json.dumps(r.to_dict()))
    assert set(data) >= {"cells", "passed", "people", "target_p95_ms"}
    assert search.SearchBenchResult.from_dict(data).cells == r.cells
    lines = search.summary_lines(r)
    assert any("网格员" in line and "身份证号" in line for line in lines)
    assert lines[-1].startswith("目标：每格 p95 < 50 ms")

    path = tmp_path / "search.json"
    try:
        call_command(
            "bench",
            "search",
            "--in-place",
            "--people",
            "1500",
            "--queries",
            "2",
            "--warmup",
            "0",
            "--json",
            str(path),
            stdout=StringIO(),
        )
    except CommandError as exc:  # a slow machine: the figures are not what this tests
        assert "未达到性能目标" in str(exc)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["bench"] == "search" and len(written["cells"]) == 12


def test_it_refuses_a_database_other_than_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        search.run_search_bench(database_url="sqlite:///x.sqlite3", people=10, queries=1)


def test_it_reports_baselines_and_ratios() -> None:
    cell = search.Cell(
        "district",
        "name",
        indexed=search.Latency.of([0.002, 0.004, 0.003]),
        baseline=search.Latency.of([0.9, 1.2]),
    )
    assert cell.indexed.p50_ms == pytest.approx(3.0)
    assert cell.ratio == pytest.approx(300.0)
    assert cell.passed(50.0) and not cell.passed(2.0)
    slow = search.Cell("grid", "initials", indexed=search.Latency.of([0.08]), misses=0)
    assert not slow.passed(50.0) and slow.ratio == 0.0


def postgres_url() -> str:
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return f"{PG_SERVER}/wangge_search_bench_t{uuid.uuid4().hex[:8]}"


def test_it_builds_measures_and_drops_its_postgresql_database(tmp_path: Path) -> None:
    url = postgres_url()
    lines: list[str] = []
    r = search.run_search_bench(
        database_url=url,
        people=1200,
        scale="demo",
        queries=3,
        baseline_queries=1,
        warmup=2,
        log_path=tmp_path / "bench.log",
        say=lines.append,
    )
    check_cells(r, 3)
    assert r.vendor == "postgresql" and r.people == 1200
    assert all(c.baseline is not None and c.baseline.count == 1 for c in r.cells)
    assert {"create", "migrate", "seed", "generate", "indexes", "analyze"} <= set(r.setup)
    assert not search.database_exists(url)
