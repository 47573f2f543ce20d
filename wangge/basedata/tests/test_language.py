"""The checklist API refuses in the user's language; the checklist itself stays data."""

from django.conf import settings

from wangge.testing import CJK


def test_a_bad_area_code_is_refused_in_chinese_by_default(api, world):
    response = api("admin").get("/api/v1/basedata/grids", {"under": "4407041"})
    assert response.status_code == 422
    assert response.json()["message"] == "输入有误，请检查各字段"
    assert response.json()["fields"] == {"under": ["不是有效的层级编码"]}


def test_a_bad_area_code_is_refused_in_english_when_chosen(api, world):
    client = api("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/basedata/grids", {"under": "4407041"})
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"] == {"under": ["Not a valid area code."]}
    assert not CJK.search(str(data))


def test_the_checklist_items_stay_chinese_in_english_mode(api, world):
    from wangge.basedata.checklist import seed_checklist

    seed_checklist()
    client = api("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    items = client.get("/api/v1/basedata/items").json()
    rows = items["items"] if isinstance(items, dict) else items
    assert any(row["name"] == "实有人口" for row in rows)
