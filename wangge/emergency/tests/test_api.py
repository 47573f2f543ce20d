"""Emergency mode through the API: switching in generates the point-to-point list, outcomes
come in (idempotently), coverage reaches 100 %, switching back archives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.emergency.models import Emergency, OutcomeRecord, Task
from wangge.emergency.testing import STREET, STREET_B
from wangge.testing import GRID_A, GRID_A2

from .conftest import activate, all_tasks, ok, post, rid, tap

EAST_TYPHOON = (
    "alone_a",
    "disabled_a2",
    "child_grid_a",
    "rental_a",
    "rental_a2",
    "lpg_a",
    "chem_a2",
    "pipeline_a",
)


def targets(tasks):
    return {(t["target"]["kind"], t["target"]["id"]) for t in tasks}


def test_it_generates_the_typhoon_list_of_the_street_and_nothing_else(api, ledgers):
    street = api("street")
    emergency = ok(activate(street, STREET), 201)
    assert emergency["status"] == "active" and emergency["kind_label"] == "台风"
    assert emergency["area"] == {"code": STREET, "name": "东街道", "level": "street"}
    assert emergency["tasks"] == len(EAST_TYPHOON) and emergency["covered"] == 0
    assert emergency["percent"] == 0.0
    assert emergency["actions"] == ["deactivate"]
    tasks = all_tasks(street, emergency["id"])
    # Exactly the tagged people (elderly alone, disabled, left-behind child — not the
    # low-income resident, the one who left or the untagged one), the rental buildings
    # and the enterprises with gas or hazardous chemicals still operating; none of the
    # west town's or the other district's.
    assert targets(tasks) == ledgers.targets(*EAST_TYPHOON)
    by_target = {(t["target"]["kind"], t["target"]["id"]): t for t in tasks}
    alone = by_target[("person", ledgers.people["alone_a"])]
    assert alone["label"] == "应急甲"
    assert alone["detail"].startswith("独居老人 · ")
    assert alone["contact"] == "137****0001"
    assert alone["region_code"] == GRID_A + "001" and alone["grid_code"] == GRID_A
    assert alone["address"] == "应急路1号"
    assert [o["code"] for o in alone["outcomes"]] == [
        "notified",
        "transferred",
        "measures_taken",
        "no_one",
        "not_applicable",
    ]
    child = by_target[("person", ledgers.people["child_grid_a"])]
    assert child["region_code"] == GRID_A and child["grid_code"] == GRID_A
    disabled = by_target[("person", ledgers.people["disabled_a2"])]
    # Only the groups the kind targets are named (低保户 is a cold-wave group).
    assert disabled["detail"].startswith("残疾人 · ") and "低保户" not in disabled["detail"]
    assert disabled["grid_code"] == GRID_A2
    rental = by_target[("building", ledgers.buildings["rental_a"])]
    assert rental["label"] == "应急楼rental_a"
    assert rental["detail"] == "出租屋 · 4层，现住0人"
    assert rental["contact"] == "房东 应急房东、139****0011"
    lpg = by_target[("enterprise", ledgers.enterprises["lpg_a"])]
    assert lpg["detail"] == "瓶装液化石油气、未装燃气报警器"
    assert lpg["contact"] == "法人 应急法人、136****0012"
    assert "transferred" not in {o["code"] for o in lpg["outcomes"]}
    chem = by_target[("enterprise", ledgers.enterprises["chem_a2"])]
    assert chem["detail"] == "危险化学品"
    # No phone in clear anywhere in the tasks.
    raw = str(list(Task.objects.values_list("label", "detail", "address", "contact")))
    assert "13700000001" not in raw and "13900000011" not in raw and "13600000012" not in raw
    entry = AuditEntry.objects.get(action="emergency.activate")
    assert entry.actor_label == "street" and entry.region_code == STREET
    assert entry.after["tasks"] == {"person": 3, "building": 2, "enterprise": 3}


def test_the_labels_are_english_when_chosen_and_the_stored_texts_chinese(api, login, ledgers):
    """A task's texts and the default title are stored for everybody: in the installation's
    language; the kinds and states are shown in the user's."""
    street = api("street")
    street.post("/i18n/setlang/", {"language": "en", "next": "/"})
    emergency = ok(activate(street, STREET, title=""), 201)
    assert emergency["kind_label"] == "Typhoon" and emergency["status_label"] == "Active"
    assert emergency["title"] == "台风应急响应"
    by_target = {
        (t["target"]["kind"], t["target"]["id"]): t for t in all_tasks(street, emergency["id"])
    }
    lpg = by_target[("enterprise", ledgers.enterprises["lpg_a"])]
    assert lpg["target"]["kind_label"] == "Enterprises with hazards"
    assert lpg["detail"] == "瓶装液化石油气、未装燃气报警器"
    page_client = login("street")
    page_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = page_client.get(f"/emergency/{emergency['id']}/").content.decode()
    assert "Enterprises with hazards" in page and "隐患企业" not in page


