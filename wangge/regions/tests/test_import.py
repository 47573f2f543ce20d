import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.accounts.models import Role
from wangge.accounts.scope import forget_scope
from wangge.audit.models import AuditEntry
from wangge.regions import imports, spatial
from wangge.regions.actions import RegionImportError
from wangge.regions.models import Region
from wangge.testing import GRID_A, box

HEADER = ["code", "name", "kind", "geometry", "lng", "lat"]
BOW_TIE = "POLYGON ((113.0 22.0, 113.01 22.01, 113.01 22.0, 113.0 22.01, 113.0 22.0))"

# A new district east of the test world, down to two minimal units.
NEW = [
    ["440705", "新区", "district", box(113.5, 22.0, 113.6, 22.1), "", ""],
    ["440705001", "新镇", "town", box(113.5, 22.0, 113.6, 22.1), "", ""],
    ["440705001001", "新村", "village", box(113.5, 22.0, 113.6, 22.1), "", ""],
    ["440705001001001", "新一网格", "", box(113.5, 22.0, 113.6, 22.1), "", ""],
    ["440705001001001001", "一号楼", "", box(113.5, 22.0, 113.55, 22.1), "113.52", "22.05"],
    ["440705001001001002", "二号楼", "", box(113.55, 22.0, 113.6, 22.1), "113.57", "22.05"],
]


def make_csv(rows, header=HEADER, bom=False):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([json.dumps(c) if isinstance(c, dict) else c for c in row])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def make_geojson(rows):
    features = []
    for code, name, kind, geometry, lng, lat in rows:
        properties = {"code": code, "name": name}
        if kind:
            properties["kind"] = kind
        if lng or lat:
            properties["point"] = [float(lng), float(lat)]
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def grid_row(code, geometry, name="新网格"):
    return [code, name, "", geometry, "", ""]


def errors_of(data, fmt="auto", filename=""):
    before = Region.objects.count()
    with pytest.raises(RegionImportError) as info:
        imports.import_file(data, actor=None, fmt=fmt, filename=filename)
    assert Region.objects.count() == before
    return {(e.row, e.field): e for e in info.value.errors}


def test_it_imports_a_csv_file_fully_and_locates_in_the_new_grid(world):
    before = Region.objects.count()
    created = imports.import_file(make_csv(NEW, bom=True), actor=None)
    assert len(created) == len(NEW)
    assert Region.objects.count() == before + len(NEW)
    unit = Region.objects.get(code="440705001001001002")
    assert (unit.point_lng, unit.point_lat) == (113.57, 22.05)
    assert unit.parent.code == "440705001001001"
    assert Region.objects.get(code="440705001").kind == "town"
    found = spatial.locate(113.58, 22.02)
    assert (found.grid_code, found.unit_code) == ("440705001001001", "440705001001001002")
    assert AuditEntry.objects.filter(action="regions.import").count() == 1


def test_it_imports_a_geojson_file_and_wkt_geometry(world):
    created = imports.import_file(make_geojson(NEW), actor=None, filename="new.geojson")
    assert len(created) == len(NEW)
    data = make_csv(
        [
            grid_row(
                "440705001001002",
                "POLYGON ((113.5 22.1, 113.6 22.1, 113.6 22.1, 113.5 22.1, 113.5 22.1))",
            )
        ]
    )
    assert errors_of(data)[(2, "geometry")]  # a zero-area ring is refused
    data = make_csv(
        [
            [
                "440705002",
                "北镇",
                "town",
                "POLYGON ((113.5 22.0, 113.6 22.0, 113.6 22.1, 113.5 22.0))",
                "",
                "",
            ]
        ]
    )
    assert [r.code for r in imports.import_file(data, actor=None)] == ["440705002"]
    assert Region.objects.get(code="440705002").geometry["type"] == "Polygon"


