"""Canvassing campaigns through the API: launching, outcomes and follow-ups, progress figures,
idempotent attempts, answer checks and base-data updates."""

import uuid
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wangge.audit.models import AuditEntry
from wangge.campaigns.models import Attempt, Campaign, Photo, Target
from wangge.people.models import Person
from wangge.testing import GRID_A, GRID_A2

from .conftest import (
    COMMUNITY_A,
    STREET_A,
    attempt,
    campaign_body,
    create_campaign,
    ok,
    png_bytes,
    post,
    targets,
)


def by_name(items):
    return {t["name"]: t for t in items}


def test_it_lists_the_seeded_outcomes_with_their_flags(api, outcomes):
    found = {o["label"]: o for o in ok(api("worker_a").get("/api/v1/campaigns/outcomes"))}
    assert list(found) == ["无人", "已通知", "今晚回", "已登记", "拒绝", "不在此处"]
    assert found["无人"]["is_final"] is False and found["无人"]["needs_follow_up"] is True
    assert found["无人"]["follow_up_delay_minutes"] == 24 * 60
    assert found["已通知"]["is_final"] is True
    assert found["今晚回"]["requires_follow_up_time"] is True
    assert found["已登记"]["collects_answers"] is True


def test_launching_makes_one_target_per_record_in_the_area_assigned_to_its_grid_worker(
    api, world, elderly
):
    campaign = create_campaign(api("community"))
    assert campaign["state"] == "running"
    assert campaign["area_name"] == "东社区"
    assert campaign["progress"]["total"] == 5
    rows = Target.objects.filter(campaign_id=campaign["id"]).select_related("assignee")
    assert {t.name: (t.region_code, t.assignee.username) for t in rows} == {
        "独居甲": (GRID_A + "001", "worker_a"),
        "独居乙": (GRID_A + "001", "worker_a"),
        "独居丙": (GRID_A + "002", "worker_a"),
        "独居丁": (GRID_A2 + "001", "worker_a2"),
        "独居戊": (GRID_A2 + "002", "worker_a2"),
    }
    assert all(t.grid_code == t.region_code[:15] for t in rows)
    entry = AuditEntry.objects.get(action="campaigns.launch")
    assert entry.actor == world["community"] and entry.after["targets"] == 5


def test_it_shares_a_units_targets_with_its_part_time_worker_when_asked(api, world, elderly):
    campaign = create_campaign(api("community"), assign_part_time=True)
    helpers = dict(
        Target.objects.filter(campaign_id=campaign["id"]).values_list("name", "helper__username")
    )
    assert helpers["独居甲"] == helpers["独居乙"] == "part_time_a"
    assert helpers["独居丙"] is None and helpers["独居丁"] is None
    mine = by_name(targets(api("part_time_a"), campaign["id"], "&mine=true"))
    assert set(mine) == {"独居甲", "独居乙"}


