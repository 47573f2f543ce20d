"""The API answers in a fixed number of queries, however many regions there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.regions.actions import RegionSpec, do_create_regions
from wangge.testing import box

#: Bearer token check (1) + last-used stamp (≤1) + scope (assignments, permissions,
#: content types) + count + page.
MAX_LIST_QUERIES = 8


def add_many_regions(grids: int = 40, units_per_grid: int = 5) -> int:
    """A third street full of grids (geometry checks off: only the number matters)."""
    specs = [
        RegionSpec("440704003", "南街道", box(113.0, 21.9, 113.2, 22.0)),
        RegionSpec("440704003001", "南社区", box(113.0, 21.9, 113.2, 22.0)),
    ]
    for g in range(1, grids + 1):
        grid = f"440704003001{g:03d}"
        specs.append(RegionSpec(grid, f"南{g}网格", box(113.0, 21.9, 113.2, 22.0)))
        for u in range(1, units_per_grid + 1):
            specs.append(
                RegionSpec(
                    f"{grid}{u:03d}",
                    f"第{u}单元",
                    box(113.0, 21.9, 113.2, 22.0),
                    point=(113.1, 21.95),
                )
            )
    do_create_regions(specs, actor=None, check_geometry=False)
    return len(specs)


def count_queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_it_lists_regions_in_constant_queries(api, world):
    client = api("district")
    client.get("/api/v1/me")  # the first use stamps the token; later ones do not
    small, body = count_queries(client, "/api/v1/regions?limit=500")
    assert body["count"] == 14
    added = add_many_regions()
    large, body = count_queries(client, "/api/v1/regions?limit=500")
    assert body["count"] == 14 + added
    assert len(body["items"]) == 14 + added
    assert large == small
    assert large <= MAX_LIST_QUERIES


def test_it_fetches_only_the_requested_page(api, world):
    add_many_regions()
    client = api("district")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/regions?limit=3&offset=20")
    assert len(response.json()["items"]) == 3
    page_queries = [
        q["sql"]
        for q in ctx.captured_queries
        if '"geometry"' not in q["sql"] and "LIMIT" in q["sql"].upper()
    ]
    assert page_queries, "the page is read with LIMIT"
    # The list never reads the (large) geometry column.
    assert not [q for q in ctx.captured_queries if '"regions_region"."geometry"' in q["sql"]]


def test_it_filters_in_constant_queries(api, world):
    client = api("street")
    client.get("/api/v1/me")
    small, _ = count_queries(client, "/api/v1/regions?type=unit&under=440704001")
    add_many_regions()
    large, _ = count_queries(client, "/api/v1/regions?type=unit&under=440704001")
    assert small == large <= MAX_LIST_QUERIES


def test_it_shows_a_region_in_constant_queries(api, world):
    client = api("district")
    client.get("/api/v1/me")
    small, _ = count_queries(client, "/api/v1/regions/440704")
    add_many_regions()
    large, body = count_queries(client, "/api/v1/regions/440704")
    assert body["children"]["unit"] > 6
    assert small == large <= MAX_LIST_QUERIES + 1


def test_it_locates_in_constant_queries_without_reading_geometry(api, world):
    client = api("district")
    client.get("/api/v1/me")
    client.get("/api/v1/locate?lat=22.05&lng=113.025")  # builds the spatial index
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/locate?lat=22.05&lng=113.025")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= MAX_LIST_QUERIES
    assert not [q for q in ctx.captured_queries if '"geometry"' in q["sql"]]