def test_it_reports_an_unknown_parent(world):
    errors = errors_of(make_csv([grid_row("440704009001001", box(113.0, 22.0, 113.01, 22.01))]))
    assert "440704009001" in errors[(2, "parent")].message


def test_it_reports_duplicate_codes_in_the_file_and_in_the_database(world):
    rows = [
        grid_row("440704001001003", box(113.0, 22.0, 113.01, 22.01)),
        grid_row("440704001001003", box(113.0, 22.0, 113.01, 22.01)),
        grid_row(GRID_A, box(113.0, 22.0, 113.01, 22.01)),
    ]
    errors = errors_of(make_csv(rows))
    assert (2, "code") not in errors
    assert errors[(3, "code")].message == "编码在文件中重复"
    assert errors[(4, "code")].message == "编码已存在"
    assert errors[(4, "code")].code == GRID_A


def test_it_reports_a_self_intersecting_polygon(world):
    errors = errors_of(make_csv([grid_row("440704001001003", BOW_TIE)]))
    assert "自相交" in errors[(2, "geometry")].message
    bow_tie_json = {
        "type": "Polygon",
        "coordinates": [
            [[113.0, 22.0], [113.01, 22.01], [113.01, 22.0], [113.0, 22.01], [113.0, 22.0]]
        ],
    }
    errors = errors_of(make_geojson([grid_row("440704001001003", bow_tie_json)]))
    assert "自相交" in errors[(1, "geometry")].message


def test_it_reports_a_point_outside_its_parent(world):
    # The unit's own polygon lies in grid A; its point lies in grid B.
    rows = [[GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "113.15", "22.1"]]
    before = Region.objects.count()
    with pytest.raises(RegionImportError) as info:
        imports.import_file(make_csv(rows), actor=None)
    assert [(e.row, e.field, e.message) for e in info.value.errors] == [
        (2, "point", "位置点不在本单元范围内"),
        (2, "point", f"位置点不在上级节点 {GRID_A} 的范围内"),
    ]
    assert Region.objects.count() == before


def test_it_reports_a_unit_without_a_point(world):
    errors = errors_of(
        make_csv([[GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "", ""]])
    )
    assert errors[(2, "point")].message == "最小单元必须有位置点"


def test_it_reports_a_child_polygon_outside_its_parent(world):
    errors = errors_of(make_csv([grid_row("440704001001003", box(113.3, 22.0, 113.31, 22.01))]))
    assert "440704001001" in errors[(2, "geometry")].message
    assert "超出" in errors[(2, "geometry")].message


def test_it_reports_malformed_coordinates_on_every_row(world):
    inside = box(113.0, 22.0, 113.01, 22.01)
    rows = [
        [GRID_A + "007", "七号楼", "", inside, "abc", "22.005"],
        [GRID_A + "008", "八号楼", "", inside, "113.005", "200"],
        [GRID_A + "009", "九号楼", "", inside, "113.005", ""],
        grid_row(
            "440704001001003",
            '{"type": "Polygon", "coordinates": [[["abc", 22.0], [113.01, 22.0], [113.01, 22.01], [113.0, 22.0]]]}',
        ),
        grid_row(
            "440704001001004", '{"type": "Polygon", "coordinates": [[[113.0, 22.0], [113.01, 22.0'
        ),
        grid_row("440704001001005", "POLYGON ((113.0 22.0, abc))"),
        grid_row("440704001001006", ""),
    ]
    errors = errors_of(make_csv(rows))
    assert errors[(2, "lng")].message == "经度必须是数字（得到“abc”）"
    assert errors[(3, "lat")].message == "纬度 200 超出范围（-90 至 90）"
    assert errors[(4, "lat")].message == "经度和纬度需同时填写"
    assert errors[(5, "geometry")]
    assert "GeoJSON" in errors[(6, "geometry")].message
    assert "WKT" in errors[(7, "geometry")].message
    assert "不能为空" in errors[(8, "geometry")].message
    # A point that could not be read is not also reported as missing.
    assert all(e.message != "最小单元必须有位置点" for e in errors.values())
    assert {row for row, _field in errors} == {2, 3, 4, 5, 6, 7, 8}


