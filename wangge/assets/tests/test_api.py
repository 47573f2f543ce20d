"""City parts through the API: who sees and changes which, inspections, state changes."""

import pytest

from wangge.assets.models import Asset, InspectionLog
from wangge.audit.models import AuditEntry
from wangge.testing import GRID_A, GRID_B, POINT_A, POINT_B, POINT_OUTSIDE

from .conftest import ok, post

NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}


def ids(client, query=""):
    return {a["id"] for a in ok(client.get(f"/api/v1/assets{query}"))["items"]}


def test_it_lists_the_asset_types(api, world):
    types = ok(api("worker_a").get("/api/v1/assets/types"))
    by_code = {t["code"]: t for t in types}
    assert by_code["0111"]["name"] == "消防栓"
    assert by_code["0111"]["category_label"] == "公用设施类"
    assert {"0101", "0102", "0103", "0105", "0107", "0112", "0115"} <= set(by_code)
    assert {t["category"] for t in types} >= {"public_utility", "road_traffic", "greening"}


def test_it_registers_an_asset_in_the_workers_own_grid(api, world):
    body = {"type": "0111", "lng": POINT_A[0], "lat": POINT_A[1], "owner_department": "cg"}
    asset = ok(post(api("worker_a"), "/api/v1/assets", body), 201)
    assert asset["region_code"] == GRID_A + "001"
    assert asset["grid_code"] == GRID_A
    assert asset["code"] == f"XFS-{asset['id']:07d}"
    assert asset["name"] == "消防栓"
    assert asset["state"] == "normal" and asset["state_label"] == "正常"
    assert asset["owner_department"]["code"] == "cg"
    assert asset["stale"] is False
    assert set(asset["actions"]) == {"inspect", "change_state"}
    entry = AuditEntry.objects.get(action="assets.create")
    assert entry.actor == world["worker_a"]
    assert entry.region_code == GRID_A + "001"


def test_it_refuses_places_outside_the_workers_area_alike(api, world):
    client = api("worker_a")
    elsewhere = post(
        client, "/api/v1/assets", {"type": "0111", "lng": POINT_B[0], "lat": POINT_B[1]}
    )
    nowhere = post(
        client, "/api/v1/assets", {"type": "0111", "lng": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}
    )
    assert elsewhere.status_code == nowhere.status_code == 422
    assert elsewhere.json() == nowhere.json()
    assert elsewhere.json()["fields"]["lng"] == ["该位置不在您管辖的网格范围内"]
    by_code = post(
        client,
        "/api/v1/assets",
        {"type": "0111", "lng": POINT_A[0], "lat": POINT_A[1], "region_code": GRID_B},
    )
    assert by_code.json()["fields"]["region_code"] == ["该位置不在您管辖的网格范围内"]
    assert not Asset.objects.exists()


def test_it_explains_invalid_input_field_by_field(api, world):
    response = post(
        api("worker_a"),
        "/api/v1/assets",
        {
            "type": "9999",
            "lng": POINT_A[0],
            "lat": POINT_A[1],
            "code": "井盖 1",
            "state": "retired",
            "owner_department": "nosuch",
            "installed_on": "2999-01-01",
        },
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["type"] == ["未知的部件类型"]
    assert fields["code"] == ["编号只能由字母、数字和连字符组成，最长 32 位"]
    assert fields["state"] == ["新登记的部件不能是「已报废」状态"]
    assert fields["owner_department"] == ["未知的部门，或该部门不属于部件所在的区"]
    assert fields["installed_on"] == ["安装日期不能晚于今天"]


def test_it_keeps_numbers_unique_in_a_district(api, world, samples):
    body = {"type": "0111", "lng": POINT_A[0], "lat": POINT_A[1], "code": "sample-1"}
    response = post(api("worker_a"), "/api/v1/assets", body)
    assert response.status_code == 422
    assert response.json()["fields"]["code"] == ["该编号已被本区其他部件使用"]


@pytest.mark.parametrize("username", ["resident", "dept", "district", "other_district"])
def test_it_forbids_registering_without_the_right(api, world, username):
    body = {"type": "0111", "lng": POINT_A[0], "lat": POINT_A[1]}
    response = post(api(username), "/api/v1/assets", body)
    assert response.status_code == 403, response.content
    assert response.json() == {"code": "forbidden", "message": "您无权登记城市部件", "fields": {}}
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("admin", {"A", "A2", "B", "邻"}),
        ("district", {"A", "A2", "B"}),
        ("street", {"A", "A2"}),
        ("street_b", {"B"}),
        ("community", {"A", "A2"}),
        ("worker_a", {"A"}),
        ("worker_a2", {"A2"}),
        ("worker_b", {"B"}),
        ("part_time_a", {"A"}),  # the grid A asset stands in the part-timer's unit
        ("dept", {"A"}),  # 城管局 owns the grid A hydrant
        ("resident", set()),
        ("other_district", {"邻"}),
    ],
)
def test_it_shows_each_role_its_assets(api, samples, username, seen):
    by_key = dict(zip(["A", "A2", "B", "邻"], samples.assets, strict=True))
    client = api(username)
    assert ids(client) == {by_key[k] for k in seen}
    missing = client.get("/api/v1/assets/999999")
    assert missing.status_code == 404 and missing.json() == NOT_FOUND
    for key, pk in by_key.items():
        response = client.get(f"/api/v1/assets/{pk}")
        if key in seen:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert response.content == missing.content


