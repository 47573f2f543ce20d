"""The seed stories, end to end through the API."""

from datetime import timedelta

from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.events.models import Category, Event, EventStep
from wangge.testing import GRID_A

from .conftest import act, ok, photo_id, post, report


def test_it_runs_a_resident_report_through_to_a_satisfied_return_visit(ew, client_for):
    resident = client_for("resident")
    created = ok(
        report(
            resident,
            category="0601",
            title="礼华街三个井盖夜间松动异响",
            description="礼华街有三个井盖松动，夜里车一过就哐哐响，吵得睡不着",
            address="礼华街 12 号对面",
            reporter_contact="13812341234",
            request_id="r-1",
        ),
        201,
    )
    event_id = created["id"]
    assert created["state"] == "reported"
    assert created["source"] == "resident"
    assert created["grid_code"] == GRID_A
    assert created["region_code"] == GRID_A + "001"
    assert created["reporter_contact"] == "138****1234"
    assert created["number"].startswith("440704" + timezone.localtime().strftime("%Y%m%d"))
    assert created["level"] == "street"

    street = client_for("street")
    ok(act(street, event_id, "register", {"note": "符合立案条件"}))
    dispatched = ok(act(street, event_id, "dispatch", {}))  # default department of 井盖: 市政
    assert dispatched["state"] == "dispatched"
    assert dispatched["department"]["code"] == "sz"
    assert dispatched["accept_due"] is not None

    sz = client_for("dept_sz")
    assert event_id in [e["id"] for e in ok(sz.get("/api/v1/events"))["items"]]
    accepted = ok(act(sz, event_id, "accept", {"note": "马上安排"}))
    assert accepted["state"] == "handling" and accepted["handle_due"] is not None
    photo = photo_id(sz, "after")
    handled = ok(
        act(
            sz,
            event_id,
            "feedback",
            {"note": "三个井盖已加装减震垫并紧固", "attachments": [photo]},
        )
    )
    assert handled["state"] == "handled"

    closed = ok(
        act(client_for("worker_a"), event_id, "verify", {"passed": True, "note": "现场核实无异响"})
    )
    assert closed["state"] == "closed" and closed["closed_at"] is not None

    visited = ok(
        act(
            street,
            event_id,
            "return-visit",
            {
                "contacted": True,
                "solved": True,
                "satisfaction": "satisfied",
                "note": "群众表示满意",
            },
        )
    )
    assert visited["satisfaction"] == "satisfied"
    assert visited["return_visit"]["satisfaction"] == "satisfied"
    actions = [(s["action"], s["from_state"], s["to_state"]) for s in visited["timeline"]]
    assert actions == [
        ("report", "", "reported"),
        ("register", "reported", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "handling"),
        ("feedback", "handling", "handled"),
        ("verify", "handled", "closed"),
        ("return_visit", "closed", "closed"),
    ]
    assert [a["id"] for a in visited["timeline"][4]["attachments"]] == [photo]
    assert visited["version"] == 7
    assert (
        AuditEntry.objects.filter(object_type="events.event", object_id=str(event_id)).count() == 7
    )
    # The resident follows their own report.
    mine = ok(resident.get(f"/api/v1/events/{event_id}"))
    assert mine["state"] == "closed" and mine["actions"] == []
    # A second return visit is refused.
    again = act(
        street,
        event_id,
        "return-visit",
        {"contacted": True, "solved": True, "satisfaction": "satisfied"},
    )
    assert again.status_code == 409


def test_it_lets_a_grid_worker_close_a_fire_on_the_spot(ew, client_for):
    worker = client_for("worker_a")
    fire = Category.objects.get(name="电线起火")
    created = ok(
        report(
            worker,
            category=fire.code,
            title="常亨公园电线起火",
            description="常亨公园东门路灯电线冒烟起火",
            address="常亨公园东门",
        ),
        201,
    )
    assert created["source"] == "grid_worker"
    assert "self_handle" in created["actions"]
    closed = ok(
        act(
            worker,
            created["id"],
            "self-handle",
            {
                "note": "用干粉灭火器扑灭，已通知供电所断电",
                "attachments": [photo_id(worker, "before"), photo_id(worker, "after")],
            },
        )
    )
    assert closed["state"] == "closed" and closed["self_handled"] is True
    event = Event.objects.get(pk=created["id"])
    assert event.closed_at - event.reported_at < timedelta(minutes=15)
    assert event.current_department is None
    # Only the grid's own worker may do that.
    other = ok(report(client_for("worker_a2"), category=fire.code, point=(113.07, 22.05)), 201)
    assert act(worker, other["id"], "self-handle").status_code == 404
    assert act(client_for("street"), other["id"], "self-handle").status_code == 403