def test_outcomes_schedule_follow_ups_and_the_progress_adds_up(api, world, elderly):
    campaign = create_campaign(api("street"), area_code=COMMUNITY_A)
    cid = campaign["id"]
    a = by_name(targets(api("worker_a"), cid))
    a2 = by_name(targets(api("worker_a2"), cid))
    assert set(a) == {"独居甲", "独居乙", "独居丙"} and set(a2) == {"独居丁", "独居戊"}
    worker_a, worker_a2 = api("worker_a"), api("worker_a2")
    now = timezone.now()

    # 无人: not final, a follow-up one day later by default.
    first = ok(attempt(worker_a, a["独居甲"]["id"], "no_answer", channel="phone"), 201)
    follow = parse_datetime(first["follow_up_at"])
    assert timedelta(hours=23, minutes=55) < follow - now < timedelta(hours=24, minutes=5)
    # 已通知: final.
    ok(attempt(worker_a, a["独居乙"]["id"], "notified"), 201)
    # 今晚回 needs a time.
    missing = attempt(worker_a, a["独居丙"]["id"], "back_tonight")
    assert missing.status_code == 422
    assert missing.json()["fields"] == {"follow_up_at": ["「今晚回」需要填写回访时间"]}
    tonight = (now + timedelta(hours=5)).isoformat()
    ok(attempt(worker_a, a["独居丙"]["id"], "back_tonight", follow_up_at=tonight), 201)
    # 今晚回 three hours ago, to come back an hour ago: overdue now.
    ok(
        attempt(
            worker_a2,
            a2["独居丁"]["id"],
            "back_tonight",
            at=(now - timedelta(hours=3)).isoformat(),
            follow_up_at=(now - timedelta(hours=1)).isoformat(),
        ),
        201,
    )

    street = api("street")
    detail = ok(street.get(f"/api/v1/campaigns/{cid}"))
    assert detail["progress"] == {
        "total": 5,
        "done": 1,
        "pending": 1,
        "contacted": 4,
        "follow_up": 3,
        "overdue": 1,
        "done_rate": 20.0,
    }
    grids = ok(street.get(f"/api/v1/campaigns/{cid}/progress?by=grid"))
    rows = {r["key"]: r for r in grids["rows"]}
    assert rows[GRID_A]["label"] == "东一网格"
    assert (rows[GRID_A]["total"], rows[GRID_A]["done"], rows[GRID_A]["pending"]) == (3, 1, 0)
    assert (rows[GRID_A]["follow_up"], rows[GRID_A]["overdue"]) == (2, 0)
    assert (rows[GRID_A2]["total"], rows[GRID_A2]["done"], rows[GRID_A2]["pending"]) == (2, 0, 1)
    assert (rows[GRID_A2]["follow_up"], rows[GRID_A2]["overdue"]) == (1, 1)
    assert grids["total"]["total"] == 5 and grids["total"]["overdue"] == 1
    workers = ok(street.get(f"/api/v1/campaigns/{cid}/progress?by=worker"))
    by_worker = {r["label"]: (r["total"], r["done"], r["pending"]) for r in workers["rows"]}
    assert by_worker == {"张伟": (3, 1, 0), "王芳": (2, 0, 1)}
    units = ok(street.get(f"/api/v1/campaigns/{cid}/progress?by=unit"))
    assert {r["key"]: r["total"] for r in units["rows"]} == {
        GRID_A + "001": 2,
        GRID_A + "002": 1,
        GRID_A2 + "001": 1,
        GRID_A2 + "002": 1,
    }

    # The worker's list: overdue first, then follow-ups, then not contacted, done last.
    order = [t["name"] for t in targets(api("community"), cid)]
    assert order[0] == "独居丁" and order[-1] == "独居乙"
    assert [t["name"] for t in targets(street, cid, "&status=overdue")] == ["独居丁"]
    assert [t["name"] for t in targets(street, cid, "&status=pending")] == ["独居戊"]
    assert {t["name"] for t in targets(street, cid, "&status=follow_up")} == {
        "独居甲",
        "独居丙",
        "独居丁",
    }

    # A later contact decides: 独居甲 reached on the follow-up and registered.
    ok(attempt(worker_a, a["独居甲"]["id"], "registered"), 201)
    target = ok(worker_a.get(f"/api/v1/campaigns/targets/{a['独居甲']['id']}"))
    assert target["status"] == "done" and target["attempt_count"] == 2
    assert [x["outcome"]["label"] for x in target["attempts"]] == ["已登记", "无人"]
    assert ok(street.get(f"/api/v1/campaigns/{cid}"))["progress"]["done"] == 2
    # A late-arriving older contact (offline phone) does not undo it.
    ok(
        attempt(
            worker_a, a["独居甲"]["id"], "no_answer", at=(now - timedelta(hours=6)).isoformat()
        ),
        201,
    )
    again = ok(worker_a.get(f"/api/v1/campaigns/targets/{a['独居甲']['id']}"))
    assert again["status"] == "done" and again["attempt_count"] == 3


def test_the_same_request_id_twenty_times_stores_one_attempt(api, world, elderly):
    campaign = create_campaign(api("community"))
    target = by_name(targets(api("worker_a"), campaign["id"]))["独居甲"]
    client = api("worker_a")
    body = {
        "request_id": str(uuid.uuid4()),
        "target_id": target["id"],
        "channel": "phone",
        "outcome": "no_answer",
        "note": "电话无人接听",
        "follow_up_at": None,
        "answers": {},
    }
    responses = [post(client, "/api/v1/campaigns/attempts", body) for _ in range(20)]
    assert [r.status_code for r in responses] == [201] + [200] * 19
    assert all(r.json() == responses[0].json() for r in responses)
    assert responses[0].json()["request_id"] == body["request_id"]
    assert Attempt.objects.count() == 1
    assert Target.objects.get(pk=target["id"]).attempt_count == 1
    assert AuditEntry.objects.filter(action="campaigns.attempt").count() == 1
    # Another body with the same id still answers with the stored attempt.
    changed = post(client, "/api/v1/campaigns/attempts", {**body, "outcome": "notified"})
    assert changed.status_code == 200 and changed.json() == responses[0].json()
    # The id is per user: the community's worker station records its own.
    other = post(api("community"), "/api/v1/campaigns/attempts", body)
    assert other.status_code == 201
    assert Attempt.objects.count() == 2


