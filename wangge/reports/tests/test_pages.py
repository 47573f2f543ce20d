"""The /reports/ pages: scoped lists, the htmx request form, downloads, schedules."""

from __future__ import annotations

from django.urls import reverse

from wangge.reports.models import Report, ReportSchedule
from wangge.reports.periods import today

from .conftest import body


def _form(node: str, **extra: str) -> dict[str, str]:
    return {
        "node": node,
        "kind": "month",
        "period_start": today().isoformat(),
        "format": "xlsx",
        **extra,
    }


def test_the_page_asks_for_a_report_with_htmx_and_rows_poll(world, login, run_queued):
    client = login("street")
    page = client.get(reverse("reports:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="request"' in html and "440704001001" in html  # a node choice
    assert "440704002" not in html
    response = client.post(reverse("reports:index"), _form("440704001"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    report = Report.objects.get()
    assert 'data-testid="notice"' in html
    assert f'id="report-{report.pk}"' in html and 'hx-trigger="every 3s"' in html
    run_queued()
    row = client.get(reverse("reports:row", args=[report.pk])).content.decode()
    assert 'data-state="done"' in row and "hx-trigger" not in row
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert body(download)[:2] == b"PK"


def test_the_form_shows_field_errors_and_stores_nothing(world, login):
    client = login("street")
    response = client.post(
        reverse("reports:index"), _form("440704002", kind="year"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "没有找到该节点，或您无权查看" in html and "未知的报表周期" in html
    plain = client.post(reverse("reports:index"), _form("", format="doc"))
    assert plain.status_code == 422
    assert "请选择节点" in plain.content.decode()
    assert not Report.objects.exists()


def test_without_javascript_the_form_redirects(world, login):
    response = login("district").post(reverse("reports:index"), _form("440704"))
    assert response.status_code == 302
    assert Report.objects.get().node == "440704"


def test_pages_are_scoped(world, login, run_queued):
    login("street").post(reverse("reports:index"), _form("440704001"))
    login("street_b").post(reverse("reports:index"), _form("440704002"))
    run_queued()
    mine = Report.objects.get(node="440704001")
    theirs = Report.objects.get(node="440704002")
    client = login("street")
    html = client.get(reverse("reports:index")).content.decode()
    assert f'id="report-{mine.pk}"' in html and f'id="report-{theirs.pk}"' not in html
    for name in ("reports:row", "reports:download"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.post(reverse("reports:retry", args=[theirs.pk])).status_code == 404
    for username in ("dept", "resident", "part_time_a"):
        assert login(username).get(reverse("reports:index")).status_code == 403
        assert login(username).get(reverse("reports:schedules")).status_code == 403
        assert login(username).get(reverse("reports:download", args=[mine.pk])).status_code == 404


def test_schedules_page_creates_lists_and_stops(world, login):
    client = login("street")
    bad = client.post(reverse("reports:schedules"), {"node": "440704002", "kind": "day"})
    assert bad.status_code == 422
    assert (
        "没有找到该节点" in bad.content.decode()
        and "请至少选择一种文件格式" in bad.content.decode()
    )
    ok = client.post(
        reverse("reports:schedules"),
        {"node": "440704001", "kind": "week", "formats": ["xlsx", "pdf"]},
    )
    assert ok.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.formats == "pdf,xlsx" and schedule.created_by == world["street"]
    html = client.get(reverse("reports:schedules")).content.decode()
    assert 'data-testid="schedule"' in html
    assert (
        'data-testid="schedule"'
        not in login("street_b").get(reverse("reports:schedules")).content.decode()
    )
    stop = reverse("reports:deactivate", args=[schedule.pk])
    assert login("street_b").post(stop).status_code == 404
    assert client.post(stop).status_code == 302
    schedule.refresh_from_db()
    assert not schedule.is_active


def test_the_dashboard_links_to_the_reports(world, login):
    html = login("street").get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="reports-link"' in html and "/reports/?node=440704001" in html


def test_the_node_is_chosen_by_name_and_a_linked_grid_is_kept(world, login):
    from wangge.regions.models import Region
    from wangge.testing import GRID_A, GRID_B

    names = dict(Region.objects.values_list("code", "name"))
    client = login("street")
    html = client.get(reverse("reports:index")).content.decode()
    assert f'<option value="440704001" selected>{names["440704001"]}</option>' in html
    assert f'<option value="{GRID_A[:12]}">\u3000{names[GRID_A[:12]]}</option>' in html
    # From a grid's dashboard: the grid is offered, by name, and chosen.
    html = client.get(reverse("reports:index"), {"node": GRID_A}).content.decode()
    assert f'<option value="{GRID_A}" selected>{names[GRID_A]}</option>' in html
    # Another street's grid: the code as given, not its name (the request is then refused).
    html = client.get(reverse("reports:index"), {"node": GRID_B}).content.decode()
    assert f'<option value="{GRID_B}" selected>{GRID_B}</option>' in html
    assert names[GRID_B] not in html
    schedules = client.get(reverse("reports:schedules")).content.decode()
    assert f'<option value="440704001">{names["440704001"]}</option>' in schedules