def test_it_redispatches_after_a_send_back(ew, client_for):
    street, cg, sz = client_for("street"), client_for("dept"), client_for("dept_sz")
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(street, event_id, "register"))
    ok(act(street, event_id, "dispatch", {"department": "cg"}))
    missing = act(cg, event_id, "send-back", {})
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    blank = act(cg, event_id, "send-back", {"reason": "   "})
    assert blank.status_code == 422 and blank.json()["fields"] == {"reason": ["请填写退单理由"]}
    sent_back = ok(act(cg, event_id, "send-back", {"reason": "井盖属市政设施，不属城管职责"}))
    assert sent_back["state"] == "sent_back"
    # cg can no longer act; the street re-dispatches to 市政
    redispatched = ok(act(street, event_id, "redispatch", {"department": "sz", "note": "改派市政"}))
    assert redispatched["state"] == "dispatched" and redispatched["department"]["code"] == "sz"
    assert act(cg, event_id, "accept").status_code == 404  # no longer dispatched to cg
    ok(act(sz, event_id, "accept"))
    # A second send-back by sz is impossible once accepted.
    assert act(sz, event_id, "send-back", {"reason": "x"}).status_code == 409


def test_it_forces_a_department_after_a_send_back(ew, client_for):
    street, sz = client_for("street"), client_for("dept_sz")
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(street, event_id, "register"))
    ok(act(street, event_id, "dispatch"))
    ok(act(sz, event_id, "send-back", {"reason": "不是我们的井"}))
    assert act(street, event_id, "force", {}).status_code == 422
    forced = ok(act(street, event_id, "force", {"reason": "经核实属市政管养范围"}))
    assert forced["state"] == "handling" and forced["forced"] is True
    assert forced["department"]["code"] == "sz" and forced["handle_due"] is not None
    assert act(sz, event_id, "send-back", {"reason": "again"}).status_code == 409


def test_it_grants_an_extension_before_the_deadline(ew, client_for):
    street, sz = client_for("street"), client_for("dept_sz")
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(street, event_id, "register"))
    ok(act(street, event_id, "dispatch"))
    accepted = ok(act(sz, event_id, "accept"))
    requested = ok(
        act(
            sz,
            event_id,
            "request-extension",
            {"amount": 2, "unit": "working_days", "reason": "需订购加厚井盖"},
        )
    )
    ext = requested["extensions"][0]
    assert ext["state"] == "pending"
    assert (
        act(sz, event_id, "request-extension", {"amount": 1, "reason": "再延"}).status_code == 409
    )
    assert (
        act(
            sz, event_id, "decide-extension", {"extension_id": ext["id"], "approve": True}
        ).status_code
        == 403
    )
    granted = ok(
        act(
            street,
            event_id,
            "decide-extension",
            {"extension_id": ext["id"], "approve": True, "note": "同意"},
        )
    )
    assert granted["extensions"][0]["state"] == "granted"
    assert granted["handle_due"] > accepted["handle_due"]
    assert granted["extensions"][0]["new_due"] == granted["handle_due"]
    # After the deadline no extension may be asked for.
    Event.objects.filter(pk=event_id).update(handle_due=timezone.now() - timedelta(minutes=1))
    late = act(sz, event_id, "request-extension", {"amount": 1, "reason": "还要等"})
    assert late.status_code == 409 and "超过办理时限" in late.json()["message"]


def test_it_sends_a_failed_verification_back_for_rework(ew, client_for):
    street, sz, worker = client_for("street"), client_for("dept_sz"), client_for("worker_a")
    event_id = ok(report(worker), 201)["id"]
    ok(act(street, event_id, "register"))
    ok(act(street, event_id, "dispatch"))
    ok(act(sz, event_id, "accept"))
    ok(act(sz, event_id, "feedback", {"note": "已处理"}))
    no_reason = act(worker, event_id, "verify", {"passed": False})
    assert no_reason.status_code == 422 and "note" in no_reason.json()["fields"]
    rework = ok(act(worker, event_id, "verify", {"passed": False, "note": "仍有一个井盖松动"}))
    assert (
        rework["state"] == "handling"
        and rework["rework_count"] == 1
        and rework["handled_at"] is None
    )
    ok(act(sz, event_id, "feedback", {"note": "第三个井盖也已紧固"}))
    closed = ok(act(worker, event_id, "verify", {"passed": True}))
    assert closed["state"] == "closed" and closed["rework_count"] == 1


