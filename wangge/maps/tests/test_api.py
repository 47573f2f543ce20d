"""The map's API: every layer scoped like its app, filtered by node and box, and capped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wangge.maps import selectors
from wangge.maps.tests.conftest import BOX_A, BOX_DISTRICT, codes_of, get, ids_of, ok, report
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, sample_basedata, sample_people

DISTRICT = "440704"
STREET_1 = "440704001"
STREET_2 = "440704002"
COMMUNITY_1 = "440704001001"
NO_SUCH_CODE = "440704009009009"

LAYER_PATHS = [
    "/api/v1/map/events",
    "/api/v1/map/events/heat",
    "/api/v1/map/assets",
    "/api/v1/map/rentals",
    "/api/v1/map/hazards",
    "/api/v1/map/care",
    "/api/v1/map/campaigns",
]
ALL_PATHS = [
    "/api/v1/map/regions",
    f"/api/v1/map/regions/{GRID_A}",
    *LAYER_PATHS,
    "/api/v1/map/campaigns/1/progress",
]


# --- who may call ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_PATHS)
def test_it_answers_anonymous_callers_401(world, path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("path", LAYER_PATHS)
def test_it_shows_residents_no_layer(client_for, path):
    response = client_for("resident").get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_it_offers_each_role_the_layers_it_may_see(ew):
    base = ["events", "heat", "assets"]
    everything = [*base, "rentals", "hazards", "care", "campaigns"]
    assert selectors.available_layers(ew["admin"]) == everything
    assert selectors.available_layers(ew["district"]) == everything
    assert selectors.available_layers(ew["street"]) == everything
    assert selectors.available_layers(ew["worker_a"]) == everything
    assert selectors.available_layers(ew["part_time_a"]) == [*base, "rentals", "campaigns"]
    assert selectors.available_layers(ew["dept"]) == base
    assert selectors.available_layers(ew["resident"]) == []


@pytest.mark.parametrize("path", ["/api/v1/map/rentals", "/api/v1/map/hazards"])
def test_it_refuses_departments_the_layers_of_people_and_places(client_for, path):
    assert client_for("dept").get(path).status_code == 403


# --- the hierarchy -----------------------------------------------------------------------


def test_it_opens_on_the_users_own_nodes(client_for):
    assert codes_of_children(ok(client_for("district").get("/api/v1/map/regions"))) == {DISTRICT}
    assert codes_of_children(ok(client_for("street").get("/api/v1/map/regions"))) == {STREET_1}
    assert codes_of_children(ok(client_for("worker_a").get("/api/v1/map/regions"))) == {GRID_A}
    assert codes_of_children(ok(client_for("admin").get("/api/v1/map/regions"))) == {
        DISTRICT,
        "440703",
    }


def codes_of_children(data):
    assert data["node"] is None
    return {f["properties"]["code"] for f in data["children"]}


def test_it_gives_a_node_with_its_children_and_its_way_up(client_for):
    data = ok(client_for("district").get(f"/api/v1/map/regions/{DISTRICT}"))
    assert data["node"]["properties"]["code"] == DISTRICT
    assert data["node"]["geometry"]["type"] == "Polygon"
    assert codes_of_children(data | {"node": None}) == {STREET_1, STREET_2}
    assert data["ancestors"] == []
    assert data["up"] is None

    data = ok(client_for("district").get(f"/api/v1/map/regions/{GRID_A}"))
    assert [c["code"] for c in data["ancestors"]] == [DISTRICT, STREET_1, COMMUNITY_1]
    assert all(c["visible"] for c in data["ancestors"])
    assert data["up"] == COMMUNITY_1
    assert {f["properties"]["level"] for f in data["children"]} == {"unit"}

    unit = ok(client_for("district").get(f"/api/v1/map/regions/{GRID_A}001"))
    assert unit["children"] == []
    assert unit["node"]["properties"]["point"]


def test_it_shows_a_grid_worker_the_way_up_without_opening_it(client_for):
    data = ok(client_for("worker_a").get(f"/api/v1/map/regions/{GRID_A}"))
    assert [c["visible"] for c in data["ancestors"]] == [False, False, False]
    assert data["up"] is None


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("street", DISTRICT),
        ("street", STREET_2),
        ("street", GRID_B),
        ("street_b", GRID_A),
        ("worker_a", GRID_A2),
        ("worker_a", COMMUNITY_1),
        ("other_district", GRID_A),
        ("district", GRID_OTHER),
    ],
)
def test_it_answers_a_node_out_of_scope_like_a_missing_one(client_for, username, code):
    client = client_for(username)
    missing = client.get(f"/api/v1/map/regions/{NO_SUCH_CODE}")
    response = client.get(f"/api/v1/map/regions/{code}")
    assert missing.status_code == response.status_code == 404
    assert response.content == missing.content


# --- events -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"A", "A2", "B", "OTHER"}),
        ("district", {"A", "A2", "B"}),
        ("street", {"A", "A2"}),
        ("street_b", {"B"}),
        ("community", {"A", "A2"}),
        ("worker_a", {"A"}),
        ("worker_a2", {"A2"}),
        ("worker_b", {"B"}),
        ("other_district", {"OTHER"}),
        # A department sees what is dispatched to it.
        ("dept", {"A"}),
        ("dept_sz", set()),
    ],
)
def test_it_shows_each_role_only_the_events_in_its_scope(client_for, events, username, expected):
    data = ok(client_for(username).get("/api/v1/map/events"))
    assert ids_of(data) == {events[place] for place in expected}
    assert data["total"] == len(expected)
    assert data["truncated"] is False


def test_it_describes_an_event_for_its_card(client_for, events):
    data = ok(client_for("street").get("/api/v1/map/events", {"under": GRID_A}))
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [113.02, 22.05]}
    props = feature["properties"]
    assert props["kind"] == "event"
    assert props["title"] == "井盖松动A"
    assert props["state"] == "dispatched" and props["state_label"] == "已派遣"
    assert props["category"] == "0601" and props["category_name"]
    assert props["address"] == "A路口"
    assert props["grid"] == "东一网格"
    assert props["overdue"] is False
    assert props["number"]
    assert props["url"] == f"/events/{events['A']}/"


def test_it_filters_events_by_node(client_for, events):
    client = client_for("district")
    assert ids_of(ok(get(client, "/api/v1/map/events", under=STREET_1))) == {
        events["A"],
        events["A2"],
    }
    assert ids_of(ok(get(client, "/api/v1/map/events", under=GRID_B))) == {events["B"]}
    assert ids_of(ok(get(client, "/api/v1/map/events", under=f"{GRID_A}002"))) == set()


@pytest.mark.parametrize(
    ("username", "under"),
    [
        ("street", STREET_2),
        ("street", GRID_B),
        ("street", DISTRICT),
        ("worker_a", GRID_A2),
        ("street_b", GRID_A),
        ("other_district", DISTRICT),
        ("district", GRID_OTHER),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/map/events",
        "/api/v1/map/events/heat",
        "/api/v1/map/assets",
        "/api/v1/map/rentals",
        "/api/v1/map/hazards",
        "/api/v1/map/care",
    ],
)
def test_it_answers_a_node_filter_out_of_scope_like_a_missing_node(
    client_for, username, under, path
):
    client = client_for(username)
    missing = client.get(path, {"under": NO_SUCH_CODE})
    response = client.get(path, {"under": under})
    assert missing.status_code == response.status_code == 404
    assert response.content == missing.content


def test_it_filters_events_by_the_visible_box(client_for, events):
    client = client_for("district")
    assert ids_of(ok(get(client, "/api/v1/map/events", bbox=BOX_A))) == {events["A"]}
    assert ids_of(ok(get(client, "/api/v1/map/events", bbox=BOX_DISTRICT))) == {
        events["A"],
        events["A2"],
        events["B"],
    }
    # A box over the other district shows nothing of it to this district.
    assert ok(get(client, "/api/v1/map/events", bbox="113.3,22.0,113.4,22.1"))["total"] == 0
    heat = ok(get(client, "/api/v1/map/events/heat", bbox=BOX_A))
    assert heat["points"] == [[22.05, 113.02, 1]]


@pytest.mark.parametrize(
    "bbox",
    ["113,22,113.2", "a,b,c,d", "113.2,22,113.0,22.2", "113,22,113.2,95", "nan,22,113,22.2", ","],
)
def test_it_refuses_a_box_it_cannot_read(client_for, events, bbox):
    response = client_for("district").get("/api/v1/map/events", {"bbox": bbox})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["bbox"]


def test_it_caps_events_with_the_overdue_first(client_for, events):
    from wangge.events.actions import do_accept_event, mark_overdue
    from wangge.events.models import Event

    extra = [report("A", title=f"垃圾{i}") for i in range(4)]
    late = Event.objects.get(pk=events["A"])
    do_accept_event(late, actor=None)
    flagged = mark_overdue(timezone.now() + timedelta(days=60))
    assert flagged.flagged == [events["A"]]

    client = client_for("worker_a")
    data = ok(get(client, "/api/v1/map/events", limit=2))
    assert data["total"] == 5
    assert data["returned"] == len(data["features"]) == 2
    assert data["truncated"] is True
    assert data["limit"] == 2
    first, second = data["features"]
    assert first["id"] == events["A"] and first["properties"]["overdue"] is True
    assert second["id"] == max(extra)  # then the newest

    only_late = ok(get(client, "/api/v1/map/events", overdue="true"))
    assert ids_of(only_late) == {events["A"]}
    heat = ok(get(client, "/api/v1/map/events/heat"))
    assert heat["total"] == 5 and heat["truncated"] is False
    assert sorted(p[2] for p in heat["points"]) == [1, 1, 1, 1, 2]

    too_many = client.get("/api/v1/map/events", {"limit": selectors.MAX_LIMIT + 1})
    assert too_many.status_code == 422
    assert too_many.json()["fields"]["limit"]


def test_it_filters_events_by_state_and_openness(client_for, events):
    from wangge.events.actions import do_reject_event
    from wangge.events.models import Event

    do_reject_event(Event.objects.get(pk=events["A2"]), actor=None, reason="重复上报")
    client = client_for("street")
    assert ids_of(ok(get(client, "/api/v1/map/events", open="true"))) == {events["A"]}
    assert ids_of(ok(get(client, "/api/v1/map/events", open="false"))) == {events["A2"]}
    assert ids_of(ok(get(client, "/api/v1/map/events", state="dispatched"))) == {events["A"]}
    assert ids_of(ok(get(client, "/api/v1/map/events", category="06"))) == {
        events["A"],
        events["A2"],
    }
    assert ids_of(ok(get(client, "/api/v1/map/events", category="01"))) == set()


# --- city parts -----------------------------------------------------------------------------


def asset_names(data):
    return {f["properties"]["title"] for f in data["features"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"A", "A2", "B", "邻"}),
        ("district", {"A", "A2", "B"}),
        ("street", {"A", "A2"}),
        ("street_b", {"B"}),
        ("worker_a", {"A"}),
        ("worker_b", {"B"}),
        ("other_district", {"邻"}),
        # 城管 owns the part in grid A; 邻区城管局 is another department.
        ("dept", {"A"}),
    ],
)
def test_it_shows_each_role_only_the_city_parts_in_its_scope(client_for, world, username, expected):
    sample_basedata(world)
    data = ok(client_for(username).get("/api/v1/map/assets"))
    assert asset_names(data) == {f"样例部件{key}" for key in expected}


def test_it_shows_hydrants_and_covers_apart_and_problems_first(client_for, world):
    from wangge.assets.actions import do_change_asset_state
    from wangge.assets.models import Asset

    sample_basedata(world)
    client = client_for("admin")
    hydrants = ok(get(client, "/api/v1/map/assets", group="hydrants"))
    assert asset_names(hydrants) == {"样例部件A", "样例部件邻"}
    assert {f["properties"]["type_name"] for f in hydrants["features"]} == {"消防栓"}
    covers = ok(get(client, "/api/v1/map/assets", group="covers"))
    assert asset_names(covers) == {"样例部件A2"}

    broken = Asset.objects.get(name="样例部件邻")
    do_change_asset_state(broken, actor=None, state="damaged", reason="被撞歪")
    data = ok(get(client, "/api/v1/map/assets", group="hydrants", limit=1))
    (first,) = data["features"]
    assert first["properties"]["title"] == "样例部件邻"
    assert first["properties"]["problem"] is True
    assert first["properties"]["state_label"] == "损坏"
    assert first["properties"]["url"] == f"/assets/{broken.pk}/"
    assert data["truncated"] is True

    in_box = ok(get(client, "/api/v1/map/assets", bbox=BOX_A))
    assert asset_names(in_box) == {"样例部件A"}
    # In English, the states are in English.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = ok(get(client, "/api/v1/map/assets", group="hydrants"))
    assert {f["properties"]["state_label"] for f in data["features"]} == {"Damaged", "Normal"}


# --- rental housing -------------------------------------------------------------------------


@pytest.fixture
def rentals(world):
    """Buildings A (already let), B and the other district's let to tenants."""
    from wangge.places.models import Building

    places = sample_people(world)
    Building.objects.filter(pk__in=[places.buildings["B"], places.buildings["邻"]]).update(
        is_rental=True
    )
    return places.buildings


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"A", "B", "邻"}),
        ("district", {"A", "B"}),
        ("street", {"A"}),
        ("street_b", {"B"}),
        ("community", {"A"}),
        ("worker_a", {"A"}),
        ("worker_a2", set()),
        ("worker_b", {"B"}),
        ("part_time_a", {"A"}),
        ("other_district", {"邻"}),
    ],
)
def test_it_shows_each_role_only_the_rental_housing_in_its_scope(
    client_for, rentals, username, expected
):
    data = ok(client_for(username).get("/api/v1/map/rentals"))
    assert ids_of(data) == {rentals[key] for key in expected}