def test_it_reports_malformed_geojson_features(world):
    features = [
        {
            "type": "Feature",
            "geometry": box(113.0, 22.0, 113.01, 22.01),
            "properties": {"code": GRID_A + "009", "name": "九号楼", "point": ["abc", 22.0]},
        },
        {
            "type": "Feature",
            "geometry": box(113.0, 22.0, 113.01, 22.01),
            "properties": {"code": GRID_A + "008", "name": "八号楼", "point": [113.005, 200]},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"code": "440704001001003", "name": "x"},
        },
        {
            "type": "Feature",
            "geometry": box(113.0, 22.0, 113.01, 22.01),
            "properties": {"name": "无编码"},
        },
        "not a feature",
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    errors = errors_of(data)
    assert errors[(1, "point")].message == "经度必须是数字（得到“abc”）"
    assert "纬度" in errors[(2, "point")].message
    assert errors[(3, "geometry")]
    assert errors[(4, "code")]
    assert errors[(5, "feature")]


def test_it_reports_bad_json_and_a_wrong_document(world):
    errors = errors_of(b'{"type": "FeatureCollection", "features": [', filename="x.geojson")
    assert "不是合法的 JSON" in errors[(None, "file")].message
    errors = errors_of(b'{"type": "Feature"}', fmt="geojson")
    assert "FeatureCollection" in errors[(None, "file")].message


def test_it_reports_missing_columns_and_cells(world):
    data = make_csv([["440704001001003", "x", ""]], header=["code", "name", "kind"])
    errors = errors_of(data)
    assert "geometry" in errors[(1, "geometry")].message
    data = make_csv([["440704001001003", "x"]], header=["code", "name", "geometry", "lng"])
    errors = errors_of(data)
    assert (1, "lat") in errors
    data = make_csv(
        [["440704001001003", "x"], ["", "y", box(113.0, 22.0, 113.01, 22.01)]],
        header=["code", "name", "geometry"],
    )
    errors = errors_of(data)
    assert errors[(2, "geometry")].message == "该行缺少“geometry”列的值"
    assert errors[(3, "code")]


def test_it_collects_parse_and_validation_errors_across_the_whole_file(world):
    rows = [
        grid_row("440704001001003", box(113.0, 22.0, 113.01, 22.01)),  # fine
        [GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "abc", "22.0"],
        grid_row("440704001001004", BOW_TIE),
        grid_row("440704009001001", box(113.0, 22.0, 113.01, 22.01)),
    ]
    errors = errors_of(make_csv(rows))
    assert set(errors) == {(3, "lng"), (4, "geometry"), (5, "parent")}


def test_it_counts_lines_of_quoted_cells_spanning_lines(world):
    geometry = json.dumps(box(113.3, 22.0, 113.31, 22.01), indent=1)  # multi-line cell
    data = make_csv([grid_row("440704001001003", geometry), grid_row("440704001001004", BOW_TIE)])
    errors = errors_of(data)
    lines = geometry.count("\n")
    assert set(errors) == {(2, "geometry"), (3 + lines, "geometry")}


def test_it_refuses_a_file_over_the_size_limit(world, monkeypatch, tmp_path):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    errors = errors_of(make_csv(NEW))
    assert "文件过大" in errors[(None, "file")].message
    path = tmp_path / "big.csv"
    path.write_bytes(make_csv(NEW))
    with pytest.raises(RegionImportError, match="文件过大"):
        imports.import_path(path)


def test_it_refuses_a_file_not_in_utf8(world):
    data = "code,name,geometry\n440704001001003,东三网格,x\n".encode("gb18030")
    errors = errors_of(data)
    assert "UTF-8" in errors[(None, "file")].message