def test_it_targets_the_groups_the_kind_names(api, ledgers):
    emergency = ok(activate(api("street"), STREET, "cold_wave", title=""), 201)
    assert emergency["title"] == "寒潮应急响应"
    people = {
        t["target"]["id"] for t in all_tasks(api("street"), emergency["id"], "&target_kind=person")
    }
    # Cold wave: elderly alone, empty nests, low-income, disabled — not left-behind children.
    assert people == {
        ledgers.people["alone_a"],
        ledgers.people["disabled_a2"],
        ledgers.people["low_income_a"],
    }


def test_it_lists_the_catalogue(api, world):
    data = ok(api("worker_a").get("/api/v1/emergency/catalogue"))
    kinds = {k["kind"]: k for k in data["kinds"]}
    assert set(kinds) == {"typhoon", "cold_wave", "flood", "epidemic", "other"}
    assert kinds["typhoon"]["label"] == "台风"
    assert [t["name"] for t in kinds["typhoon"]["tags"]] == [
        "独居老人",
        "空巢老人",
        "残疾人",
        "留守儿童",
    ]
    assert "低保户" in [t["name"] for t in kinds["cold_wave"]["tags"]]
    assert {o["code"]: o["final"] for o in data["outcomes"]["person"]}["no_one"] is False
    assert [o["label"] for o in data["outcomes"]["enterprise"]] == [
        "已通知",
        "已落实措施",
        "无人",
        "不适用",
    ]