def test_it_places_a_rental_building_without_coordinates_at_its_unit(client_for, world, rentals):
    from wangge.regions.models import Region

    unit = Region.objects.get(code=f"{GRID_A}001")
    data = ok(client_for("worker_a").get("/api/v1/map/rentals"))
    (feature,) = data["features"]
    assert feature["geometry"]["coordinates"] == [
        round(unit.point_lng, 7),
        round(unit.point_lat, 7),
    ]
    props = feature["properties"]
    assert props["title"] == "样例楼A"
    assert props["rooms"] == 2 and props["occupants"] == 1
    assert props["url"] == f"/places/{rentals['A']}/"
    assert ok(get(client_for("district"), "/api/v1/map/rentals", bbox=BOX_A))["total"] == 1
    assert ok(get(client_for("district"), "/api/v1/map/rentals", limit=1))["truncated"] is True


# --- enterprises with open hazards -----------------------------------------------------------


@pytest.fixture
def hazards(world):
    from wangge.inspections.testing import sample_inspections

    sample_inspections(world)
    return sample_basedata(world).enterprises


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {0, 1, 2, 3}),
        ("district", {0, 1, 2}),
        ("street", {0, 1}),
        ("street_b", {2}),
        ("community", {0, 1}),
        ("worker_a", {0}),
        ("worker_b", {2}),
        ("other_district", {3}),
    ],
)
def test_it_shows_each_role_only_the_enterprises_with_hazards_in_its_scope(
    client_for, hazards, username, expected
):
    data = ok(client_for(username).get("/api/v1/map/hazards"))
    assert ids_of(data) == {hazards[i] for i in expected}
    for feature in data["features"]:
        assert feature["properties"]["open_hazards"] >= 1
        assert feature["properties"]["deadline"]


