"""The 43-item checklist: which items a grid has filled, completeness, staleness, scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.assets.models import Asset
from wangge.basedata.checklist import ITEMS, seed_checklist
from wangge.basedata.models import ChecklistItem
from wangge.organisations.models import Enterprise
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER

from .conftest import ok

URL = "/api/v1/basedata/checklist"
NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}


def items_by_name(body):
    return {item["name"]: item for item in body["items"]}


def test_it_keeps_the_43_items_of_the_five_kinds(api, world):
    items = ok(api("worker_a").get("/api/v1/basedata/items"))
    assert len(items) == 43
    counts = {}
    for item in items:
        counts[item["category_label"]] = counts.get(item["category_label"], 0) + 1
    assert counts == {"人": 13, "地": 10, "事": 7, "物": 7, "组织": 6}
    assert [i["number"] for i in items] == list(range(1, 44))
    measurable = {i["name"] for i in items if i["measurable"]}
    assert {"消防栓", "企业", "网格党组织", "实有人口", "房屋（楼栋）", "矛盾纠纷"} <= measurable
    assert "境外人员" not in measurable
    assert seed_checklist() == 0
    # In English, the kinds are in English.
    client = api("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = {item["category_label"] for item in ok(client.get("/api/v1/basedata/items"))}
    assert english == {"People", "Places", "Events", "Things", "Organisations"}


def test_it_counts_a_grids_items_and_its_completeness(api, samples):
    body = ok(api("worker_a").get(URL, {"grid": GRID_A}))
    assert body["grid_code"] == GRID_A and body["grid_name"] == "东一网格"
    assert body["total"] == 43
    by_name = items_by_name(body)
    expected = {
        "消防栓": 1,  # the sample hydrant
        "企业": 1,
        "瓶装液化气使用点": 1,
        "网格党组织": 1,
        "党员联系户": 1,
        "物业服务企业": 1,  # manages a unit of grid A (and one of grid B)
        "井盖": 0,
        "社会组织": 0,  # the sample one sits at community level
        "路灯": 0,
    }
    assert {name: by_name[name]["count"] for name in expected} == expected
    assert by_name["消防栓"]["filled"] and not by_name["井盖"]["filled"]
    assert by_name["境外人员"] == {
        **by_name["境外人员"],
        "measurable": False,
        "count": None,
        "stale": None,
    }
    filled = sum(1 for i in body["items"] if i["filled"])
    measurable = sum(1 for i in body["items"] if i["measurable"])
    assert body["filled"] == filled == 6
    assert body["measurable"] == measurable
    assert body["completeness"] == round(100 * filled / measurable, 1)
    assert body["by_category"]["organisation"] == {"total": 6, "measurable": 6, "filled": 4}
    assert body["stale_records"] == 0
    assert body["stale_days"] == 180


def test_it_counts_records_not_verified_lately_as_stale(api, samples, settings):
    old = timezone.now() - timedelta(days=200)
    Asset.objects.filter(pk=samples.assets[0]).update(verified_at=old)
    Enterprise.objects.filter(pk=samples.enterprises[0]).update(verified_at=None)
    body = ok(api("worker_a").get(URL, {"grid": GRID_A}))
    by_name = items_by_name(body)
    assert by_name["消防栓"]["stale"] == 1
    assert by_name["企业"]["stale"] == 1
    assert by_name["瓶装液化气使用点"]["stale"] == 1
    assert by_name["矛盾纠纷"]["stale"] is None  # events carry no verification date
    assert body["stale_records"] == 3
    settings.BASEDATA_STALE_DAYS = 365
    by_name = items_by_name(ok(api("worker_a").get(URL, {"grid": GRID_A})))
    assert by_name["消防栓"]["stale"] == 0 and by_name["企业"]["stale"] == 1


def test_it_counts_retired_parts_and_closed_shops_out(api, samples):
    Asset.objects.filter(pk=samples.assets[0]).update(state="retired")
    Enterprise.objects.filter(pk=samples.enterprises[0]).update(is_operating=False)
    by_name = items_by_name(ok(api("worker_a").get(URL, {"grid": GRID_A})))
    assert by_name["消防栓"]["count"] == 0
    assert by_name["企业"]["count"] == 0


@pytest.mark.parametrize(
    ("username", "grid", "status"),
    [
        ("worker_a", GRID_A, 200),
        ("worker_a", GRID_A2, 404),
        ("worker_a", GRID_B, 404),
        ("community", GRID_A2, 200),
        ("street", GRID_B, 404),
        ("street_b", GRID_B, 200),
        ("district", GRID_B, 200),
        ("part_time_a", GRID_A, 404),  # a unit's helper does not see the whole grid
        ("dept", GRID_A, 404),
        ("resident", GRID_A, 404),
        ("other_district", GRID_A, 404),
        ("other_district", GRID_OTHER, 200),
        ("admin", GRID_OTHER, 200),
    ],
)
def test_it_answers_only_for_grids_in_the_users_work_area(api, samples, username, grid, status):
    client = api(username)
    response = client.get(URL, {"grid": grid})
    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == NOT_FOUND
        assert response.content == client.get(URL, {"grid": "440704009009009"}).content


def test_it_lists_the_completeness_of_the_grids_in_scope(api, samples):
    rows = ok(api("street").get("/api/v1/basedata/grids"))["items"]
    assert [r["grid_code"] for r in rows] == [GRID_A, GRID_A2]
    assert rows[0]["filled"] == 6
    assert rows[1]["filled"] == 4  # a cover, an enterprise using bottled gas, a branch
    assert rows[0]["completeness"] > rows[1]["completeness"]
    single = ok(api("worker_a").get(URL, {"grid": GRID_A}))
    assert rows[0]["completeness"] == single["completeness"]
    assert [r["grid_code"] for r in ok(api("worker_a").get("/api/v1/basedata/grids"))["items"]] == [
        GRID_A
    ]
    assert ok(api("admin").get("/api/v1/basedata/grids", {"under": "440703"}))["count"] == 1
    assert ok(api("part_time_a").get("/api/v1/basedata/grids"))["count"] == 0


def test_it_treats_unknown_measures_as_not_measurable(api, samples):
    ChecklistItem.objects.filter(name="消防栓").update(measure="nosuch.Model")
    ChecklistItem.objects.filter(name="企业").update(measure="organisations.Enterprise?nosuch=1")
    ChecklistItem.objects.filter(name="路灯").update(is_active=False)
    body = ok(api("worker_a").get(URL, {"grid": GRID_A}))
    by_name = items_by_name(body)
    assert by_name["消防栓"]["measurable"] is False and by_name["消防栓"]["count"] is None
    assert by_name["企业"]["measurable"] is False
    assert "路灯" not in by_name and body["total"] == 42


def test_the_checklist_data_is_complete():
    assert len(ITEMS) == 43
    assert len({i.name for i in ITEMS}) == 43


def test_it_counts_people_and_buildings_from_their_registries(api, world):
    from django.apps import apps

    from wangge.accounts.scope import prefix_q
    from wangge.testing import sample_people

    sample_people(world)
    person = apps.get_model("people", "Person")
    building = apps.get_model("places", "Building")
    in_a = prefix_q("region_code", [GRID_A])
    by_name = items_by_name(ok(api("worker_a").get(URL, {"grid": GRID_A})))
    residents = person.objects.filter(in_a, status="active")
    assert by_name["实有人口"]["count"] == residents.count() > 0
    assert by_name["流动人口"]["count"] == residents.filter(residence_type="floating").count()
    assert by_name["实有人口"]["stale"] is None  # people carry no verification date (yet)
    assert by_name["房屋（楼栋）"]["count"] == building.objects.filter(in_a).count() > 0
    assert by_name["出租屋"]["count"] == building.objects.filter(in_a, is_rental=True).count()


def test_it_counts_the_items_of_one_model_together_as_each_alone(samples):
    from wangge.basedata import measures
    from wangge.basedata.selectors import active_items

    parsed = [m for m in (measures.parse(i.measure) for i in active_items()) if m is not None]
    # Several items count rows of the same model (people, places…): they share one query.
    models = [m.model for m in parsed if not m.distinct]
    assert len(models) > len(set(models))
    grids = [GRID_A, GRID_A2, GRID_B, GRID_OTHER]
    since = timezone.now() - timedelta(days=30)
    together = measures.tally_many(parsed, grids, since)
    alone = [measures.tally_by_grid(m, grids, since) for m in parsed]
    counts = [
        {g: (t.count, t.stale or 0) for g, t in found.items() if t.count} for found in together
    ]
    assert counts == [
        {g: (t.count, t.stale or 0) for g, t in found.items() if t.count} for found in alone
    ]
    assert any(counts)
