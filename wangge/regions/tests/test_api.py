import pytest
from django.test import Client

from wangge.regions.api import OUTSIDE
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER

#: A point inside grid A, unit 1 (the lower half of the grid).
IN_A_UNIT_1 = {"lat": 22.05, "lng": 113.025}
#: A point inside grid B, unit 2.
IN_B_UNIT_2 = {"lat": 22.15, "lng": 113.15}
#: A point inside the district's box gap between the two districts (no grid at all).
NOWHERE = {"lat": 22.05, "lng": 113.25}


def codes_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def all_codes(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/regions?limit=500{query}")
    body = response.json()
    assert body["count"] == len(body["items"])
    return codes_of(response)


# --- list ------------------------------------------------------------------


def test_it_lists_only_grid_a_and_its_units_for_worker_a(api, world):
    assert all_codes(api("worker_a")) == [GRID_A, GRID_A + "001", GRID_A + "002"]


def test_it_lists_only_the_streets_own_communities_and_grids(api, world):
    street = api("street")
    assert all_codes(street, "&type=community") == ["440704001001"]
    assert all_codes(street, "&type=grid") == [GRID_A, GRID_A2]
    assert all_codes(street, "&type=street") == ["440704001"]
    assert all_codes(street, "&type=district") == []
    assert all(code.startswith("440704001") for code in all_codes(street))


def test_it_shows_nothing_of_another_district(api, world):
    other = api("other_district")
    assert all_codes(other, "&under=440704") == []
    assert all_codes(other, f"&under={GRID_A}") == []
    codes = all_codes(other)
    assert codes and all(code.startswith("440703") for code in codes)


def test_it_lists_everything_for_the_admin(api, world):
    assert all_codes(api("admin")) == sorted(world.regions)


def test_it_filters_by_node_and_level(api, world):
    district = api("district")
    assert all_codes(district, "&under=440704002") == [
        "440704002",
        "440704002001",
        GRID_B,
        GRID_B + "001",
        GRID_B + "002",
    ]
    assert all_codes(district, "&under=440704001&type=unit") == [
        GRID_A + "001",
        GRID_A + "002",
        GRID_A2 + "001",
        GRID_A2 + "002",
    ]
    # A node above the user's scope narrows to what the user sees.
    assert all_codes(api("worker_a"), "&under=440704&type=grid") == [GRID_A]


def test_it_pages_with_limit_and_offset(api, world):
    district = api("district")
    everything = all_codes(district)
    assert len(everything) == 14
    first = district.get("/api/v1/regions?limit=5").json()
    assert first["count"] == 14
    assert [i["code"] for i in first["items"]] == everything[:5]
    last = district.get("/api/v1/regions?limit=5&offset=10").json()
    assert last["count"] == 14
    assert [i["code"] for i in last["items"]] == everything[10:]
    beyond = district.get("/api/v1/regions?limit=5&offset=100").json()
    assert beyond == {"items": [], "count": 14}


def test_it_describes_list_items_without_geometry(api, world):
    item = api("worker_a").get("/api/v1/regions?type=unit&limit=1").json()["items"][0]
    assert item == {
        "code": GRID_A + "001",
        "name": "第1单元",
        "level": "unit",
        "kind": "unit",
        "parent": GRID_A,
        "centroid": [113.025, 22.05],
        "point": [113.025, 22.05],
        "bbox": [113.0, 22.0, 113.05, 22.1],
        "area_km2": item["area_km2"],
    }
    assert item["area_km2"] > 0


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("under=abc", "under", "格式不正确"),
        ("under=4407", "under", "格式不正确"),
        ("under=4407041", "under", "不是有效的层级编码"),
        ("under=4407040010", "under", "不是有效的层级编码"),
        ("type=village", "type", "取值应为 district、street、community、grid、unit 之一"),
        ("limit=0", "limit", "不能小于 1"),
        ("limit=501", "limit", "不能大于 500"),
        ("limit=abc", "limit", "必须是整数"),
        ("offset=-1", "offset", "不能小于 0"),
    ],
)
def test_it_refuses_bad_list_filters_per_field(api, world, query, field, message):
    response = api("district").get(f"/api/v1/regions?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "输入有误，请检查各字段"
    assert body["fields"] == {field: [message]}


def test_it_answers_in_unescaped_utf8(api, world):
    response = api("worker_a").get("/api/v1/regions?type=grid")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "东一网格" in response.content.decode("utf-8")
    assert b"\\u" not in response.content


# --- detail ----------------------------------------------------------------


def test_it_gives_a_region_with_geometry_children_and_ancestors(api, world):
    response = api("street").get("/api/v1/regions/440704001001")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "440704001001"
    assert body["name"] == "东社区"
    assert body["level"] == "community"
    assert body["parent"] == "440704001"
    assert body["geometry"]["type"] == "Polygon"
    assert body["geometry"] == world.regions["440704001001"].geometry
    assert body["children"] == {"grid": 2, "unit": 4}
    assert body["ancestors"] == [
        {"code": "440704", "name": "测试区", "level": "district"},
        {"code": "440704001", "name": "东街道", "level": "street"},
    ]


def test_it_counts_children_of_every_lower_level(api, world):
    body = api("admin").get("/api/v1/regions/440704").json()
    assert body["children"] == {"street": 2, "community": 2, "grid": 3, "unit": 6}
    assert body["ancestors"] == []
    unit = api("admin").get(f"/api/v1/regions/{GRID_A}001").json()
    assert unit["children"] == {}
    assert unit["point"] == [113.025, 22.05]


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("worker_a", GRID_B),
        ("worker_a", GRID_A2 + "001"),
        ("worker_a", "440704001001"),
        ("street", "440704002"),
        ("street", "440704"),
        ("other_district", GRID_A),
        ("part_time_a", GRID_A + "002"),
        ("district", GRID_OTHER),
    ],
)
def test_it_answers_out_of_scope_exactly_like_missing(api, world, username, code):
    client = api(username)
    hidden = client.get(f"/api/v1/regions/{code}")
    missing = client.get("/api/v1/regions/440704009009009")
    invalid = client.get("/api/v1/regions/not-a-code")
    assert hidden.status_code == missing.status_code == invalid.status_code == 404
    assert hidden.content == missing.content == invalid.content
    assert hidden.json() == {
        "code": "not_found",
        "message": "未找到该对象，或您无权访问",
        "fields": {},
    }