def test_it_marks_enterprises_past_their_deadline(client_for, hazards):
    from wangge.inspections.models import Hazard

    Hazard.objects.filter(enterprise_id=hazards[0]).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    data = ok(client_for("street").get("/api/v1/map/hazards", {"limit": 1}))
    (first,) = data["features"]
    assert first["id"] == hazards[0]
    assert first["properties"]["late"] is True
    assert first["properties"]["url"] == f"/organisations/enterprises/{hazards[0]}/"
    assert data["total"] == 2 and data["truncated"] is True
    assert ids_of(ok(get(client_for("street"), "/api/v1/map/hazards", bbox=BOX_A))) == {hazards[0]}


# --- care-visit coverage ---------------------------------------------------------------------


@pytest.fixture
def care(world):
    """Two elderly people living alone in grid A (one visited), one in A2 and one in B."""
    from wangge.care.actions import do_record_visit
    from wangge.people.actions import do_create_person
    from wangge.testing import make_id_number

    people = {}
    for i, (label, unit) in enumerate(
        [
            ("a1", f"{GRID_A}001"),
            ("a2", f"{GRID_A}002"),
            ("x", f"{GRID_A2}001"),
            ("b", f"{GRID_B}001"),
        ]
    ):
        people[label] = do_create_person(
            actor=None,
            name=f"老人{label}",
            id_number=make_id_number("440704", "19400101", f"{500 + i:03d}"),
            region_code=unit,
            tags=["elderly_alone"],
        )
    do_record_visit(people["a1"], actor=None, outcome="seen", note="身体不错")
    return people