def test_it_closes_a_summoned_event_only_when_all_three_departments_are_done(ew, client_for):
    street = client_for("street")
    event_id = ok(
        report(
            client_for("worker_a"),
            category="0902",
            description="小区楼道多辆电动车飞线充电，消防通道被占",
        ),
        201,
    )["id"]
    ok(act(street, event_id, "register"))
    one = act(street, event_id, "summon", {"departments": ["xf"], "note": "联合整治"})
    assert one.status_code == 422
    unknown = act(street, event_id, "summon", {"departments": ["xf", "nope"], "note": "联合整治"})
    assert unknown.status_code == 422 and "departments" in unknown.json()["fields"]
    summoned = ok(
        act(
            street,
            event_id,
            "summon",
            {
                "departments": ["xf", "zj", "cg"],
                "note": "街道吹哨，三部门联合整治",
                "tasks": {"xf": "清理飞线", "zj": "督促物业整改", "cg": "清理占道"},
            },
        )
    )
    assert summoned["state"] == "joint"
    assert [p["department"]["code"] for p in summoned["parts"]] == ["xf", "zj", "cg"]
    handlers = {"xf": client_for("dept_xf"), "zj": client_for("dept_zj"), "cg": client_for("dept")}
    # Each department sees it; 市政 (not summoned) does not.
    for client in handlers.values():
        assert ok(client.get(f"/api/v1/events/{event_id}"))["state"] == "joint"
    assert client_for("dept_sz").get(f"/api/v1/events/{event_id}").status_code == 404
    assert (
        act(handlers["xf"], event_id, "complete-part", {"note": "done"}).status_code == 409
    )  # report in first
    for code, client in handlers.items():
        ok(act(client, event_id, "report-in", {"note": f"{code} 已到场"}))
    assert act(handlers["xf"], event_id, "report-in").status_code == 409
    after_two = None
    for code in ("xf", "zj"):
        after_two = ok(act(handlers[code], event_id, "complete-part", {"note": f"{code} 分工完成"}))
    assert after_two is not None and after_two["state"] == "joint"
    assert act(client_for("worker_a"), event_id, "verify", {"passed": True}).status_code == 409
    done = ok(act(handlers["cg"], event_id, "complete-part", {"note": "占道物品已清理"}))
    assert done["state"] == "handled" and done["handled_at"] is not None
    assert {p["state"] for p in done["parts"]} == {"done"}
    # Failed verification reopens every part; passing closes the event.
    rework = ok(
        act(client_for("worker_a"), event_id, "verify", {"passed": False, "note": "飞线仍在"})
    )
    assert rework["state"] == "joint" and {p["state"] for p in rework["parts"]} == {"reported_in"}
    for client in handlers.values():
        ok(act(client, event_id, "complete-part", {"note": "再次整改完成"}))
    closed = ok(act(client_for("worker_a"), event_id, "verify", {"passed": True}))
    assert closed["state"] == "closed"
    steps = EventStep.objects.filter(event_id=event_id, action="complete_part").count()
    assert steps == 6


def test_it_escalates_to_the_district_which_then_acts_while_the_street_still_sees(ew, client_for):
    street, district = client_for("street"), client_for("district")
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(street, event_id, "register"))
    assert act(street, event_id, "escalate", {"reason": " "}).status_code == 422
    escalated = ok(act(street, event_id, "escalate", {"reason": "涉及跨街道管线，需区级协调"}))
    assert escalated["level"] == "district"
    # The street still sees it but can no longer dispatch; the district can.
    seen = ok(street.get(f"/api/v1/events/{event_id}"))
    assert "dispatch" not in seen["actions"]
    assert act(street, event_id, "dispatch").status_code == 403
    assert "dispatch" in ok(district.get(f"/api/v1/events/{event_id}"))["actions"]
    ok(act(district, event_id, "dispatch", {"department": "sz"}))
    assert act(district, event_id, "escalate", {"reason": "再提"}).status_code == 409


def test_it_registers_only_admitted_types_and_rejects_with_a_reason(ew, client_for):
    street, worker = client_for("street"), client_for("worker_a")
    first = ok(report(worker), 201)["id"]
    dup = ok(report(worker, description="同一处井盖"), 201)["id"]
    ok(act(street, first, "register"))
    assert act(street, dup, "reject", {}).status_code == 422
    rejected = ok(act(street, dup, "reject", {"reason": "重复上报", "duplicate_of": first}))
    assert rejected["state"] == "rejected" and rejected["duplicate_of"] == first
    other = ok(report(worker, category="1602", description="咨询社保卡补办"), 201)["id"]
    refused = act(street, other, "register")
    assert refused.status_code == 422 and "category" in refused.json()["fields"]
    corrected = ok(act(street, other, "register", {"category": "1601"}))
    assert corrected["category"]["code"] == "1601"


def test_it_supervises_and_counts(ew, client_for):
    street = client_for("street")
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    assert act(street, event_id, "supervise", {"note": ""}).status_code == 422
    supervised = ok(act(street, event_id, "supervise", {"note": "请尽快立案"}))
    assert supervised["supervise_count"] == 1 and supervised["state"] == "reported"


def test_it_answers_a_stale_version_with_409(ew, client_for):
    street = client_for("street")
    created = ok(report(client_for("worker_a")), 201)
    stale = act(street, created["id"], "register", {"version": created["version"] + 1})
    assert stale.status_code == 409
    ok(act(street, created["id"], "register", {"version": created["version"]}))
    assert post(street, f"/api/v1/events/{created['id']}/register", {}).status_code == 409
