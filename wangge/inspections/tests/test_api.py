"""Safety inspections through the API: checklists, hazards and their deadlines, re-inspections,
escalation into events, the overdue task, enforcement records and idempotency."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.events.models import Event
from wangge.inspections import actions
from wangge.inspections.actions import mark_overdue_hazards
from wangge.inspections.models import (
    EnforcementRecord,
    Hazard,
    Inspection,
    ItemResult,
    Reinspection,
)
from wangge.inspections.tasks import escalate_overdue_hazards_task
from wangge.testing import GRID_A, GRID_B

from .conftest import (
    ENTERPRISE_A,
    ENTERPRISE_B,
    gas_answers,
    inspect,
    ok,
    patch,
    post,
    rid,
)


def test_it_lists_the_seeded_checklists(api, iw):
    lists = {c["code"]: c for c in ok(api("worker_a").get("/api/v1/inspections/checklists"))}
    assert set(lists) == {"restaurant-gas", "enterprise-safety", "rental-fire"}
    gas = lists["restaurant-gas"]
    assert gas["name"] == "餐饮场所燃气安全检查" and gas["target_kind"] == "enterprise"
    texts = [i["text"] for i in gas["items"]]
    assert texts[:2] == ["燃气报警器已安装", "报警器安装位置正确"]
    assert "无超量存放气瓶" in texts
    hose = next(i for i in gas["items"] if i["code"] == "hose-length")
    assert hose["answer_type"] == "number" and hose["limit_max"] == 2.0 and hose["unit"] == "m"
    assert hose["limit_label"] == "≤2 m" and hose["is_hazard"] and hose["rectify_days"] == 3
    knowledge = next(i for i in gas["items"] if i["code"] == "staff-knowledge")
    assert knowledge["is_hazard"] is False
    buildings = ok(api("worker_a").get("/api/v1/inspections/checklists?target_kind=building"))
    assert [c["code"] for c in buildings] == ["rental-fire"]


def test_a_failed_gas_item_opens_a_hazard_with_a_deadline(api, samples, iw):
    client = api("worker_a")
    found = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], hose=2.5, fail=("staff-knowledge",)),
        201,
    )
    assert found["target_name"] == "样例企业1" and found["region_code"] == GRID_A + "001"
    assert found["inspector"] == "张伟"
    outcomes = {r["text"]: r["outcome"] for r in found["results"]}
    assert outcomes["软管长度不超过规定（≤2 m）"] == "fail"
    assert outcomes["从业人员会关阀、会报警、会使用灭火器"] == "fail"  # but not a hazard
    assert list(outcomes.values()).count("fail") == 2
    [hazard] = found["hazards"]
    today = timezone.localdate()
    assert hazard["deadline"] == (today + timedelta(days=3)).isoformat()
    assert hazard["days_left"] == 3 and hazard["overdue"] is False
    assert hazard["state"] == "open" and hazard["state_label"] == "整改中"
    assert hazard["owner_name"] == "样例企业1" and hazard["responsible_person"] == "样例法人"
    assert "实测 2.5 m" in hazard["description"] and "≤2 m" in hazard["description"]
    result = ItemResult.objects.get(pk=Hazard.objects.get().result_id)
    assert result.value_number == Decimal("2.50") and result.limit_max == Decimal("2.00")
    entry = AuditEntry.objects.get(action="inspections.inspect")
    assert entry.actor == iw["worker_a"] and entry.region_code == GRID_A + "001"
    assert entry.after["hazards"] == [hazard["id"]] and entry.after["failed"] == 2


def test_the_measurement_decides_and_deadlines_can_be_given(api, samples):
    client = api("worker_a")
    later = (timezone.localdate() + timedelta(days=10)).isoformat()
    # Ticking "pass" does not hide a measurement over the limit.
    answers = gas_answers(
        client, hose=2.01, fail=("alarm-position",), deadlines={"alarm-position": later}
    )
    for a in answers:
        if "value" in a:
            a["outcome"] = "pass"
    found = ok(
        post(
            client,
            "/api/v1/inspections",
            {
                "checklist": "restaurant-gas",
                "enterprise_id": samples.enterprises[ENTERPRISE_A],
                "answers": answers,
                "owner_name": "样例餐馆（分店）",
                "responsible_person": "店长",
            },
        ),
        201,
    )
    deadlines = {h["description"].split("：")[0]: h["deadline"] for h in found["hazards"]}
    assert deadlines["报警器安装位置正确"] == later
    assert (
        deadlines["软管长度不超过规定（≤2 m）"]
        == (timezone.localdate() + timedelta(days=3)).isoformat()
    )
    assert {h["owner_name"] for h in found["hazards"]} == {"样例餐馆（分店）"}
    assert {h["responsible_person"] for h in found["hazards"]} == {"店长"}


def test_it_explains_what_is_missing_item_by_item(api, samples):
    client = api("worker_a")
    answers = gas_answers(client, hose=2.0)
    hose_id = next(a["item"] for a in answers if "value" in a)
    other_id = answers[0]["item"]
    answers = [a for a in answers if a["item"] != hose_id]
    answers[0] = {"item": other_id, "outcome": "fail", "deadline": "2000-01-01"}
    answers.append({"item": 999999, "outcome": "pass"})
    body = {
        "checklist": "restaurant-gas",
        "enterprise_id": samples.enterprises[ENTERPRISE_A],
        "answers": answers,
    }
    response = post(client, "/api/v1/inspections", body)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields[f"answers.{hose_id}"] == ["请填写检查结果"]
    assert fields[f"answers.{other_id}"] == ["整改期限不能早于检查日期"]
    assert fields["answers"] == ["检查表中没有这些检查项：999999"]
    # A building checklist on an enterprise; no target at all.
    wrong = post(client, "/api/v1/inspections", {**body, "checklist": "rental-fire"})
    assert wrong.json()["fields"]["checklist"] == ["该检查表用于房屋（出租屋）"]
    none = post(client, "/api/v1/inspections", {"checklist": "restaurant-gas", "answers": []})
    assert none.json()["fields"]["enterprise"] == ["请选择一个检查对象：企业（商铺）或房屋"]
    assert not Inspection.objects.exists() and not Hazard.objects.exists()


def test_the_same_request_id_stores_one_inspection(api, samples):
    client = api("worker_a")
    request_id = rid()
    first = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], hose=3, request_id=request_id), 201
    )
    again = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], hose=3, request_id=request_id), 200
    )
    assert again["id"] == first["id"] and again["hazards"] == first["hazards"]
    assert Inspection.objects.count() == 1 and Hazard.objects.count() == 1
    # Another inspector's id is theirs: the same UUID is another inspection.
    other = ok(
        inspect(api("community"), samples.enterprises[ENTERPRISE_A], hose=1, request_id=request_id),
        201,
    )
    assert other["id"] != first["id"]
    bad = inspect(client, samples.enterprises[ENTERPRISE_A], request_id="not-a-uuid")
    assert bad.status_code == 422 and bad.json()["fields"]["request_id"] == ["格式不正确"]


def test_two_identical_requests_racing_store_one_inspection(api, samples, monkeypatch, iw):
    client = api("worker_a")
    request_id = rid()
    first = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], hose=3, request_id=request_id), 201
    )
    # The second request checks before the first commits: it finds nothing, then its insert
    # meets the unique constraint and it answers with the first request's inspection.
    real = actions._stored_once
    calls = []

    def late(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(actions, "_stored_once", late)
    again = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], hose=3, request_id=request_id), 200
    )
    assert again["id"] == first["id"] and len(calls) == 2
    assert Inspection.objects.count() == 1 and Hazard.objects.count() == 1


def test_a_passed_reinspection_closes_the_hazard(api, hazard_in_a):
    client = api("worker_a")
    url = f"/api/v1/inspections/hazards/{hazard_in_a['id']}/reinspections"
    request_id = rid()
    done = ok(
        post(client, url, {"value": 1.5, "note": "已更换 1.5 米软管", "request_id": request_id}),
        201,
    )
    assert done["reinspection"]["passed"] is True and done["reinspection"]["value"] == 1.5
    hazard = done["hazard"]
    assert hazard["state"] == "rectified" and hazard["rectified_at"] and hazard["event"] is None
    assert hazard["actions"] == []  # nothing left to do on a closed hazard for a grid worker
    assert not Event.objects.exists()
    # The same request again answers with the same re-inspection; a new one is refused.
    again = ok(post(client, url, {"value": 1.5, "request_id": request_id}), 200)
    assert again["reinspection"]["id"] == done["reinspection"]["id"]
    late = post(client, url, {"passed": True, "request_id": rid()})
    assert late.status_code == 409
    assert late.json()["message"] == "该隐患当前状态为「已整改销号」，不能复查"
    assert Reinspection.objects.count() == 1
    assert AuditEntry.objects.filter(action="inspections.rectify_hazard").count() == 1


def test_a_failed_reinspection_becomes_an_event_the_centre_dispatches(api, hazard_in_a, iw):
    client = api("worker_a")
    url = f"/api/v1/inspections/hazards/{hazard_in_a['id']}/reinspections"
    done = ok(post(client, url, {"value": 2.5, "note": "仍未更换软管"}), 201)
    hazard = done["hazard"]
    assert done["reinspection"]["passed"] is False
    assert hazard["state"] == "escalated" and hazard["escalation_reason"] == "reinspection_failed"
    event = Event.objects.select_related("category__parent").get(pk=hazard["event"]["id"])
    assert hazard["event"]["number"] == event.number
    # In the catalogue's 安全生产/消防隐患 category, at the restaurant's place.
    assert event.category.code == "0904" and event.category.parent.name == "安全生产/消防隐患"
    assert event.grid_code == GRID_A and event.region_code == GRID_A + "001"
    assert event.source == "inspection" and event.state == "reported"
    assert event.reporter == iw["worker_a"]
    assert (
        "样例企业1" in event.title
        and "复查不合格：复查实测 2.5 m，仍未更换软管" in event.description
    )
    assert Hazard.objects.get().event_id == event.pk
    # The street's command centre registers and dispatches it to the category's department.
    street = api("street")
    ok(post(street, f"/api/v1/events/{event.pk}/register"))
    dispatched = ok(post(street, f"/api/v1/events/{event.pk}/dispatch"))
    assert dispatched["state"] == "dispatched"
    assert dispatched["department"]["code"] == "zj"
    # A second re-inspection of the escalated hazard is refused.
    assert post(client, url, {"passed": False}).status_code == 409


def test_a_pass_fail_hazard_needs_an_answer(api, samples):
    client = api("worker_a")
    found = ok(inspect(client, samples.enterprises[ENTERPRISE_A], fail=("alarm-installed",)), 201)
    url = f"/api/v1/inspections/hazards/{found['hazards'][0]['id']}/reinspections"
    missing = post(client, url, {"note": "看了一下"})
    assert missing.status_code == 422 and missing.json()["fields"] == {
        "passed": ["请选择是否已整改"]
    }
    value = post(client, url, {"value": 1})
    assert value.json()["fields"] == {"value": ["该检查项不需要填写数值"]}
    future = post(
        client,
        url,
        {"passed": True, "inspected_at": (timezone.now() + timedelta(hours=1)).isoformat()},
    )
    assert future.json()["fields"] == {"inspected_at": ["时间不能晚于现在"]}
    assert not Reinspection.objects.exists()
    # Without the catalogue's category a failed re-inspection is refused and nothing is stored.
    from wangge.events.models import Category

    Category.objects.filter(code__startswith="09").update(is_active=False)
    refused = post(client, url, {"passed": False})
    assert refused.status_code == 422
    assert (
        refused.json()["message"] == "事件目录中没有「安全生产/消防隐患」类别，无法将隐患转为事件"
    )
    assert not Reinspection.objects.exists() and Hazard.objects.get().state == "open"


def test_the_task_escalates_hazards_past_their_deadline(api, samples, iw):
    client = api("worker_a")
    late = ok(inspect(client, samples.enterprises[ENTERPRISE_A], hose=2.5), 201)["hazards"][0]
    later = ok(
        inspect(client, samples.enterprises[ENTERPRISE_A], fail=("hose-condition",), hose=1), 201
    )["hazards"][0]
    in_b = ok(inspect(api("worker_b"), samples.enterprises[ENTERPRISE_B], hose=2.5), 201)[
        "hazards"
    ][0]
    deadline = date.fromisoformat(late["deadline"])  # in 3 days; the hose condition in 1 day
    # On the deadline day nothing happens yet.
    on_the_day = timezone.make_aware(datetime.combine(deadline, time(20, 0)))
    assert set(mark_overdue_hazards(on_the_day).escalated) == {later["id"]}
    result = mark_overdue_hazards(on_the_day + timedelta(days=1))
    assert set(result.escalated) == {late["id"], in_b["id"]} and result.failed == []
    hazard = Hazard.objects.select_related("event").get(pk=late["id"])
    assert hazard.state == "escalated" and hazard.escalation_reason == "overdue"
    event = hazard.event
    assert event.reporter is None and event.source == "inspection"
    assert event.category.code == "0904" and event.grid_code == GRID_A
    assert "超过整改期限未复查" in event.description
    assert Hazard.objects.get(pk=in_b["id"]).event.grid_code == GRID_B
    # Nothing left to do on the next run.
    assert mark_overdue_hazards(on_the_day + timedelta(days=2)).escalated == []
    listed = ok(client.get("/api/v1/inspections/hazards?state=escalated"))["items"]
    assert {h["id"] for h in listed} == {late["id"], later["id"]}


def test_the_overdue_list_shows_open_hazards_past_the_deadline(api, samples):
    client = api("worker_a")
    hazard = ok(inspect(client, samples.enterprises[ENTERPRISE_A], hose=2.5), 201)["hazards"][0]
    assert ok(client.get("/api/v1/inspections/hazards?overdue=true"))["items"] == []
    Hazard.objects.filter(pk=hazard["id"]).update(deadline=timezone.localdate() - timedelta(days=1))
    [late] = ok(client.get("/api/v1/inspections/hazards?overdue=true"))["items"]
    assert late["id"] == hazard["id"] and late["overdue"] is True and late["days_left"] == -1


def test_it_runs_as_a_task_on_the_database_backend(transactional_db, api, samples):
    hazard = ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)[
        "hazards"
    ][0]
    Hazard.objects.filter(pk=hazard["id"]).update(deadline=timezone.localdate() - timedelta(days=1))
    result = escalate_overdue_hazards_task.enqueue()
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"escalated": 1, "failed": 0}
    assert Hazard.objects.get(pk=hazard["id"]).state == "escalated"


def test_it_keeps_the_lpg_seizure_with_the_case(api, hazard_in_a, iw):
    url = f"/api/v1/inspections/hazards/{hazard_in_a['id']}/enforcement"
    body = {
        "kind": "seizure",
        "item": "液化石油气钢瓶",
        "quantity": 45,
        "unit": "个",
        "details": "实瓶5个，空瓶40个",
        "department": "cg",
        "request_id": rid(),
    }
    community = api("community")
    record = ok(post(community, url, body), 201)
    assert record["kind_label"] == "暂扣" and record["quantity"] == 45
    assert record["details"] == "实瓶5个，空瓶40个" and record["department"]["code"] == "cg"
    assert record["enforced_on"] == timezone.localdate().isoformat()
    assert record["recorded_by"] == "东社区工作站"
    assert ok(post(community, url, body), 200)["id"] == record["id"]
    assert EnforcementRecord.objects.count() == 1
    detail = ok(community.get(f"/api/v1/inspections/hazards/{hazard_in_a['id']}"))
    assert [r["id"] for r in detail["enforcement_records"]] == [record["id"]]
    assert set(detail["actions"]) == {"reinspect", "change", "enforce"}
    entry = AuditEntry.objects.get(action="inspections.enforce")
    assert entry.region_code == GRID_A + "001" and entry.after["quantity"] == 45
    # Refusals, field by field; a department of another district is unknown here.
    bad = post(
        community,
        url,
        {
            **body,
            "request_id": rid(),
            "department": str(iw.departments["other"].pk),
            "enforced_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "item": " ",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {
        "item": ["请填写物品或事项"],
        "department": ["未知的部门，或该部门不属于隐患所在的区"],
        "enforced_on": ["执法日期不能晚于今天"],
    }
    # Records stay with the case after it is closed.
    ok(
        post(
            api("worker_a"),
            f"/api/v1/inspections/hazards/{hazard_in_a['id']}/reinspections",
            {"passed": True},
        ),
        201,
    )
    assert ok(
        post(community, url, {**body, "request_id": rid(), "kind": "order", "quantity": None}), 201
    )


def test_the_deadline_and_owner_can_be_changed_with_a_reason(api, hazard_in_a):
    client = api("worker_a")
    url = f"/api/v1/inspections/hazards/{hazard_in_a['id']}"
    later = (timezone.localdate() + timedelta(days=14)).isoformat()
    changed = ok(
        patch(
            client,
            url,
            {
                "deadline": later,
                "responsible_person": "新店长",
                "reason": "需订购新软管",
                "version": 1,
            },
        )
    )
    assert changed["deadline"] == later and changed["responsible_person"] == "新店长"
    assert changed["version"] == 2
    stale = patch(client, url, {"deadline": later, "reason": "再改", "version": 1})
    assert stale.status_code == 409
    past = patch(client, url, {"deadline": "2000-01-01", "reason": "误填"})
    assert past.json()["fields"] == {"deadline": ["整改期限不能早于今天"]}
    nothing = patch(client, url, {"deadline": later, "reason": "无"})
    assert nothing.json()["fields"] == {"deadline": ["没有需要修改的内容"]}
    entry = AuditEntry.objects.get(action="inspections.change_hazard")
    assert entry.reason == "需订购新软管" and entry.after["deadline"] == later