def test_it_colours_each_child_by_care_visit_coverage(client_for, care):
    data = ok(client_for("street").get("/api/v1/map/care", {"under": COMMUNITY_1}))
    rows = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert set(rows) == {GRID_A, GRID_A2}
    assert rows[GRID_A]["tagged"] == 2 and rows[GRID_A]["visited"] == 1
    assert rows[GRID_A]["rate"] == 0.5
    assert rows[GRID_A2]["tagged"] == 1 and rows[GRID_A2]["rate"] == 0.0
    assert rows[GRID_A]["url"] == f"/care/coverage/?under={GRID_A}"
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    assert data["total"]["tagged"] == 3

    top = ok(client_for("street").get("/api/v1/map/care"))
    assert codes_of(top) == {STREET_1}
    district = ok(client_for("district").get("/api/v1/map/care", {"under": DISTRICT}))
    assert codes_of(district) == {STREET_1, STREET_2}
    grid = ok(client_for("worker_a").get("/api/v1/map/care", {"under": GRID_A}))
    assert codes_of(grid) == {f"{GRID_A}001", f"{GRID_A}002"}
    assert codes_of(ok(client_for("worker_a").get("/api/v1/map/care"))) == {GRID_A}
    assert client_for("dept").get("/api/v1/map/care").status_code == 403