def test_it_never_lets_a_worker_act_on_another_grids_asset(api, samples):
    b_asset = samples.assets[2]
    client = api("worker_a")
    for path, body in [
        ("inspections", {"result": "normal"}),
        ("state", {"state": "damaged", "reason": "x"}),
    ]:
        response = post(client, f"/api/v1/assets/{b_asset}/{path}", body)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert ids(client, f"?under={GRID_B}") == set()
    assert not InspectionLog.objects.exists()


def test_it_records_inspections_and_follows_what_was_found(api, world, samples):
    pk = samples.assets[0]
    client = api("worker_a")
    needs_note = post(client, f"/api/v1/assets/{pk}/inspections", {"result": "damaged"})
    assert needs_note.status_code == 422
    assert needs_note.json()["fields"]["note"] == ["请说明发现的问题"]
    found = ok(
        post(client, f"/api/v1/assets/{pk}/inspections", {"result": "damaged", "note": "栓帽缺失"}),
        201,
    )
    assert found["state"] == "damaged"
    assert found["last_inspected_at"] is not None
    log = found["logs"][0]
    assert log["kind"] == "inspection" and log["kind_label"] == "巡检"
    assert log["result_label"] == "损坏"
    assert (log["state_before"], log["state_after"]) == ("normal", "damaged")
    assert log["by"] == "张伟"
    wrong = post(client, f"/api/v1/assets/{pk}/inspections", {"result": "fixed"})
    assert wrong.json()["fields"]["result"] == ["巡检的结果不能是「已修复」，请记录为养护或维修"]
    fixed = ok(
        post(
            client,
            f"/api/v1/assets/{pk}/inspections",
            {"kind": "repair", "result": "fixed", "note": "更换栓帽"},
        ),
        201,
    )
    assert fixed["state"] == "normal"
    assert [entry["kind"] for entry in fixed["logs"]] == ["repair", "inspection"]
    assert AuditEntry.objects.filter(action__in=["assets.inspection", "assets.repair"]).count() == 2


def test_it_lets_the_owner_department_and_the_unit_helper_inspect(api, world, samples):
    pk = samples.assets[0]
    done = ok(post(api("dept"), f"/api/v1/assets/{pk}/inspections", {"result": "normal"}), 201)
    assert done["actions"] == ["inspect", "change_state"]
    helper = ok(
        post(api("part_time_a"), f"/api/v1/assets/{pk}/inspections", {"result": "normal"}), 201
    )
    assert helper["actions"] == ["inspect"]
    refused = post(
        api("part_time_a"), f"/api/v1/assets/{pk}/state", {"state": "damaged", "reason": "x"}
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "您无权变更该部件的状态"


def test_it_changes_the_state_once_per_version(api, world, samples):
    pk = samples.assets[0]
    client = api("worker_a")
    asset = ok(client.get(f"/api/v1/assets/{pk}"))
    body = {"state": "under_repair", "reason": "已报修", "version": asset["version"]}
    changed = ok(post(client, f"/api/v1/assets/{pk}/state", body))
    assert changed["state"] == "under_repair"
    assert changed["version"] == asset["version"] + 1
    assert changed["logs"][0]["kind"] == "state_change"
    again = post(client, f"/api/v1/assets/{pk}/state", {**body, "state": "retired"})
    assert again.status_code == 409
    assert again.json()["fields"] == {"version": ["版本已过期"]}
    same = post(client, f"/api/v1/assets/{pk}/state", {"state": "under_repair", "reason": "x"})
    assert same.status_code == 409
    ok(post(client, f"/api/v1/assets/{pk}/state", {"state": "retired", "reason": "拆除"}))
    final = post(client, f"/api/v1/assets/{pk}/state", {"state": "normal", "reason": "x"})
    assert final.status_code == 409
    assert final.json()["message"] == "已报废的部件不能再变更状态"
    inspected = post(client, f"/api/v1/assets/{pk}/inspections", {"result": "normal"})
    assert inspected.status_code == 409


def test_it_filters_the_list(api, samples):
    client = api("admin")
    a, a2, b, other = samples.assets
    assert ids(client, "?asset_type=0111") == {a, other}
    assert ids(client, "?asset_type=01") == {a, a2, b, other}
    assert ids(client, f"?under={GRID_A}") == {a}
    assert ids(client, f"?department={samples_department(b)}") == {b}
    Asset.objects.filter(pk=a2).update(state="damaged", is_new=True)
    assert ids(client, "?state=damaged") == {a2}
    assert ids(client, "?is_new=true") == {a2}
    bad = client.get("/api/v1/assets?under=1234567")
    assert bad.status_code == 422
    assert bad.json()["fields"]["under"] == ["不是有效的层级编码"]


def samples_department(pk):
    return Asset.objects.get(pk=pk).owner_department_id
