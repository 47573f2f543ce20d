"""Group codes (团体码) through the API: creating them, reporting several people at once."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp, GroupSubmission
from wangge.testing import GRID_A, GRID_B, make_id_number

from .conftest import UNIT_A, iso, ok, post, token

GROUPS = "/api/v1/arrivals/groups"


def group_body(**overrides):
    data = {
        "request_id": str(uuid.uuid4()),
        "form_token": token(),
        "name": "某电子厂返岗员工",
        "organiser_name": "赵经理",
        "organiser_phone": "13631880012",
        "district_code": "440704",
    }
    data.update(overrides)
    return data


def rows(n=3):
    return [
        {
            "name": f"员工{i + 1}",
            "id_number": make_id_number("110101", "19900101", f"{i + 1:03d}"),
            "phone": f"1350000000{i}",
        }
        for i in range(n)
    ]


def report_body(people, **overrides):
    data = {
        "request_id": str(uuid.uuid4()),
        "form_token": token(),
        "unit_code": UNIT_A,
        "address": "工业园宿舍3栋",
        "arrival_at": iso(timezone.now() - timedelta(hours=1)),
        "origin": "江西省赣州市",
        "travel_mode": "coach",
        "rows": people,
    }
    data.update(overrides)
    return data


def create_group(client=None, **overrides):
    return ok(post(client or Client(), GROUPS, group_body(**overrides)), 201)


def test_it_creates_a_group_code_for_a_public_organiser(world):
    group = create_group()
    assert len(group["code"]) == 6 and group["code"].isalnum()
    assert group["url"] == f"/arrivals/g/{group['code']}/"
    assert group["qr_url"] == f"/arrivals/g/{group['code']}/qr.svg"
    assert group["destination"] == "测试区"
    stored = ArrivalGroup.objects.get(code=group["code"])
    assert stored.created_by is None
    assert stored.organiser_phone == "13631880012"
    assert stored.expires_at > timezone.now() + timedelta(days=6)
    svg = Client().get(group["qr_url"])
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")


def test_it_asks_a_public_organiser_for_a_phone(world):
    response = post(Client(), GROUPS, group_body(organiser_phone="", district_code="999999"))
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "organiser_phone": ["请填写组织者的手机号码"],
        "district_code": ["未知的区"],
    }
    assert not ArrivalGroup.objects.exists()


def test_it_stores_a_group_once_per_request_id(world):
    data = group_body()
    first = ok(post(Client(), GROUPS, data), 201)
    again = ok(post(Client(), GROUPS, data), 200)
    assert again["code"] == first["code"] and again["created"] is False
    assert ArrivalGroup.objects.count() == 1


def test_it_lets_staff_create_groups_for_their_own_area(api, world):
    group = ok(post(api("worker_a"), GROUPS, group_body(organiser_phone="", unit_code=UNIT_A)), 201)
    stored = ArrivalGroup.objects.get(code=group["code"])
    assert stored.created_by == world["worker_a"]
    assert stored.organiser_name == "赵经理"
    assert stored.region_code == UNIT_A
    assert group["destination"] == "测试区 东街道 东社区 东一网格 第1单元"
    elsewhere = post(api("worker_a"), GROUPS, group_body(unit_code=GRID_B + "001"))
    assert elsewhere.status_code == 422
    assert elsewhere.json()["fields"] == {"unit_code": ["该目的地不在您管辖的范围内"]}
    other = post(api("worker_a"), GROUPS, group_body(district_code="440703"))
    assert other.json()["fields"] == {"district_code": ["该目的地不在您管辖的范围内"]}
    # Staff need no form token (they are not the public).
    ok(post(api("street"), GROUPS, group_body(form_token="", organiser_phone="")), 201)


def test_it_reports_a_group_all_or_nothing(api, world):
    group = create_group()
    people = rows(3)
    people[1]["id_number"] = "440704199001011231"  # wrong check digit
    url = f"{GROUPS}/{group['code']}/reports"
    response = post(Client(), url, report_body(people))
    assert response.status_code == 422
    assert response.json()["fields"] == {"rows.1.id_number": ["身份证号校验位不正确，请核对"]}
    assert ArrivalReport.objects.count() == 0
    assert FollowUp.objects.count() == 0
    assert GroupSubmission.objects.count() == 0

    people[1]["id_number"] = make_id_number("110101", "19900101", "222")
    receipt = ok(post(Client(), url, report_body(people)), 201)
    assert receipt["count"] == 3 and len(set(receipt["numbers"])) == 3
    assert receipt["destination"] == "东街道 东社区 东一网格 第1单元"
    reports = list(ArrivalReport.objects.order_by("pk"))
    assert [r.name for r in reports] == ["员工1", "员工2", "员工3"]
    assert {r.group.code for r in reports} == {group["code"]}
    assert FollowUp.objects.filter(status="open", region_code=UNIT_A).count() == 3
    assert len(ok(api("worker_a").get("/api/v1/arrivals/tasks"))["items"]) == 3


def test_it_names_every_bad_row(world):
    group = create_group()
    people = rows(4)
    people[0]["name"] = ""
    people[2] = {"name": "无证件", "id_number": "", "phone": ""}
    people[3]["id_number"] = people[1]["id_number"]
    response = post(Client(), f"{GROUPS}/{group['code']}/reports", report_body(people))
    assert response.json()["fields"] == {
        "rows.0.name": ["请填写姓名"],
        "rows.2.id_number": ["请填写身份证号或手机号码（至少一项）"],
        "rows.3.id_number": ["与第 2 行的身份证号重复"],
    }
    assert ArrivalReport.objects.count() == 0


def test_it_needs_somebody_and_caps_a_submission(world, settings):
    settings.ARRIVALS_GROUP_MAX_ROWS = 2
    group = create_group()
    url = f"{GROUPS}/{group['code']}/reports"
    empty = post(Client(), url, report_body([{"name": "", "id_number": "", "phone": ""}]))
    assert empty.json()["fields"] == {"rows": ["请至少填写一个人"]}
    many = post(Client(), url, report_body(rows(3)))
    assert many.json()["fields"] == {"rows": ["一次最多报备 2 人，请分批提交"]}


def test_it_keeps_the_group_destination_and_district(world):
    group = ok(post(Client(), GROUPS, group_body(unit_code=GRID_A + "002", address="宿舍楼")), 201)
    url = f"{GROUPS}/{group['code']}/reports"
    receipt = ok(post(Client(), url, report_body(rows(1), unit_code=GRID_B, address="")), 201)
    report = ArrivalReport.objects.get(number=receipt["numbers"][0])
    assert report.region_code == GRID_A + "002"  # the group's, whatever was sent
    assert report.address == "宿舍楼"
    open_group = create_group()
    url = f"{GROUPS}/{open_group['code']}/reports"
    response = post(Client(), url, report_body(rows(1), unit_code="440703001001001001"))
    assert response.json()["fields"] == {"unit_code": ["目的地不在该团体码登记的区内"]}


def test_it_stores_a_group_submission_once(world):
    group = create_group()
    url = f"{GROUPS}/{group['code']}/reports"
    data = report_body(rows(2))
    first = ok(post(Client(), url, data), 201)
    again = ok(post(Client(), url, data), 200)
    assert again["numbers"] == first["numbers"] and again["created"] is False
    assert ArrivalReport.objects.count() == 2


def test_it_refuses_expired_and_unknown_codes(world):
    group = create_group()
    ArrivalGroup.objects.filter(code=group["code"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = post(Client(), f"{GROUPS}/{group['code']}/reports", report_body(rows(1)))
    assert expired.status_code == 410
    assert expired.json()["message"] == "该团体码已过期，请联系组织者"
    unknown = post(Client(), f"{GROUPS}/ZZZZZZ/reports", report_body(rows(1)))
    assert unknown.status_code == 404
    assert ArrivalReport.objects.count() == 0


@pytest.mark.parametrize("bad", [{"website": "x"}, {"form_token": ""}])
def test_it_guards_group_forms_like_the_report(world, bad):
    group = create_group()
    response = post(Client(), f"{GROUPS}/{group['code']}/reports", report_body(rows(1), **bad))
    assert response.status_code == 422
    assert ArrivalReport.objects.count() == 0
    assert post(Client(), GROUPS, group_body(**bad)).status_code == 422
    assert ArrivalGroup.objects.count() == 1