# --- campaign progress --------------------------------------------------------------------------


@pytest.fixture
def campaigns(world):
    from wangge.campaigns.testing import sample_campaigns

    return sample_campaigns(world).campaigns


def test_it_lists_the_launched_campaigns_each_role_sees(client_for, campaigns):
    district, draft, other = campaigns
    assert [c["id"] for c in ok(client_for("street").get("/api/v1/map/campaigns"))] == [district]
    assert [c["id"] for c in ok(client_for("other_district").get("/api/v1/map/campaigns"))] == [
        other
    ]
    found = ok(client_for("worker_a").get("/api/v1/map/campaigns"))
    assert [c["id"] for c in found] == [district]
    # The grid worker's figures count their own grid's target only.
    assert found[0]["total"] == 1 and found[0]["done"] == 1
    assert draft not in {c["id"] for c in ok(client_for("admin").get("/api/v1/map/campaigns"))}
    assert client_for("dept").get("/api/v1/map/campaigns").status_code == 403


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {GRID_A, GRID_A2, GRID_B}),
        ("district", {GRID_A, GRID_A2, GRID_B}),
        ("street", {GRID_A, GRID_A2}),
        ("street_b", {GRID_B}),
        ("community", {GRID_A, GRID_A2}),
        ("worker_a", {GRID_A}),
        ("worker_b", {GRID_B}),
    ],
)
def test_it_shows_campaign_progress_per_grid_in_scope(client_for, campaigns, username, expected):
    data = ok(client_for(username).get(f"/api/v1/map/campaigns/{campaigns[0]}/progress"))
    assert codes_of(data) == expected
    assert data["by"] == "grid"
    rows = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    if GRID_A in rows:
        assert rows[GRID_A]["done"] == 1 and rows[GRID_A]["done_rate"] == 100.0
    assert data["total"]["total"] == len(expected)


