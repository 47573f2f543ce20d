"""City parts refuse in the user's language, state labels included (Chinese by default)."""

from wangge.assets.models import Asset
from wangge.testing import POINT_A, english, no_cjk

from .conftest import post

BAD_ASSET = {
    "type": "9999",
    "lng": POINT_A[0],
    "lat": POINT_A[1],
    "code": "井盖 1",
    "state": "retired",
    "owner_department": "nosuch",
    "installed_on": "2999-01-01",
}


def test_a_refused_part_answers_in_english_when_chosen(api, world):
    response = post(english(api("worker_a")), "/api/v1/assets", BAD_ASSET)
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"]["type"] == ["Unknown type of city part."]
    assert data["fields"]["state"] == ["A newly registered part cannot be “Retired”."]
    assert data["fields"]["installed_on"] == ["The installation date cannot be later than today."]
    no_cjk(data)
    assert not Asset.objects.exists()


def test_a_refused_part_answers_in_chinese_by_default(api, world):
    data = post(api("worker_a"), "/api/v1/assets", BAD_ASSET).json()
    assert data["message"] == "输入有误，请检查各字段"
    assert data["fields"]["state"] == ["新登记的部件不能是「已报废」状态"]


def test_inspections_and_state_changes_refuse_in_english(api, world, samples):
    pk = samples.assets[0]
    client = english(api("worker_a"))
    wrong = post(client, f"/api/v1/assets/{pk}/inspections", {"result": "fixed"})
    assert wrong.json()["fields"]["result"] == [
        "An inspection cannot find the part “Fixed”: record maintenance or a repair."
    ]
    no_cjk(wrong.json())
    same = post(client, f"/api/v1/assets/{pk}/state", {"state": "normal", "reason": "x"})
    assert same.status_code == 409
    assert same.json()["message"] == "This part is already “Normal”."
    assert same.json()["fields"] == {"state": ["The state has not changed."]}
    no_cjk(same.json())
    refused = post(
        english(api("part_time_a")),
        f"/api/v1/assets/{pk}/state",
        {"state": "damaged", "reason": "x"},
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "You may not change the state of this part."


def test_the_same_state_change_is_refused_in_chinese_by_default(api, world, samples):
    pk = samples.assets[0]
    same = post(api("worker_a"), f"/api/v1/assets/{pk}/state", {"state": "normal", "reason": "x"})
    assert same.json()["message"] == "该部件已是「正常」状态"
