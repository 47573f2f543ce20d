import numpy as np
import pytest
import shapely
from django.db import transaction

from wangge.regions import spatial
from wangge.regions.actions import do_update_region
from wangge.regions.models import GeometryRevision, Region
from wangge.regions.spatial import Location, SpatialIndex
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, box


@pytest.fixture(autouse=True)
def fresh_index(monkeypatch):
    """Each test starts without a process index (and leaves none behind)."""
    monkeypatch.setattr(spatial, "_index", None)
    monkeypatch.setattr(spatial, "_checked_at", 0.0)


def test_it_locates_a_point_inside_a_unit(world):
    assert spatial.locate(113.025, 22.05) == Location(GRID_A, GRID_A + "001")
    assert spatial.locate(113.025, 22.15) == Location(GRID_A, GRID_A + "002")
    assert spatial.locate(113.075, 22.15) == Location(GRID_A2, GRID_A2 + "002")
    assert spatial.locate(113.15, 22.05) == Location(GRID_B, GRID_B + "001")
    assert spatial.locate(113.35, 22.05) == Location(GRID_OTHER, GRID_OTHER + "001")


@pytest.mark.parametrize(
    ("lng", "lat"),
    [
        (113.25, 22.05),  # between the two districts
        (112.99, 22.1),  # west of everything
        (113.35, 22.15),  # north of the neighbour district
        (0.0, 0.0),
        (-180.0, -90.0),
    ],
)
def test_it_finds_nothing_outside_every_grid(world, lng, lat):
    assert spatial.locate(lng, lat) == Location(None, None)


@pytest.mark.parametrize(
    ("lng", "lat", "expected"),
    [
        # Border between grid A and grid A2 (units A-1 and A2-1): the lower code wins.
        (113.05, 22.05, Location(GRID_A, GRID_A + "001")),
        # Border between the two units of grid A.
        (113.025, 22.1, Location(GRID_A, GRID_A + "001")),
        # Corner shared by four units of grids A and A2.
        (113.05, 22.1, Location(GRID_A, GRID_A + "001")),
        # Border between the two streets (grid A2 and grid B).
        (113.1, 22.15, Location(GRID_A2, GRID_A2 + "002")),
        # The outer edge of the district still belongs to its unit.
        (113.0, 22.05, Location(GRID_A, GRID_A + "001")),
    ],
)
def test_it_resolves_shared_borders_deterministically(world, lng, lat, expected):
    assert spatial.locate(lng, lat) == expected
    # The same answer from a freshly built index and for the point repeated in a batch.
    rebuilt = SpatialIndex.from_database()
    assert rebuilt.locate(lng, lat) == expected
    grids, units = rebuilt.locate_many(np.array([lng] * 3), np.array([lat] * 3))
    assert list(grids) == [expected.grid_code] * 3
    assert list(units) == [expected.unit_code] * 3


