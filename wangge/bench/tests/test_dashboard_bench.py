"""The dashboard bench at toy size: its events, its checks and its report (not its timings)."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from wangge.bench import dashboard, search
from wangge.bench.search import Latency
from wangge.dashboards.models import EventFact
from wangge.demo.seed import seed_demo
from wangge.events.models import Event, ReturnVisit

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def check_cells(r: dashboard.DashboardBenchResult, queries: int, raw_queries: int) -> None:
    assert [(c.level, c.period) for c in r.cells] == [
        (level, period) for level in dashboard.LEVELS for period in dashboard.PERIODS
    ]
    for c in r.cells:
        assert c.aggregate.count == c.figures.count == queries
        assert c.raw is not None and c.raw.count == raw_queries
        assert c.figures_raw is not None and c.figures_raw.count == raw_queries
        # The aggregates said what the events table says, the page and the figures alike.
        assert c.mismatches == c.figures_mismatches == 0
        assert 0 < c.aggregate.p50_ms <= c.aggregate.p95_ms <= c.aggregate.max_ms
        assert 0 < c.figures.p50_ms <= c.figures.p95_ms <= c.figures.max_ms
    by_key = dashboard.cells_by_key(r)
    assert by_key["district", "year"].events >= by_key["district", "30d"].events > 0


@pytest.mark.django_db
def test_it_generates_events_builds_aggregates_and_measures(tmp_path: Path) -> None:
    seed_demo(seed=1, workers=False)
    steps = dashboard.prepare_events(600, seed=2)
    assert set(steps) >= {"generate", "aggregate"}
    assert Event.objects.count() == EventFact.objects.count() == 600
    # A spread like a year's work: every state, sources, places, old events closed.
    states = dict(Event.objects.values_list("state").annotate(n=Count("id")))
    assert {"reported", "registered", "dispatched", "handling", "handled", "closed"} <= set(states)
    assert states["closed"] > 600 * 0.4
    assert Event.objects.values("source").distinct().count() == 5
    assert Event.objects.values("grid_code").distinct().count() > 100
    assert Event.objects.filter(overdue=True).exists()
    assert ReturnVisit.objects.count() == Event.objects.filter(visited_at__isnull=False).count() > 0
    assert dashboard.prepare_events(600, seed=2) == {}  # nothing to do the second time
    with pytest.raises(RuntimeError, match="已有"):
        dashboard.prepare_events(700, seed=2)

    r = dashboard.measure(queries=3, raw_queries=2, warmup=1, seed=3)
    check_cells(r, 3, 2)
    assert r.events == 600 and r.districts == 1 and r.grids == 190
    assert r.vendor == connection.vendor
    assert r.sizes["events_event"]["rows"] == 600
    data = json.loads(json.dumps(r.to_dict()))
    assert set(data) >= {"cells", "passed", "events", "target_p95_ms", "target_ratio"}
    assert dashboard.DashboardBenchResult.from_dict(data).cells == r.cells
    lines = dashboard.summary_lines(r)
    assert sum("网格" in line and "近一年" in line for line in lines) == 2  # figures, page
    assert lines[-1].startswith("目标：每格 p95 < 200 ms，区、街道快 20 倍以上（数字与整页）")

    path = tmp_path / "dashboard.json"
    try:
        call_command(
            "bench",
            "dashboard",
            "--in-place",
            "--events",
            "600",
            "--queries",
            "2",
            "--raw-queries",
            "1",
            "--warmup",
            "0",
            "--json",
            str(path),
            stdout=StringIO(),
        )
    except CommandError as exc:  # toy data: a plain GROUP BY is not 20× slower here
        assert "未达到性能目标" in str(exc)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["bench"] == "dashboard" and len(written["cells"]) == 6


def test_it_judges_latency_ratio_and_agreement() -> None:
    quick, slow = Latency.of([0.0002, 0.0003]), Latency.of([0.02, 0.03])
    fast = dashboard.Cell(
        "district",
        "year",
        aggregate=Latency.of([0.002, 0.004, 0.003]),
        raw=Latency.of([0.9, 1.2]),
        figures=quick,
        figures_raw=slow,
    )
    assert fast.ratio == pytest.approx(900 / 3, rel=0.01)
    assert fast.figures_ratio == pytest.approx(100, rel=0.01)
    assert fast.passed(200.0, 20.0)
    assert not fast.passed(2.0, 20.0)
    wrong = dashboard.Cell(
        "grid", "30d", aggregate=fast.aggregate, raw=fast.raw, mismatches=1, figures=quick
    )
    assert not wrong.passed(200.0, 20.0)
    close = dashboard.Cell(
        "street", "30d", aggregate=Latency.of([0.01]), raw=Latency.of([0.05]), figures=quick
    )
    assert close.ratio == pytest.approx(5.0) and not close.passed(200.0, 20.0)
    # A grid: only the latency counts.
    grid = dashboard.Cell(
        "grid",
        "30d",
        aggregate=Latency.of([0.01]),
        raw=Latency.of([0.05]),
        figures=quick,
        figures_raw=slow,
    )
    assert grid.passed(200.0, 20.0) and not grid.passed(5.0, 20.0)
    grid.figures_raw = Latency.of([0.001])
    assert grid.figures_ratio < 20 and grid.passed(200.0, 20.0)
    grid.figures_mismatches = 1
    assert not grid.passed(200.0, 20.0)
    # A street's figures must be 20× faster, as its page.
    street = dashboard.Cell(
        "street", "30d", aggregate=fast.aggregate, raw=fast.raw, figures=quick, figures_raw=slow
    )
    assert street.passed(200.0, 20.0)
    street.figures_raw = Latency.of([0.001])
    assert not street.passed(200.0, 20.0)
    # Not measured at all: no pass.
    assert not dashboard.Cell("grid", "30d", aggregate=quick).passed(200.0, 20.0)
    # Results written before the figures were measured still load.
    old = fast.__class__(level="grid", period="30d", aggregate=quick).__dict__ | {"ratio": 0}
    for key in ("figures", "figures_raw", "figures_mismatches"):
        old.pop(key)
    loaded = dashboard.DashboardBenchResult.from_dict(
        {
            "cells": [{**old, "aggregate": vars(quick)}],
            "database": "",
            "vendor": "",
            "events": 0,
            "districts": 0,
            "grids": 0,
            "queries": 0,
            "raw_queries": 0,
            "seed": 1,
        }
    )
    assert loaded.cells[0].figures.count == 0


def test_it_refuses_a_database_other_than_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        dashboard.run_dashboard_bench(database_url="sqlite:///x.sqlite3", events=10, queries=1)


def postgres_url() -> str:
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return f"{PG_SERVER}/wangge_dashboard_bench_t{uuid.uuid4().hex[:8]}"


def test_it_builds_measures_and_drops_its_postgresql_database(tmp_path: Path) -> None:
    url = postgres_url()
    lines: list[str] = []
    r = dashboard.run_dashboard_bench(
        database_url=url,
        events=2000,
        scale="demo",
        queries=3,
        raw_queries=1,
        warmup=1,
        log_path=tmp_path / "bench.log",
        say=lines.append,
    )
    check_cells(r, 3, 1)
    assert r.vendor == "postgresql" and r.events == 2000
    assert r.sizes["dashboards_tally"]["mb"] > 0
    assert {"create", "migrate", "seed", "generate", "aggregate", "analyze"} <= set(r.setup)
    assert not search.database_exists(url)
