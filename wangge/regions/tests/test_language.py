"""Region imports and lookups answer in the user's language; the console stays Chinese."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from wangge.regions.models import Region
from wangge.testing import CJK, GRID_A, box, english

from .test_import import NEW, grid_row, make_csv, make_geojson, upload

BAD_ROWS = [
    grid_row("440704001001003", box(113.3, 22.0, 113.31, 22.01)),
    [GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "abc", "1"],
    ["12345", "x", "", box(113.0, 22.0, 113.01, 22.01), "", ""],
]


def test_an_import_with_errors_answers_in_chinese_by_default(api, world):
    response = upload(api("admin"), make_csv(BAD_ROWS), format="csv")
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "导入文件有误，未写入任何数据"
    messages = {(r["row"], r["field"]): r["message"] for r in body["rows"]}
    assert messages[(2, "geometry")] == "范围超出上级节点 440704001001 的范围"
    assert messages[(3, "lng")] == "经度必须是数字（得到“abc”）"
    assert messages[(4, "code")].startswith("编码格式不正确")


def test_an_import_with_errors_answers_in_english_when_chosen(api, world):
    before = Region.objects.count()
    response = upload(english(api("admin")), make_csv(BAD_ROWS), format="csv")
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The file has errors; nothing was stored."
    messages = {(r["row"], r["field"]): r["message"] for r in body["rows"]}
    assert messages[(2, "geometry")] == (
        "The area goes beyond that of the parent node 440704001001."
    )
    assert messages[(3, "lng")] == "The longitude must be a number (got “abc”)."
    assert messages[(4, "code")].startswith("Invalid code")
    for message in [body["message"], *messages.values()]:
        assert not CJK.search(message), message
    assert Region.objects.count() == before


def test_a_missing_column_and_a_bad_format_are_refused_in_english(api, world):
    client = english(api("admin"))
    response = upload(client, make_csv(NEW, header=["code", "name", "kind", "lng", "lat"]))
    rows = response.json()["rows"]
    assert rows[0]["message"] == (
        "The column “geometry” is missing (the header should hold: code,name,geometry,kind,lng,lat)."
    )
    refused = upload(client, make_csv(NEW), format="shapefile")
    assert refused.json()["fields"] == {"format": ["Must be auto, geojson or csv."]}
    assert not CJK.search(str(refused.json()))
    worker = upload(english(api("worker_a")), make_csv(NEW))
    assert worker.status_code == 403
    assert worker.json()["message"] == "You may not import regions."


def test_locating_outside_every_grid_answers_in_english(api, world):
    response = english(api("worker_a")).get("/api/v1/locate?lng=120.0&lat=30.0")
    assert response.status_code == 404
    assert response.json()["message"] == "This place is not in any grid you can see."


def test_the_console_stays_chinese_whatever_the_language(world, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(make_geojson([grid_row("440704001001003", box(113.3, 22.0, 113.31, 22.01))]))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_regions", str(path), "--format", "geojson", stderr=err)
    assert "第 1 个要素（440704001001003） geometry：范围超出上级节点" in err.getvalue()


def test_a_boundary_that_crosses_itself_is_refused_in_the_users_language(api, world):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[113.0, 22.0], [113.01, 22.01], [113.01, 22.0], [113.0, 22.01], [113.0, 22.0]]
        ],
    }
    rows = [[GRID_A + "008", "八号楼", "", bowtie, "", ""]]
    chinese = upload(api("admin"), make_csv(rows), format="csv").json()["rows"]
    assert [r["message"] for r in chinese if r["field"] == "geometry"][0].startswith("范围自相交（")
    english_rows = upload(english(api("admin")), make_csv(rows), format="csv").json()["rows"]
    message = [r["message"] for r in english_rows if r["field"] == "geometry"][0]
    assert message.startswith("The boundary crosses itself (")
    assert not CJK.search(message), message