def test_the_request_id_must_be_a_uuid(api, world, elderly):
    campaign = create_campaign(api("community"))
    target = targets(api("worker_a"), campaign["id"])[0]
    response = attempt(api("worker_a"), target["id"], request_id="phone-1")
    assert response.status_code == 422
    assert response.json()["fields"] == {"request_id": ["请求编号应为 UUID"]}
    missing = post(
        api("worker_a"),
        "/api/v1/campaigns/attempts",
        {"target_id": target["id"], "channel": "visit", "outcome": "notified"},
    )
    assert missing.status_code == 422 and "request_id" in missing.json()["fields"]
    assert not Attempt.objects.exists()


QUESTIONS = [
    {"key": "lives_alone", "label": "是否仍独居", "kind": "choice", "required": True,
     "choices": ["是", "否"]},
    {"key": "who", "label": "同住人", "kind": "text", "required": True,
     "show_if_key": "lives_alone", "show_if_value": "否"},
    {"key": "age", "label": "年龄", "kind": "number", "required": True},
    {"key": "last_checkup", "label": "最近体检日期", "kind": "date"},
    {"key": "photo", "label": "门牌照片", "kind": "photo"},
]  # fmt: skip


def test_answers_are_checked_against_the_questions_field_by_field(api, world, elderly):
    campaign = create_campaign(api("community"), questions=QUESTIONS)
    assert [q["key"] for q in campaign["questions"]] == [
        "lives_alone",
        "who",
        "age",
        "last_checkup",
        "photo",
    ]
    target = by_name(targets(api("worker_a"), campaign["id"]))["独居甲"]
    client = api("worker_a")
    response = attempt(
        client,
        target["id"],
        "registered",
        answers={
            "lives_alone": "也许",
            "age": "七十",
            "last_checkup": "2024/13/01",
            "photo": 999999,
            "favourite": "x",
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "answers.lives_alone": ["请从以下选项中选择：是、否"],
        "answers.age": ["请填写数字"],
        "answers.last_checkup": ["日期格式应为 YYYY-MM-DD"],
        "answers.photo": ["照片无效或已被使用，请重新上传"],
        "answers.favourite": ["没有这个问题"],
    }
    # Required questions are required when the outcome collects the answers.
    missing = attempt(client, target["id"], "registered", answers={"lives_alone": "否"})
    assert missing.json()["fields"] == {
        "answers.who": ["此项为必填"],
        "answers.age": ["此项为必填"],
    }
    assert not Attempt.objects.exists()
    # Nobody home: nothing to answer.
    ok(attempt(client, target["id"], "no_answer"), 201)
    # A question shown only if another answer equals a value is ignored otherwise.
    upload = client.post(
        "/api/v1/campaigns/photos",
        {"file": SimpleUploadedFile("door.png", png_bytes(), content_type="image/png")},
    )
    photo = ok(upload, 201)
    stored = ok(
        attempt(
            client,
            target["id"],
            "registered",
            answers={
                "lives_alone": "是",
                "who": "（不该保存）",
                "age": "78",
                "last_checkup": "2024-11-02",
                "photo": photo["id"],
            },
        ),
        201,
    )
    assert stored["answers"] == {
        "lives_alone": "是",
        "age": 78,
        "last_checkup": "2024-11-02",
        "photo": photo["id"],
    }
    assert Photo.objects.get(pk=photo["id"]).attempt_id == stored["id"]
    # A photo answers one attempt only.
    reused = attempt(
        client,
        target["id"],
        "registered",
        answers={"lives_alone": "是", "age": 78, "photo": photo["id"]},
    )
    assert reused.json()["fields"] == {"answers.photo": ["照片无效或已被使用，请重新上传"]}


def test_a_photo_upload_must_be_an_image(api, world, outcomes):
    response = api("worker_a").post(
        "/api/v1/campaigns/photos",
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"file": ["文件不是可识别的图片"]}
    refused = api("resident").post(
        "/api/v1/campaigns/photos",
        {"file": SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")},
    )
    assert refused.status_code == 403


PHONE_QUESTION = [
    {"key": "phone", "label": "联系电话", "kind": "text", "maps_to": "person.phone"},
]


def test_a_new_phone_in_the_answers_updates_the_person_through_the_people_action(
    api, world, elderly
):
    campaign = create_campaign(api("community"), questions=PHONE_QUESTION)
    target = by_name(targets(api("worker_a"), campaign["id"]))["独居甲"]
    stored = ok(
        attempt(api("worker_a"), target["id"], "registered", answers={"phone": "139 1234 5678"}),
        201,
    )
    assert stored["answers"] == {"phone": "139****5678"}
    person = Person.objects.get(pk=elderly["a1"])
    assert person.phone == "13912345678"
    entry = AuditEntry.objects.get(action="people.update", object_id=str(person.pk))
    assert entry.actor == world["worker_a"]
    assert entry.before == {"phone": "137****0001"} and entry.after == {"phone": "139****5678"}
    # The attempt's audit row and answers keep the phone masked.
    attempt_entry = AuditEntry.objects.get(action="campaigns.attempt")
    assert attempt_entry.after["answers"] == {"phone": "139****5678"}
    assert "13912345678" not in str(Attempt.objects.values_list("answers", flat=True)[0])


def test_a_bad_phone_or_no_right_to_change_the_person_stores_nothing(api, world, elderly):
    campaign = create_campaign(api("community"), questions=PHONE_QUESTION, assign_part_time=True)
    target = by_name(targets(api("worker_a"), campaign["id"]))["独居甲"]
    bad = attempt(api("worker_a"), target["id"], "registered", answers={"phone": "12345"})
    assert bad.status_code == 422
    assert bad.json()["fields"]["answers.phone"][0].startswith("电话号码格式不正确")
    # 兼职网格员 record visits but do not change registered people.
    refused = attempt(
        api("part_time_a"), target["id"], "registered", answers={"phone": "13912345678"}
    )
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "answers.phone": ["您无权更新该人员的登记信息，请留空由网格员更新"]
    }
    assert not Attempt.objects.exists()
    assert Person.objects.get(pk=elderly["a1"]).phone == "13700000001"
    assert not AuditEntry.objects.filter(action="people.update").exists()
    # Without the phone the part-time worker's visit is recorded.
    ok(attempt(api("part_time_a"), target["id"], "registered"), 201)


def test_it_explains_a_bad_campaign_field_by_field(api, world, elderly):
    client = api("street")
    response = post(
        client,
        "/api/v1/campaigns",
        campaign_body(
            name="",
            area_code="440704002",  # street B: not the street's
            target_kind="tagged_people",
            tag=None,
            deadline="2000-01-01",
            questions=[
                {"key": "1x", "label": "", "kind": "choice", "choices": ["只有一个"]},
                {"key": "n", "label": "人数", "kind": "number", "maps_to": "person.phone"},
                {
                    "key": "w",
                    "label": "备注",
                    "kind": "text",
                    "show_if_key": "later",
                    "show_if_value": "是",
                },
            ],  # fmt: skip
        ),
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "name": ["请填写行动名称"],
        "area_code": ["未知的区域，或不在您的管辖范围内"],
        "tag": ["请选择人群标签"],
        "deadline": ["截止日期不能早于今天"],
        "questions.0.key": ["编号须以字母开头，只含小写字母、数字和下划线，最长 32 位"],
        "questions.0.label": ["请填写问题"],
        "questions.0.choices": ["单选题至少需要两个选项"],
        "questions.1.maps_to": ["只有文字题可以更新基础数据"],
        "questions.2.show_if_key": ["只能依据前面的问题显示"],
    }
    nowhere = post(client, "/api/v1/campaigns", campaign_body(area_code="440704001009"))
    outside = post(client, "/api/v1/campaigns", campaign_body(area_code="440704002001"))
    assert nowhere.json() == outside.json()
    mapped = post(
        client,
        "/api/v1/campaigns",
        campaign_body(target_kind="rental_buildings", tag=None, questions=PHONE_QUESTION),
    )
    assert mapped.json()["fields"] == {"questions.0.maps_to": ["该类对象没有可更新的人员信息"]}
    assert not Campaign.objects.exists()


def test_only_command_centres_and_community_staff_define_campaigns(api, world, outcomes):
    for username in ("worker_a", "part_time_a", "dept", "resident"):
        response = post(api(username), "/api/v1/campaigns", campaign_body())
        assert response.status_code == 403, username
    assert not Campaign.objects.exists()


def test_drafts_launch_once_and_closed_campaigns_take_no_more_contacts(api, world, elderly):
    street = api("street")
    draft = create_campaign(street, area_code=STREET_A, launch=False)
    assert draft["state"] == "draft" and draft["actions"] == ["launch"]
    assert draft["progress"]["total"] == 0
    launched = ok(post(street, f"/api/v1/campaigns/{draft['id']}/launch"), 200)
    assert launched["state"] == "running" and launched["progress"]["total"] == 5
    assert launched["actions"] == ["close"]
    again = post(street, f"/api/v1/campaigns/{draft['id']}/launch")
    assert again.status_code == 409 and again.json()["message"] == "该行动已启动"
    target = targets(api("worker_a"), draft["id"])[0]
    # Community staff work inside this street-wide campaign but below its area: they may not
    # end it; a grid worker neither.
    assert post(api("community"), f"/api/v1/campaigns/{draft['id']}/close").status_code == 403
    assert post(api("worker_a"), f"/api/v1/campaigns/{draft['id']}/close").status_code == 403
    closed = ok(post(street, f"/api/v1/campaigns/{draft['id']}/close"), 200)
    assert closed["state"] == "closed" and closed["actions"] == []
    late = attempt(api("worker_a"), target["id"], "notified")
    assert late.status_code == 409 and late.json()["message"] == "该行动不在进行中，不能再记录"


def test_nothing_to_canvass_is_refused_at_launch(api, world, outcomes):
    response = post(api("street"), "/api/v1/campaigns", campaign_body())
    assert response.status_code == 422
    assert response.json()["fields"] == {"target_kind": ["行动范围内没有符合条件的对象"]}
    assert not Campaign.objects.exists()


def test_rental_buildings_enterprises_and_households_become_targets(api, world, outcomes):
    from wangge.testing import sample_basedata, sample_people

    places = sample_people(world)
    sample_basedata(world)
    district = api("district")
    rentals = create_campaign(
        district, area_code="440704", target_kind="rental_buildings", tag=None
    )
    [rental] = Target.objects.filter(campaign_id=rentals["id"])
    assert rental.building_id == places.buildings["A"] and rental.name == "样例楼A"
    shops = create_campaign(district, area_code="440704", target_kind="enterprises", tag=None)
    assert sorted(
        Target.objects.filter(campaign_id=shops["id"]).values_list("name", flat=True)
    ) == ["样例企业1", "样例企业2", "样例企业3"]
    homes = create_campaign(district, area_code=GRID_A, target_kind="households", tag=None)
    [home] = Target.objects.filter(campaign_id=homes["id"])
    assert home.name == "样例甲户" and home.person_id == places.people["a"]
    assert home.assignee == world["worker_a"]


def test_it_takes_what_the_phones_outbox_sends(api, world, elderly):
    """Form fields as the outbox turns them into JSON: strings, dotted answers, extra inputs,
    a request id without dashes, and the photo uploaded first under its own request id."""
    campaign = create_campaign(api("community"), questions=QUESTIONS)
    target = by_name(targets(api("worker_a"), campaign["id"]))["独居甲"]
    client = api("worker_a")
    request_id = uuid.uuid4().hex
    photo_request = f"{request_id}-answers.photo-0"
    uploads = [
        client.post(
            "/api/v1/campaigns/photos",
            {
                "file": SimpleUploadedFile("door.png", png_bytes(), content_type="image/png"),
                "request_id": photo_request,
            },
        )
        for _ in range(2)
    ]
    assert [u.status_code for u in uploads] == [201, 200]
    assert uploads[0].json() == uploads[1].json()
    body = {
        "target_id": str(target["id"]),
        "channel": "visit",
        "outcome": "registered",
        "next": f"/campaigns/{campaign['id']}/mine/",
        "answers": {"lives_alone": "是", "age": "81", "photo": uploads[0].json()["id"]},
        "request_id": request_id,
    }
    first = post(client, "/api/v1/campaigns/attempts", body)
    again = post(client, "/api/v1/campaigns/attempts", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["request_id"] == str(uuid.UUID(request_id))
    assert first.json()["answers"]["age"] == 81
    # Empty time fields of a form mean none.
    tonight = post(
        client,
        "/api/v1/campaigns/attempts",
        {
            **body,
            "request_id": uuid.uuid4().hex,
            "outcome": "no_answer",
            "follow_up_at": "",
            "answers": {},
        },
    )
    assert tonight.status_code == 201 and tonight.json()["follow_up_at"] is not None
