"""Map API refusals in the user's language (Chinese by default)."""

from __future__ import annotations

import pytest

from wangge.testing import CJK, english


def test_a_layer_out_of_reach_is_refused_in_english(client_for):
    response = english(client_for("dept")).get("/api/v1/map/rentals")
    assert response.status_code == 403
    assert response.json()["message"] == "You may not see this layer."
    chinese = client_for("dept").get("/api/v1/map/rentals").json()
    assert chinese["message"] == "您无权查看该图层"


@pytest.mark.parametrize(
    ("bbox", "english_text", "chinese_text"),
    [
        ("1,2,3", "Expected four numbers", "应为“西经度,南纬度,东经度,北纬度”四个数"),
        ("113.0,22.0,200,22.2", "Longitudes must lie between -180 and 180.", "经度应在"),
        ("113.2,22.0,113.0,22.2", "West cannot be beyond east", "西边不能大于东边"),
        ("113.0,nan,113.2,22.2", "Must be a finite number.", "必须是有限的数字"),
    ],
)
def test_a_bad_box_is_refused_in_english(client_for, bbox, english_text, chinese_text):
    response = english(client_for("street")).get("/api/v1/map/events", {"bbox": bbox})
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Invalid input: please check the fields."
    assert body["fields"]["bbox"][0].startswith(english_text)
    assert not CJK.search(body["fields"]["bbox"][0])
    chinese = client_for("street").get("/api/v1/map/events", {"bbox": bbox}).json()
    assert chinese["message"] == "输入有误，请检查各字段"
    assert chinese["fields"]["bbox"][0].startswith(chinese_text)