def test_it_falls_back_to_the_grid_where_no_unit_covers_the_point():
    index = SpatialIndex(
        [GRID_A, GRID_B],
        [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        [GRID_A + "001"],
        [shapely.box(0, 0, 1, 0.5)],
    )
    assert index.locate(0.5, 0.25) == Location(GRID_A, GRID_A + "001")
    assert index.locate(0.5, 0.75) == Location(GRID_A, None)
    assert index.locate(1.5, 0.5) == Location(GRID_B, None)
    assert index.locate(5, 5) == Location(None, None)
    assert len(index) == 2


def test_it_locates_nothing_in_an_empty_index(db):
    index = SpatialIndex.from_database()
    assert len(index) == 0
    assert index.locate(113.0, 22.0) == Location(None, None)
    grids, units = index.locate_many(np.array([]), np.array([]))
    assert len(grids) == len(units) == 0


def test_it_matches_single_lookups_in_vectorised_lookups(world):
    rng = np.random.default_rng(20240601)
    lngs = rng.uniform(112.95, 113.45, 2000)
    lats = rng.uniform(21.95, 22.25, 2000)
    # Borders and corners too, where ties are broken.
    edge_lngs = np.array([113.0, 113.05, 113.1, 113.2, 113.3, 113.4, 113.05, 113.1])
    edge_lats = np.array([22.0, 22.1, 22.2, 22.1, 22.0, 22.1, 22.0, 22.1])
    lngs = np.concatenate([lngs, edge_lngs])
    lats = np.concatenate([lats, edge_lats])
    index = spatial.get_index()
    grids, units = index.locate_many(lngs, lats)
    assert len(grids) == len(units) == len(lngs)
    for lng, lat, grid, unit in zip(lngs, lats, grids, units, strict=True):
        assert index.locate(lng, lat) == Location(grid, unit), (lng, lat)
    # Some points land in units of every grid, some nowhere.
    assert {GRID_A, GRID_A2, GRID_B, GRID_OTHER} <= set(grids)
    assert None in set(grids)
    for grid, unit in zip(grids, units, strict=True):
        if unit is not None:
            assert unit.startswith(grid)


def test_it_agrees_with_shapely_containment(world):
    rng = np.random.default_rng(7)
    lngs = rng.uniform(112.95, 113.45, 500)
    lats = rng.uniform(21.95, 22.25, 500)
    grids, units = spatial.get_index().locate_many(lngs, lats)
    polygons = {
        r.code: shapely.geometry.shape(r.geometry)
        for r in Region.objects.filter(level__in=["grid", "unit"])
    }
    for lng, lat, grid, unit in zip(lngs, lats, grids, units, strict=True):
        point = shapely.Point(lng, lat)
        holders = sorted(c for c, p in polygons.items() if len(c) == 18 and p.intersects(point))
        assert unit == (holders[0] if holders else None)
        if grid is not None:
            assert polygons[grid].intersects(point)


def test_it_keeps_the_index_while_nothing_changes(world):
    first = spatial.get_index()
    assert spatial.get_index() is first
    do_update_region(world.regions[GRID_A], name="东一网格（新）", actor=None)
    assert spatial.get_index() is first
    assert Region.objects.get(code=GRID_A).name == "东一网格（新）"


def test_it_rebuilds_the_index_after_a_geometry_change(world):
    first = spatial.get_index()
    token = spatial.current_revision()
    assert first.revision == token
    assert spatial.locate(113.04, 22.05) == Location(GRID_A, GRID_A + "001")

    do_update_region(
        world.regions[GRID_A + "001"], geometry=box(113.0, 22.0, 113.03, 22.1), actor=None
    )

    assert spatial.current_revision() != token
    second = spatial.get_index()
    assert second is not first
    assert second.revision == spatial.current_revision()
    # The point is now in grid A but in no unit; the rest is unchanged.
    assert spatial.locate(113.04, 22.05) == Location(GRID_A, None)
    assert spatial.locate(113.02, 22.05) == Location(GRID_A, GRID_A + "001")
    assert spatial.get_index() is second


def test_it_bumps_the_revision_with_a_fresh_token_every_time(world):
    row = GeometryRevision.objects.get(pk=1)
    before = (row.revision, row.token)
    spatial.bump_revision()
    row.refresh_from_db()
    assert row.revision == before[0] + 1
    assert row.token != before[1]
    assert len(row.token) == 32


def test_it_rebuilds_after_a_rolled_back_change(world):
    first = spatial.get_index()
    try:
        with transaction.atomic():
            do_update_region(
                world.regions[GRID_A + "001"], geometry=box(113.0, 22.0, 113.03, 22.1), actor=None
            )
            inside = spatial.get_index()
            assert inside is not first
            assert spatial.locate(113.04, 22.05) == Location(GRID_A, None)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    after = spatial.get_index()
    assert after is not inside
    assert after.revision == first.revision
    assert spatial.locate(113.04, 22.05) == Location(GRID_A, GRID_A + "001")


def test_it_checks_the_revision_at_most_every_few_seconds(world, settings, monkeypatch):
    settings.SPATIAL_INDEX_CHECK_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(spatial.time, "monotonic", lambda: clock[0])
    first = spatial.get_index()
    spatial.bump_revision()
    clock[0] += 30
    assert spatial.get_index() is first  # not looked at yet
    clock[0] += 31
    second = spatial.get_index()
    assert second is not first
    assert second.revision == spatial.current_revision()


def test_it_sees_grids_created_later(world):
    from wangge.regions.actions import RegionSpec, do_create_regions

    assert spatial.locate(113.35, 22.15) == Location(None, None)
    do_create_regions(
        [
            RegionSpec("440703002", "北街道", box(113.3, 22.1, 113.4, 22.2)),
            RegionSpec("440703002001", "北社区", box(113.3, 22.1, 113.4, 22.2)),
            RegionSpec("440703002001001", "北网格", box(113.3, 22.1, 113.4, 22.2)),
        ],
        actor=None,
        check_geometry=False,
    )
    assert spatial.locate(113.35, 22.15) == Location("440703002001001", None)


def test_a_clock_that_went_back_does_not_keep_a_stale_index(world):
    """The demo seeder runs the actions on a simulated clock (``freezegun`` moves
    ``time.monotonic`` too): an index checked then must be checked again after."""
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    with freeze_time(timezone.now() - timedelta(days=90)):
        before = spatial.get_index()
    spatial.bump_revision()
    after = spatial.get_index()
    assert after is not before and after.revision == spatial.current_revision()
