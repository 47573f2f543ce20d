"""The arrival pages through the Django test client: public forms, staff pages and their scope."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wangge.arrivals import actions
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp
from wangge.audit.models import AuditEntry
from wangge.testing import GRID_A, GRID_B, GRID_OTHER, make_id_number

from .conftest import UNIT_A, token


def html(response):
    return response.content.decode()


def local(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides):
    data = {
        "request_id": uuid.uuid4().hex,
        "form_token": token(),
        "website": "",
        "name": "林小雨",
        "phone": "13912345678",
        "id_number": "",
        "district": "440704",
        "street": "440704001",
        "community": "440704001001",
        "unit_code": UNIT_A,
        "lng": "",
        "lat": "",
        "address": "礼华街8号302房",
        "arrival_at": local(timezone.now() - timedelta(hours=13)),
        "origin": "广州市",
        "origin_code": "",
        "travel_mode": "train",
        "note": "",
    }
    data.update(overrides)
    return data


def arrive(key_unit, *, name="报备人", hours_ago=2.0):
    return actions.do_report_arrival(
        actor=None,
        name=name,
        phone="13912345678",
        unit_code=key_unit,
        address="样例路1号",
        arrival_at=timezone.now() - timedelta(hours=hours_ago),
        origin="广州市",
        travel_mode="train",
    ).report


# --- the public form -------------------------------------------------------------------------


def test_it_serves_the_public_form_without_login(world):
    response = Client().get("/arrivals/")
    assert response.status_code == 200
    page = html(response)
    assert 'name="form_token"' in page and 'name="request_id"' in page
    assert 'name="website"' in page and 'aria-hidden="true"' in page
    assert "测试区" in page and "邻区" in page and "东街道" not in page
    page = html(Client().get("/arrivals/?d=440704"))
    assert "东街道" in page and "西镇" in page  # the streets of the chosen district
    assert 'data-geojson="/arrivals/map/440704/"' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_stores_a_report_from_the_page_and_shows_a_receipt(world):
    response = Client().post("/arrivals/", form_data())
    assert response.status_code == 200, html(response)
    report = ArrivalReport.objects.get()
    assert report.is_late
    assert report.number in html(response)
    assert "东街道 东社区 东一网格 第1单元" in html(response)
    assert FollowUp.objects.filter(report=report, region_code=UNIT_A).exists()
    assert 'data-testid="late"' in html(response)


def test_it_shows_errors_by_field_and_stores_nothing(world):
    response = Client().post(
        "/arrivals/", form_data(name="", phone="123", unit_code="", community="")
    )
    assert response.status_code == 422
    page = html(response)
    assert "请填写姓名" in page
    assert "电话号码格式不正确" in page
    assert "请选择目的地（街道、社区、最小单元），或在地图上选点" in page
    assert not ArrivalReport.objects.exists()


def test_it_refreshes_the_choices_without_javascript(world):
    response = Client().post(
        "/arrivals/", form_data(street="440704002", community="", unit_code="", refresh="1")
    )
    assert response.status_code == 200
    assert "西村" in html(response)
    assert not ArrivalReport.objects.exists()


def test_it_answers_429_on_the_page_too(world, settings):
    settings.ARRIVALS_IP_RATE = "1/h"
    client = Client()
    assert client.post("/arrivals/", form_data()).status_code == 200
    response = client.post("/arrivals/", form_data(phone="13912345670"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "提交过于频繁" in html(response)
    assert ArrivalReport.objects.count() == 1


def test_it_refuses_a_filled_honeypot_on_the_page(world):
    response = Client().post("/arrivals/", form_data(website="http://spam.example"))
    assert response.status_code == 422
    assert "提交未被接受" in html(response)
    assert not ArrivalReport.objects.exists()


def test_it_gives_the_next_select_its_options(world):
    response = Client().get("/arrivals/places/", {"of": "street", "street": "440704001"})
    assert response.status_code == 200
    page = html(response)
    assert 'value="440704001001"' in page and "东社区" in page
    assert 'id="id_unit_code" hx-swap-oob="innerHTML"' in page
    units = html(
        Client().get("/arrivals/places/", {"of": "community", "community": "440704001001"})
    )
    assert "东一网格 · 第1单元" in units and "东二网格 · 第2单元" in units
    assert Client().get("/arrivals/places/", {"of": "unit_code"}).status_code == 404


def test_it_serves_the_district_map(world):
    data = Client().get("/arrivals/map/440704/").json()
    roles = [f["properties"]["role"] for f in data["features"]]
    assert roles == ["node", "child", "child"]
    assert Client().get("/arrivals/map/999999/").status_code == 404


# --- group codes --------------------------------------------------------------------------------


def test_it_creates_a_group_code_on_the_page(world):
    response = Client().post(
        "/arrivals/g/new/",
        {
            "request_id": uuid.uuid4().hex,
            "form_token": token(),
            "name": "某学校返校学生",
            "organiser_name": "钱老师",
            "organiser_phone": "13800138000",
            "district": "440704",
            "street": "",
            "community": "",
            "unit_code": "",
            "address": "",
        },
    )
    assert response.status_code == 200, html(response)
    group = ArrivalGroup.objects.get()
    page = html(response)
    assert group.code in page
    assert f"/arrivals/g/{group.code}/qr.svg" in page
    assert f"http://testserver/arrivals/g/{group.code}/" in page


def test_it_reports_a_group_from_the_page_all_or_nothing(world):
    group = actions.do_create_group(
        actor=None,
        name="某厂",
        organiser_name="赵经理",
        organiser_phone="13631880012",
        unit_code=UNIT_A,
    ).group
    page = Client().get(f"/arrivals/g/{group.code}/")
    assert page.status_code == 200
    assert len(re.findall(r'name="row-\d+-name"', html(page))) == 5
    data = {
        "request_id": uuid.uuid4().hex,
        "form_token": token(),
        "website": "",
        "district": "440704",
        "address": "宿舍3栋",
        "arrival_at": local(timezone.now() - timedelta(hours=1)),
        "origin": "赣州",
        "travel_mode": "coach",
        "row-0-name": "甲",
        "row-0-phone": "13500000001",
        "row-1-name": "乙",
        "row-1-id_number": "440704199001011231",
        "row-2-name": "",
        "row-3-name": "丙",
        "row-3-id_number": make_id_number("110101", "19900101", "333"),
    }
    response = Client().post(f"/arrivals/g/{group.code}/", data)
    assert response.status_code == 422
    body = html(response)
    assert re.search(r'data-row="1" class="has-error".*?身份证号校验位不正确', body, re.S)
    assert 'data-row="0" class="has-error"' not in body
    assert not ArrivalReport.objects.exists()
    data["row-1-id_number"] = make_id_number("110101", "19900101", "222")
    response = Client().post(f"/arrivals/g/{group.code}/", data)
    assert response.status_code == 200, html(response)
    assert ArrivalReport.objects.filter(group=group).count() == 3
    more = Client().post(f"/arrivals/g/{group.code}/", {**data, "more": "1"})
    assert len(re.findall(r'name="row-\d+-name"', html(more))) == 9


def test_it_says_when_a_group_code_expired(world):
    group = actions.do_create_group(
        actor=None,
        name="某厂",
        organiser_name="赵经理",
        organiser_phone="13631880012",
        district_code="440704",
    ).group
    ArrivalGroup.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = Client().get(f"/arrivals/g/{group.code}/")
    assert response.status_code == 410
    assert 'data-testid="expired"' in html(response)
    assert Client().get("/arrivals/g/NOSUCH/").status_code == 404


# --- staff pages ------------------------------------------------------------------------------------


def report_ids(response):
    return {int(pk) for pk in re.findall(r'data-report="(\d+)"', html(response))}


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("admin", {"A", "B", "邻"}),
        ("district", {"A", "B"}),
        ("street", {"A"}),
        ("community", {"A"}),
        ("worker_a", {"A"}),
        ("worker_b", {"B"}),
        ("other_district", {"邻"}),
    ],
)
def test_it_lists_each_role_its_reports(login, world, username, seen):
    reports = {
        "A": arrive(UNIT_A),
        "B": arrive(GRID_B + "001"),
        "邻": arrive(GRID_OTHER + "001"),
    }
    client = login(username)
    response = client.get("/arrivals/reports/")
    assert response.status_code == 200
    assert report_ids(response) == {reports[k].pk for k in seen}
    for key, report in reports.items():
        detail = client.get(f"/arrivals/reports/{report.pk}/")
        assert detail.status_code == (200 if key in seen else 404), (username, key)
    tasks = client.get("/arrivals/tasks/")
    assert {int(pk) for pk in re.findall(r'data-task="(\d+)"', html(tasks))} == {
        reports[k].follow_up.pk for k in seen
    }


@pytest.mark.parametrize("username", ["resident", "dept", "part_time_a"])
def test_it_forbids_the_staff_pages_to_others(login, world, username):
    report = arrive(UNIT_A)
    client = login(username)
    for path in ("/arrivals/reports/", f"/arrivals/reports/{report.pk}/", "/arrivals/tasks/"):
        assert client.get(path).status_code == 403, path


def test_it_sends_anonymous_visitors_of_staff_pages_to_the_login(world):
    report = arrive(UNIT_A)
    for path in ("/arrivals/reports/", f"/arrivals/reports/{report.pk}/", "/arrivals/tasks/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/login" in response["Location"], path


def test_it_filters_the_list_by_lateness(login, world):
    late = arrive(UNIT_A, name="逾期者", hours_ago=20)
    arrive(UNIT_A, name="及时者", hours_ago=1)
    response = login("worker_a").get("/arrivals/reports/?late=1")
    assert report_ids(response) == {late.pk}
    partial = login("worker_a").get("/arrivals/reports/?late=1", headers={"HX-Request": "true"})
    assert "<html" not in html(partial) and report_ids(partial) == {late.pk}


def test_it_shows_masked_identifiers_and_unmasks_on_request(login, world):
    report = actions.do_report_arrival(
        actor=None,
        name="林小雨",
        id_number=make_id_number("110101", "19900101", "123"),
        phone="13912345678",
        unit_code=UNIT_A,
        address="样例路1号",
        arrival_at=timezone.now() - timedelta(hours=1),
        origin="广州市",
        travel_mode="train",
    ).report
    client = login("worker_a")
    page = html(client.get(f"/arrivals/reports/{report.pk}/"))
    assert "139****5678" in page and "13912345678" not in page
    assert report.id_number not in page
    assert 'data-testid="register-person"' in page
    response = client.post(
        f"/arrivals/reports/{report.pk}/unmask/", {"field": "phone", "reason": "电话回访"}
    )
    assert response.status_code == 200
    assert "13912345678" in html(response)
    assert response["Cache-Control"].startswith("max-age=0")
    assert AuditEntry.objects.filter(action="arrivals.unmask").count() == 1
    street = login("street")
    assert 'data-action="unmask"' not in html(street.get(f"/arrivals/reports/{report.pk}/"))
    forbidden = street.post(
        f"/arrivals/reports/{report.pk}/unmask/", {"field": "phone", "reason": "看看"}
    )
    assert forbidden.status_code == 403


def test_it_records_the_follow_up_from_the_page(login, world):
    report = arrive(UNIT_A)
    task = report.follow_up
    client = login("worker_a")
    missing = client.post(f"/arrivals/tasks/{task.pk}/done/", {"outcome": ""})
    assert missing.status_code == 422 and "请选择回访结果" in html(missing)
    response = client.post(
        f"/arrivals/tasks/{task.pk}/done/", {"outcome": "contacted", "note": "", "next": "tasks"}
    )
    assert response.status_code == 302 and response["Location"] == "/arrivals/tasks/"
    assert FollowUp.objects.get(pk=task.pk).status == "done"
    assert (
        login("worker_b")
        .post(f"/arrivals/tasks/{task.pk}/done/", {"outcome": "contacted"})
        .status_code
        == 404
    )


def test_it_shows_a_report_in_english_when_chosen(login, world):
    report = arrive(UNIT_A)
    client = login("worker_a")
    path = f"/arrivals/reports/{report.pk}/"
    chinese = html(client.get(path))
    assert "火车/高铁" in chinese and "待回访" in chinese and "To follow up" not in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client.get(path))
    assert "Train / high-speed rail" in english and "To follow up" in english
    assert "火车/高铁" not in english and "待回访" not in english
    client.post(f"/arrivals/tasks/{report.follow_up.pk}/done/", {"outcome": "contacted"})
    english = html(client.get(path))
    assert "Contacted" in english and "已联系" not in english


def test_it_lists_the_groups_a_staff_member_created(login, world):
    mine = actions.do_create_group(
        actor=world["worker_a"], name="我的团体", organiser_name="", unit_code=UNIT_A
    ).group
    actions.do_create_group(
        actor=None,
        name="别人的团体",
        organiser_name="赵",
        organiser_phone="13631880012",
        district_code="440704",
    )
    page = html(login("worker_a").get("/arrivals/groups/"))
    assert mine.code in page and "别人的团体" not in page
    assert login("resident").get("/arrivals/groups/").status_code == 403
    assert GRID_A in mine.region_code


def test_it_shows_html_sent_through_the_public_api_as_text(login, world):
    from .conftest import body, ok, post

    script = "<script>alert(1)</script>"
    receipt = ok(
        post(Client(), "/api/v1/arrivals", body(name=f"林{script}", address=f"8号{script}")), 201
    )
    report = ArrivalReport.objects.get(number=receipt["number"])
    for url in ("/arrivals/reports/", f"/arrivals/reports/{report.pk}/"):
        page = login("worker_a").get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)" not in page.content.decode(), url
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in login("worker_a").get(f"/arrivals/reports/{report.pk}/").content.decode()
    )