def test_it_reaches_full_coverage_as_outcomes_come_in(api, ledgers):
    street = api("street")
    emergency_id = ok(activate(street, STREET), 201)["id"]
    workers = {GRID_A: api("worker_a"), GRID_A2: api("worker_a2")}
    tasks = all_tasks(street, emergency_id)
    coverage = ok(street.get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert (coverage["tasks"], coverage["covered"], coverage["percent"]) == (8, 0, 0.0)
    rows = {r["code"]: r for r in coverage["rows"]}
    # The rows below the area: its communities and grids.
    assert list(rows) == ["440704001001", GRID_A, GRID_A2]
    assert rows[GRID_A]["tasks"] == 5 and rows[GRID_A2]["tasks"] == 3
    assert rows["440704001001"]["level"] == "community" and rows[GRID_A]["name"] == "东一网格"
    done = 0
    for task in tasks:
        worker = workers[task["grid_code"]]
        # Nobody home first: not final, not covered.
        answer = ok(tap(worker, task["id"], "no_one"), 201)
        assert answer["final"] is False and answer["task"]["covered"] is False
        answer = ok(tap(worker, task["id"], "notified", note="已电话通知"), 201)
        assert answer["task"]["covered"] is True
        assert answer["task"]["outcome"] == {"code": "notified", "label": "已通知", "final": True}
        done += 1
        figures = ok(street.get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
        assert figures["covered"] == done
    coverage = ok(street.get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert (coverage["tasks"], coverage["covered"], coverage["percent"]) == (8, 8, 100.0)
    assert {r["code"]: r["percent"] for r in coverage["rows"]} == {
        "440704001001": 100.0,
        GRID_A: 100.0,
        GRID_A2: 100.0,
    }
    assert {k["kind"]: (k["tasks"], k["covered"]) for k in coverage["by_kind"]} == {
        "person": (3, 3),
        "building": (2, 2),
        "enterprise": (3, 3),
    }
    # The district sees the same; a grid worker only their grid.
    district = ok(api("district").get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert [r["code"] for r in district["rows"]] == ["440704001001", GRID_A, GRID_A2]
    worker = ok(api("worker_a2").get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert [r["code"] for r in worker["rows"]] == [GRID_A2]
    assert (worker["tasks"], worker["covered"]) == (3, 3)


def test_it_counts_the_latest_outcome(api, ledgers):
    emergency_id = ok(activate(api("street"), STREET), 201)["id"]
    worker = api("worker_a")
    task = next(
        t for t in all_tasks(worker, emergency_id) if t["target"]["id"] == ledgers.people["alone_a"]
    )
    ok(tap(worker, task["id"], "notified"), 201)
    # Back to "no one" (e.g. she left again): the task is open once more.
    answer = ok(tap(worker, task["id"], "no_one"), 201)
    assert answer["task"]["covered"] is False and answer["task"]["outcome"]["code"] == "no_one"
    # An outcome done earlier but arriving late (the phone's outbox) does not override.
    earlier = (timezone.now() - timedelta(minutes=1)).isoformat()
    late = ok(tap(worker, task["id"], "transferred", at=earlier), 201)
    assert late["outcome"] == "transferred"
    assert late["task"]["outcome"]["code"] == "no_one" and late["task"]["covered"] is False
    detail = ok(worker.get(f"/api/v1/emergency/tasks/{task['id']}"))
    assert [r["outcome"] for r in detail["records"]] == ["no_one", "notified", "transferred"]
    assert detail["records"][0]["by"] == "张伟"


def test_it_stores_a_repeated_outcome_once(api, ledgers):
    emergency_id = ok(activate(api("street"), STREET), 201)["id"]
    worker = api("worker_a")
    task = all_tasks(worker, emergency_id)[0]
    body = {"request_id": rid(), "task_id": task["id"], "outcome": "notified", "note": "第一次"}
    first = ok(post(worker, "/api/v1/emergency/outcomes", body), 201)
    again = ok(post(worker, "/api/v1/emergency/outcomes", {**body, "note": "重发"}), 200)
    assert again["id"] == first["id"] and again["note"] == "第一次"
    assert again["request_id"] == body["request_id"]
    assert OutcomeRecord.objects.count() == 1
    assert AuditEntry.objects.filter(action="emergency.outcome").count() == 1
    # Another worker's identical id is theirs, not an answer about somebody else's record.
    community = api("community")
    ok(post(community, "/api/v1/emergency/outcomes", body), 201)
    assert OutcomeRecord.objects.count() == 2
    # A request id without dashes is the same id.
    plain = {**body, "request_id": body["request_id"].replace("-", "")}
    assert ok(post(worker, "/api/v1/emergency/outcomes", plain), 200)["id"] == first["id"]


def test_it_refuses_bad_outcomes_field_by_field(api, ledgers):
    emergency_id = ok(activate(api("street"), STREET), 201)["id"]
    worker = api("worker_a")
    tasks = all_tasks(worker, emergency_id)
    enterprise = next(t for t in tasks if t["target"]["kind"] == "enterprise")
    answer = tap(worker, enterprise["id"], "transferred")
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"outcome": ["该任务没有这种结果"]}
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    answer = tap(worker, enterprise["id"], "notified", at=future)
    assert answer.json()["fields"] == {"at": ["时间不能晚于现在"]}
    answer = post(worker, "/api/v1/emergency/outcomes", {"request_id": "nope", "task_id": 1})
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"request_id", "outcome"}
    answer = tap(worker, enterprise["id"], "notified", note="长" * 501)
    assert answer.status_code == 422 and "note" in answer.json()["fields"]
    assert not OutcomeRecord.objects.exists()
    assert not Task.objects.filter(outcome__isnull=False).exists()


def test_switching_back_archives_the_emergency(api, ledgers):
    street = api("street")
    emergency_id = ok(activate(street, STREET), 201)["id"]
    worker = api("worker_a")
    tasks = all_tasks(worker, emergency_id)
    ok(tap(worker, tasks[0]["id"], "notified"), 201)
    ok(tap(worker, tasks[1]["id"], "no_one"), 201)
    assert len(ok(worker.get("/api/v1/emergency/tasks"))["items"]) == len(tasks) - 1
    # A worker may not switch it back.
    answer = post(worker, f"/api/v1/emergency/emergencies/{emergency_id}/deactivate")
    assert answer.status_code == 403
    archived = ok(
        post(
            street,
            f"/api/v1/emergency/emergencies/{emergency_id}/deactivate",
            {"note": "台风已过境"},
        )
    )
    assert archived["status"] == "archived" and archived["status_label"] == "已解除"
    assert archived["ended_at"] is not None and archived["closing_note"] == "台风已过境"
    assert archived["final"] == {"tasks": 8, "covered": 1, "percent": 12.5}
    assert archived["actions"] == []
    saved = Emergency.objects.get(pk=emergency_id)
    assert saved.final_tasks == 8 and saved.final_covered == 1
    assert saved.final_coverage == [
        [GRID_A, "building", 1, 0],
        [GRID_A, "enterprise", 2, 0],
        [GRID_A, "person", 2, 1],
        [GRID_A2, "building", 1, 0],
        [GRID_A2, "enterprise", 1, 0],
        [GRID_A2, "person", 1, 0],
    ]
    # Read-only: no outcome lands any more, not even a new one for an open task.
    answer = tap(worker, tasks[1]["id"], "notified")
    assert answer.status_code == 409
    assert answer.json()["message"] == "该应急状态已解除，任务已归档，不能再记录结果"
    # A repeat of an outcome stored before is still answered (the outbox may resend it).
    assert Task.objects.filter(covered=True).count() == 1
    # The workers' lists no longer show its tasks; the record stays readable.
    assert ok(worker.get("/api/v1/emergency/tasks"))["items"] == []
    assert ok(worker.get("/api/v1/emergency/tasks?open=false"))["items"] == []
    assert len(all_tasks(worker, emergency_id)) == 5
    coverage = ok(street.get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert (coverage["status"], coverage["tasks"], coverage["covered"]) == ("archived", 8, 1)
    # Switching back twice is a conflict; the area can be switched in again.
    again = post(street, f"/api/v1/emergency/emergencies/{emergency_id}/deactivate")
    assert again.status_code == 409
    assert ok(activate(street, STREET), 201)["id"] != emergency_id
    assert AuditEntry.objects.filter(action="emergency.deactivate").count() == 1


def test_a_repeated_outcome_after_switching_back_answers_with_the_stored_one(api, ledgers):
    street = api("street")
    emergency_id = ok(activate(street, STREET), 201)["id"]
    worker = api("worker_a")
    task = all_tasks(worker, emergency_id)[0]
    body = {"request_id": rid(), "task_id": task["id"], "outcome": "notified"}
    first = ok(post(worker, "/api/v1/emergency/outcomes", body), 201)
    ok(post(street, f"/api/v1/emergency/emergencies/{emergency_id}/deactivate"))
    assert ok(post(worker, "/api/v1/emergency/outcomes", body), 200)["id"] == first["id"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (STREET, STREET),  # the same area
        ("440704", STREET),  # the street lies in the district already in emergency
        (STREET, "440704"),  # the district contains the street in emergency
        (STREET, GRID_A),  # a grid of the street
    ],
)
def test_it_refuses_overlapping_emergencies(api, ledgers, first, second):
    ok(activate(api("district"), first), 201)
    answer = activate(api("district"), second, "cold_wave")
    assert answer.status_code == 409, answer.content
    body = answer.json()
    assert body["code"] == "conflict"
    assert "正处于台风应急状态（防御台风「马鞍」）" in body["message"]
    assert "同一区域同一时间只能有一个应急状态" in body["message"]
    assert body["fields"]["region_code"] == [body["message"]]
    assert Emergency.objects.count() == 1


def test_neighbouring_areas_may_be_in_emergency_at_once(api, ledgers):
    ok(activate(api("street"), STREET), 201)
    ok(activate(api("street_b"), STREET_B), 201)
    ok(activate(api("other_district"), "440703"), 201)
    assert Emergency.objects.filter(status="active").count() == 3


def test_it_stores_a_repeated_activation_once(api, ledgers):
    street = api("street")
    first = ok(activate(street, STREET, request_id="act-1"), 201)
    again = ok(activate(street, STREET, request_id="act-1"), 200)
    assert again["id"] == first["id"]
    assert Task.objects.count() == 8


def test_it_validates_the_activation(api, ledgers):
    street = api("street")
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    answer = activate(street, STREET, started_at=future, title="台" * 101)
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"title"}  # the schema's length limit first
    answer = activate(street, STREET, started_at=future)
    assert answer.json()["fields"] == {"started_at": ["启动时间不能晚于现在"]}
    answer = activate(street, GRID_A + "001")  # a minimal unit is not an area
    assert answer.status_code == 422
    answer = activate(street, "440704001009")  # no such community
    assert answer.json()["fields"] == {
        "region_code": ["该区域不存在，或不在您可以启动应急状态的范围内"]
    }
    earlier = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    created = ok(activate(street, "440704001001", started_at=earlier.isoformat()), 201)
    assert created["started_at"].startswith(earlier.isoformat()[:19])
    assert not Emergency.objects.exclude(pk=created["id"]).exists()