def test_it_imports_through_the_command(world, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(make_csv(NEW))
    out = io.StringIO()
    call_command("import_regions", str(path), "--dry-run", stdout=out)
    assert "检查通过" in out.getvalue()
    assert not Region.objects.filter(code__startswith="440705").exists()
    call_command("import_regions", str(path), stdout=out)
    assert "已导入 6 个区域" in out.getvalue()
    assert Region.objects.filter(code__startswith="440705").count() == 6


def test_it_prints_row_errors_and_fails_in_the_command(world, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(make_geojson([grid_row("440704001001003", box(113.3, 22.0, 113.31, 22.01))]))
    before = Region.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_regions", str(path), "--format", "geojson", stderr=err)
    assert "第 1 个要素（440704001001003） geometry：范围超出上级节点" in err.getvalue()
    assert Region.objects.count() == before
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_regions", str(tmp_path / "missing.csv"))


def upload(client, data, name="regions.csv", **extra):
    return client.post("/api/v1/regions/import", {"file": SimpleUploadedFile(name, data), **extra})


def test_it_imports_through_the_api_as_admin(api, world):
    response = upload(api("admin"), make_csv(NEW))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 6}
    assert (
        api("admin").get("/api/v1/locate?lng=113.52&lat=22.05").json()["unit"]["code"]
        == "440705001001001001"
    )


def test_it_answers_row_errors_through_the_api(api, world):
    before = Region.objects.count()
    rows = [
        grid_row("440704001001003", BOW_TIE),
        [GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "abc", "1"],
    ]
    response = upload(api("admin"), make_csv(rows), format="csv")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_import"
    assert body["fields"] == {}
    assert [(r["row"], r["field"]) for r in body["rows"]] == [(2, "geometry"), (3, "lng")]
    assert body["rows"][0]["code"] == "440704001001003"
    assert Region.objects.count() == before
    response = upload(api("admin"), make_csv(NEW), format="shapefile")
    assert response.status_code == 422
    assert "format" in response.json()["fields"]


def test_it_refuses_an_import_by_a_grid_worker(api, world):
    before = Region.objects.count()
    response = upload(
        api("worker_a"),
        make_csv(
            [[GRID_A + "009", "九号楼", "", box(113.0, 22.0, 113.01, 22.01), "113.005", "22.005"]]
        ),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Region.objects.count() == before


def test_it_refuses_rows_under_a_parent_out_of_scope(api, world):
    role = Role.objects.create(slug="importer", name="导入员", scope="node")
    role.permissions.add(
        *[
            p
            for p in Role.objects.get(slug="admin").permissions.all()
            if p.codename in ("import_regions", "add_region", "view_region")
        ]
    )
    user = do_create_user(username="importer", password="x-pass-123", actor=None)
    do_assign_role(user=user, role=role, region=world.regions["440704"], actor=None)
    forget_scope(user)
    world.users["importer"] = user
    client = api("importer")
    before = Region.objects.count()
    ours = ["440704003", "南街道", "street", box(113.15, 22.15, 113.2, 22.2), "", ""]
    theirs = ["440703001002", "邻二社区", "community", box(113.3, 22.0, 113.31, 22.01), "", ""]
    response = upload(client, make_csv([ours, theirs]))
    assert response.status_code == 403, response.content
    assert response.json()["rows"] == [
        {
            "row": 3,
            "code": "440703001002",
            "field": "code",
            "message": "您无权在节点 440703001 下导入",
        }
    ]
    new_district = ["440799", "他区", "district", box(114.0, 22.0, 114.1, 22.1), "", ""]
    assert upload(client, make_csv([new_district])).status_code == 403
    assert Region.objects.count() == before
    response = upload(client, make_csv([ours]))
    assert response.status_code == 200, response.content
    assert Region.objects.count() == before + 1


def test_it_refuses_an_upload_over_the_size_limit_through_the_api(api, world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    response = upload(api("admin"), make_csv(NEW))
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