def test_it_shows_campaign_progress_per_unit_under_a_grid(client_for, campaigns):
    data = ok(
        client_for("street").get(
            f"/api/v1/map/campaigns/{campaigns[0]}/progress", {"under": GRID_A}
        )
    )
    assert data["by"] == "unit"
    assert codes_of(data) == {f"{GRID_A}001"}
    under_street = ok(
        client_for("district").get(
            f"/api/v1/map/campaigns/{campaigns[0]}/progress", {"under": STREET_2}
        )
    )
    assert codes_of(under_street) == {GRID_B}


@pytest.mark.parametrize(
    ("username", "index"),
    [("other_district", 0), ("district", 2), ("street", 2), ("worker_b", 1), ("street_b", 1)],
)
def test_it_answers_a_campaign_out_of_scope_like_a_missing_one(
    client_for, campaigns, username, index
):
    client = client_for(username)
    missing = client.get("/api/v1/map/campaigns/999999/progress")
    response = client.get(f"/api/v1/map/campaigns/{campaigns[index]}/progress")
    assert missing.status_code == response.status_code == 404
    assert response.content == missing.content


# --- cost ------------------------------------------------------------------------------------


def test_it_reads_a_layer_in_a_few_queries_whatever_its_size(client_for, events):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("district")
    client.get("/api/v1/map/events")  # the token and the scope, once
    with CaptureQueriesContext(connection) as few:
        assert ok(client.get("/api/v1/map/events"))["total"] == 3
    for i in range(30):
        report(("A", "A2", "B")[i % 3], title=f"批量{i}")
    with CaptureQueriesContext(connection) as many:
        assert ok(client.get("/api/v1/map/events"))["total"] == 33
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


# --- optional apps -----------------------------------------------------------------------------


def test_it_finds_optional_selectors_only_where_they_are():
    assert selectors.optional("wangge.care.coverage.coverage_for", "wangge.care") is not None
    assert selectors.optional("wangge.care.coverage.no_such_selector", "wangge.care") is None
    assert selectors.optional("wangge.no_such_app.selectors.x", "wangge.no_such_app") is None


def test_it_leaves_out_a_layer_whose_app_is_missing(client_for, ew, monkeypatch):
    monkeypatch.setattr(selectors, "_hazard_selector", lambda: None)
    monkeypatch.setattr(selectors, "_coverage_selector", lambda: None)
    monkeypatch.setattr(selectors, "_campaign_selectors", lambda: None)
    assert selectors.available_layers(ew["street"]) == [
        "events",
        "heat",
        "assets",
        "rentals",
    ]
    for path in ("/api/v1/map/hazards", "/api/v1/map/care", "/api/v1/map/campaigns"):
        assert client_for("street").get(path).status_code == 403
