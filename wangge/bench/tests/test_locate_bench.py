import json
import os

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from wangge.bench import locate
from wangge.testing import GRID_A, GRID_B, world_specs


def run_command(*args):
    """The bench's targets are not met at toy sizes; the figures are written either way."""
    try:
        call_command("bench", "locate", *args)
    except CommandError as exc:
        assert "未达到性能目标" in str(exc)


def test_it_locates_random_points_like_the_naive_loop():
    index = locate.index_from_specs(world_specs())
    result = locate.run_locate_bench(index, points=5000, naive_sample=400, seed=7, source="test")
    assert (result.grids, result.units) == (4, 7)
    assert result.points == 5000 and result.naive_points == 400
    assert result.mismatches == 0 and result.correct
    assert result.mismatch_examples == []
    # The bounding box spans both districts and the gap between them.
    assert result.bbox == pytest.approx((113.0, 22.0, 113.4, 22.2))
    assert 0 < result.inside < result.points
    assert result.indexed_per_s > 0 and result.naive_per_s > 0
    assert result.ratio == pytest.approx(result.indexed_per_s / result.naive_per_s)
    assert result.postgis is None
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data["checks"]) == {"indexed_per_s", "ratio", "correct"}
    assert data["checks"]["correct"] is True
    assert data["passed"] == result.passed


def test_it_draws_the_same_points_from_the_same_seed():
    a = locate.random_points((0.0, 0.0, 1.0, 2.0), 100, seed=3)
    b = locate.random_points((0.0, 0.0, 1.0, 2.0), 100, seed=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[0].min() >= 0 and a[0].max() <= 1 and a[1].max() <= 2


def test_it_finds_points_with_the_naive_loop():
    index = locate.index_from_specs(world_specs())
    found = locate.naive_locate(
        list(index.grid_codes),
        list(index.grid_geoms),
        np.array([113.01, 113.15, 113.25]),
        np.array([22.1, 22.1, 22.1]),
    )
    assert found == [GRID_A, GRID_B, None]


def test_it_indexes_the_generated_city():
    from wangge.demo.seed import build_hierarchy

    specs = build_hierarchy("city", 1, grids_per_district=17, units_per_grid=1)
    index = locate.index_from_specs(specs)
    assert len(index) == 85
    result = locate.run_locate_bench(index, points=3000, naive_sample=300)
    assert result.mismatches == 0
    assert result.inside > 0


def test_it_runs_as_a_command_and_writes_json(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(locate, "load_hierarchy", lambda scale, seed: world_specs())
    path = tmp_path / "out" / "locate.json"
    run_command(
        "--points", "3000", "--naive-sample", "50", "--postgis-url", "", "--json", str(path)
    )
    data = json.loads(path.read_text())
    assert data["bench"] == "locate"
    assert data["source"] == "generated:city"
    assert (data["grids"], data["units"], data["points"], data["naive_points"]) == (4, 7, 3000, 50)
    assert data["mismatches"] == 0
    assert data["postgis"] is None


def test_it_reads_the_index_from_the_database(world, tmp_path):
    path = tmp_path / "locate.json"
    run_command(
        "--from-db",
        "--points",
        "2000",
        "--naive-sample",
        "20",
        "--postgis-url",
        "",
        "--json",
        str(path),
    )
    data = json.loads(path.read_text())
    assert (data["source"], data["grids"], data["units"]) == ("database", 4, 7)
    assert data["mismatches"] == 0


def test_it_reports_postgis_as_unavailable_when_there_is_no_server():
    index = locate.index_from_specs(world_specs())
    result = locate.run_locate_bench(
        index, points=500, naive_sample=10, postgis_url="postgresql://nobody@127.0.0.1:1/none"
    )
    assert result.postgis is not None
    assert not result.postgis.available
    assert result.postgis.reason


def test_it_locates_with_postgis_when_available():
    url = os.environ.get("WANGGE_BENCH_POSTGIS_URL", locate.DEFAULT_POSTGIS_URL)
    index = locate.index_from_specs(world_specs())
    result = locate.run_locate_bench(
        index, points=2000, naive_sample=10, postgis_url=url, postgis_points=1000
    )
    assert result.postgis is not None
    if not result.postgis.available:
        pytest.skip(f"PostGIS not available: {result.postgis.reason}")
    assert result.postgis.points == 1000
    assert result.postgis.mismatches == 0
    assert result.postgis.strtree_ratio > 0