# --- locate ----------------------------------------------------------------


def test_it_locates_a_point_in_grid_a_unit_1(api, world):
    response = api("worker_a").get("/api/v1/locate", IN_A_UNIT_1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lat"] == IN_A_UNIT_1["lat"]
    assert body["lng"] == IN_A_UNIT_1["lng"]
    assert body["grid"]["code"] == GRID_A
    assert body["grid"]["name"] == "东一网格"
    assert body["unit"]["code"] == GRID_A + "001"


@pytest.mark.parametrize(
    ("username", "point", "grid", "unit"),
    [
        ("district", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("street_b", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("worker_b", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("dept", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("resident", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("admin", IN_B_UNIT_2, GRID_B, GRID_B + "002"),
        ("street", IN_A_UNIT_1, GRID_A, GRID_A + "001"),
        ("community", IN_A_UNIT_1, GRID_A, GRID_A + "001"),
    ],
)
def test_it_locates_for_anyone_who_sees_the_grid(api, world, username, point, grid, unit):
    body = api(username).get("/api/v1/locate", point).json()
    assert body["grid"]["code"] == grid
    assert body["unit"]["code"] == unit


def test_it_answers_outside_all_grids_with_a_field_error(api, world):
    response = api("admin").get("/api/v1/locate", NOWHERE)
    assert response.status_code == 404
    assert response.json() == {
        "code": "outside",
        "message": OUTSIDE,
        "fields": {"lat": [OUTSIDE], "lng": [OUTSIDE]},
    }


def test_it_answers_a_grid_out_of_scope_like_outside_all_grids(api, world):
    client = api("worker_a")
    hidden = client.get("/api/v1/locate", IN_B_UNIT_2)
    nowhere = client.get("/api/v1/locate", NOWHERE)
    assert hidden.status_code == nowhere.status_code == 404
    assert hidden.content == nowhere.content


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("lat=abc&lng=113.0", {"lat": ["必须是数字"]}),
        ("lat=22.1&lng=abc", {"lng": ["必须是数字"]}),
        ("lat=200&lng=113.0", {"lat": ["不能大于 90"]}),
        ("lat=-91&lng=113.0", {"lat": ["不能小于 -90"]}),
        ("lat=22.1&lng=181", {"lng": ["不能大于 180"]}),
        ("lat=22.1", {"lng": ["必填"]}),
        ("", {"lat": ["必填"], "lng": ["必填"]}),
        ("lat=nan&lng=113.0", {"lat": ["必须是有限的数字"]}),
        ("lat=22.1&lng=inf", {"lng": ["必须是有限的数字"]}),
    ],
)
def test_it_refuses_malformed_coordinates_per_field(api, world, query, fields):
    response = api("worker_a").get(f"/api/v1/locate?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert {k: [m.replace(".0", "") for m in v] for k, v in body["fields"].items()} == fields


# --- access ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions",
        f"/api/v1/regions/{GRID_A}",
        "/api/v1/locate?lat=22.05&lng=113.025",
        "/api/v1/me",
    ],
)
def test_it_requires_authentication(world, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_it_serves_the_browser_session(login, world):
    assert all_codes(login("worker_b"), "&type=grid") == [GRID_B]


def test_it_reports_health(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_locates_a_point_in_a_part_time_workers_own_unit(api, world):
    unit = world.regions[GRID_A + "001"]
    response = api("part_time_a").get(f"/api/v1/locate?lat={unit.point_lat}&lng={unit.point_lng}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"]["code"] == unit.code
    assert body["grid"]["code"] == GRID_A
    # The other unit of the same grid stays out of reach.
    other = world.regions[GRID_A + "002"]
    response = api("part_time_a").get(f"/api/v1/locate?lat={other.point_lat}&lng={other.point_lng}")
    assert response.status_code == 404
