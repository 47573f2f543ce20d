from datetime import timedelta

from django.utils import timezone

from wangge.events.models import Event
from wangge.testing import POINT_B

from .conftest import act, ok, report


def test_it_counts_figures_in_scope(ew, client_for):
    worker, street, sz = client_for("worker_a"), client_for("street"), client_for("dept_sz")
    fire = ok(report(worker, category="0401"), 201)["id"]
    ok(act(worker, fire, "self-handle"))
    done = ok(report(client_for("resident")), 201)["id"]
    for client, action, body in [
        (street, "register", {}),
        (street, "dispatch", {}),
        (sz, "accept", {}),
        (sz, "feedback", {"note": "修好"}),
        (worker, "verify", {"passed": False, "note": "没修好"}),
        (sz, "feedback", {"note": "真修好了"}),
        (worker, "verify", {"passed": True}),
        (street, "return-visit", {"contacted": True, "solved": True, "satisfaction": "basically"}),
    ]:
        ok(act(client, done, action, body))
    pending = ok(report(worker), 201)["id"]
    ok(act(street, pending, "register"))
    ok(act(street, pending, "dispatch"))
    Event.objects.filter(pk=pending).update(overdue=True)
    ok(report(client_for("worker_b"), point=POINT_B), 201)

    figures = ok(client_for("district").get("/api/v1/stats/events"))
    assert figures["reported"] == 4
    assert figures["registered"] == 3
    assert figures["handled"] == 2
    assert figures["closed"] == 2
    assert figures["reworked"] == 1
    assert figures["overdue"] == 1
    assert figures["self_handled"] == 1
    assert figures["handling_rate"] == round(2 / 3, 4)
    assert figures["closure_rate"] == round(2 / 3, 4)
    assert figures["rework_rate"] == 0.5
    assert figures["self_handled_rate"] == 0.25
    assert figures["on_time_rate"] == 1.0
    assert figures["satisfaction_rate"] == 1.0
    assert figures["avg_accept_hours"] is not None and figures["avg_accept_hours"] >= 0
    assert figures["avg_handle_hours"] is not None and figures["avg_handle_hours"] >= 0
    assert figures["by_state"] == {"closed": 2, "dispatched": 1, "reported": 1}
    assert figures["by_category"] == {"04": 1, "06": 3}
    assert figures["by_source"] == {"grid_worker": 3, "resident": 1}
    # Both dispatched events were accepted / are pending: one accepted (in time).
    assert figures["dispatched"] == 2
    assert figures["responded"] == 1
    assert figures["dept_response_rate"] == 0.5
    assert figures["by_department"] == {"sz": 2}
    three = figures["three_rates"]
    assert figures["return_visits"] == 1
    assert (three["response_rate"], three["solve_rate"], three["satisfaction_rate"]) == (
        1.0,
        1.0,
        1.0,
    )
    assert three["score"] == 100.0
    assert three["weights"] == {"response_rate": 0.2, "solve_rate": 0.4, "satisfaction_rate": 0.4}

    # Scoped: the street does not count grid B's event; grid B's worker sees only its own.
    assert ok(street.get("/api/v1/stats/events"))["reported"] == 3
    assert ok(client_for("worker_b").get("/api/v1/stats/events"))["reported"] == 1
    assert ok(client_for("district").get("/api/v1/stats/events?under=440704002"))["reported"] == 1
    assert ok(sz.get("/api/v1/stats/events"))["reported"] == 2


def test_it_limits_figures_to_a_period(ew, client_for):
    first = ok(report(client_for("worker_a")), 201)["id"]
    ok(report(client_for("worker_a")), 201)
    Event.objects.filter(pk=first).update(reported_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    district = client_for("district")
    assert ok(district.get(f"/api/v1/stats/events?since={today}"))["reported"] == 1
    assert (
        ok(district.get(f"/api/v1/stats/events?until={today - timedelta(days=1)}"))["reported"] == 1
    )
    empty = ok(district.get(f"/api/v1/stats/events?since={today + timedelta(days=1)}"))
    assert empty["reported"] == 0 and empty["handling_rate"] is None
    bad = district.get(f"/api/v1/stats/events?since={today}&until={today - timedelta(days=1)}")
    assert bad.status_code == 422 and "until" in bad.json()["fields"]


def test_it_weighs_the_three_rates_by_configuration(ew, client_for, settings):
    settings.THREE_RATE_WEIGHTS = {
        "response_rate": 0.5,
        "solve_rate": 0.5,
        "satisfaction_rate": 0.0,
    }
    worker, street, sz = client_for("worker_a"), client_for("street"), client_for("dept_sz")
    for solved, satisfaction in [(True, "satisfied"), (False, "dissatisfied")]:
        pk = ok(report(worker), 201)["id"]
        for client, action, body in [
            (street, "register", {}),
            (street, "dispatch", {}),
            (sz, "accept", {}),
            (sz, "feedback", {"note": "处理"}),
            (worker, "verify", {"passed": True}),
            (
                street,
                "return-visit",
                {"contacted": True, "solved": solved, "satisfaction": satisfaction},
            ),
        ]:
            ok(act(client, pk, action, body))
    three = ok(client_for("district").get("/api/v1/stats/events"))["three_rates"]
    assert three["response_rate"] == 1.0
    assert three["solve_rate"] == 0.5
    assert three["satisfaction_rate"] == 0.5
    assert three["score"] == 75.0
