"""Loading the demo into the database: regions, departments, accounts, roles and scopes."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count
from openpyxl import load_workbook

from wangge.accounts.models import Assignment, Department, User
from wangge.accounts.scope import scope_for
from wangge.audit.models import AuditEntry
from wangge.dashboards.periods import Period
from wangge.dashboards.queries import figures_data
from wangge.demo import hierarchy
from wangge.demo.seed import DEMO_ACCOUNTS, FIRST_GRID, SeedError, seed_demo
from wangge.events.actions import mark_overdue
from wangge.events.models import Event
from wangge.people.models import Person
from wangge.regions.models import Region
from wangge.reports.models import Report
from wangge.testing import World

pytestmark = pytest.mark.django_db

NODE_ROOTS = {
    "leader": ["440704"],
    "district": ["440704"],
    "street1": ["440704001"],
    "street2": ["440704002"],
    "street3": ["440704003"],
    "community": ["440704001001"],
    "worker1": [FIRST_GRID],
    "worker2": [FIRST_GRID],
}


def roles_of(username: str) -> list[str]:
    return scope_for(User.objects.get(username=username)).roles


def test_it_seeds_the_demo_district_through_the_command() -> None:
    out = StringIO()
    call_command("seed", "--if-empty", "--residents", "400", stdout=out)
    text = out.getvalue()
    assert "190" in text and "2,590" in text
    assert "居民 400 人" in text and Person.objects.count() == 400
    for username, description in DEMO_ACCOUNTS:
        assert username in text and description in text

    levels = dict(Region.objects.values_list("level").annotate(n=Count("id")))
    assert levels == {"district": 1, "street": 3, "community": 30, "grid": 190, "unit": 2590}
    assert Region.objects.get(code="440704").name == "江海区"
    assert Department.objects.filter(district__code="440704").count() == 9
    assert Department.objects.get(code="cg").name == "江海区城市管理和综合执法局"

    # The named accounts, with the roles and scopes the README promises.
    usernames = [u for u, _ in DEMO_ACCOUNTS]
    assert {
        "admin",
        "district",
        "street1",
        "street2",
        "street3",
        "community",
        "worker1",
        "worker2",
        "dept-cg",
        "resident",
        "leader",
    } <= set(usernames)
    assert User.objects.filter(username__in=usernames).count() == len(usernames)
    for username, roots in NODE_ROOTS.items():
        assert scope_for(User.objects.get(username=username)).node_roots == roots, username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and scope_for(admin).is_global and scope_for(admin).roles == ["admin"]
    assert roles_of("district") == ["dispatcher"] and roles_of("street2") == ["dispatcher"]
    assert roles_of("community") == ["community_staff"]
    assert roles_of("worker1") == ["grid_worker"] and roles_of("leader") == ["leader"]
    assert roles_of("resident") == ["resident"]
    assert scope_for(User.objects.get(username="resident")).map_roots == ["440704"]
    dept = scope_for(User.objects.get(username="dept-cg"))
    assert dept.roles == ["dept_handler"]
    assert dept.department_ids == [Department.objects.get(code="cg").pk]
    assert dept.map_roots == ["440704"]
    for code in ("zj", "sz", "xf", "ga"):
        handler = scope_for(User.objects.get(username=f"dept-{code}"))
        assert handler.department_ids == [Department.objects.get(code=code).pk]

    worker1 = User.objects.get(username="worker1")
    assert worker1.check_password(settings.DEMO_PASSWORD)
    assert not worker1.check_password("wrong-password")
    assert len(worker1.display_name) in (2, 3, 4)

    # 一格两员: worker1/worker2 are the first grid's two workers; no one else is.
    per_grid = dict(
        Assignment.objects.filter(role__slug="grid_worker")
        .values_list("region__code")
        .annotate(n=Count("id"))
    )
    assert len(per_grid) == 190 and set(per_grid.values()) == {2}
    first = Assignment.objects.filter(role__slug="grid_worker", region__code=FIRST_GRID)
    assert sorted(first.values_list("user__username", flat=True)) == ["worker1", "worker2"]
    second_grid = FIRST_GRID[:-3] + "002"
    assert User.objects.get(username=f"gw{second_grid}a").check_password(settings.DEMO_PASSWORD)
    assert scope_for(User.objects.get(username=f"gw{second_grid}b")).node_roots == [second_grid]

    # One part-time worker per minimal unit, attached to the unit.
    part_timers = Assignment.objects.filter(role__slug="part_time_worker")
    assert part_timers.count() == 2590
    assert part_timers.filter(region__level="unit").count() == 2590
    unit = Region.objects.filter(level="unit").order_by("code").first()
    assert unit is not None
    assert scope_for(User.objects.get(username=f"pt{unit.code}")).node_roots == [unit.code]
    # …and the system user of the demo Open311 key (the 12345 hotline).
    assert User.objects.count() == 2 * 189 + 2590 + len(DEMO_ACCOUNTS) + 1
    assert AuditEntry.objects.filter(action="demo.seed").count() == 1

    # The scheduled reports count the overdue events the dashboards count (the seed runs the
    # overdue sweep before it scores, aggregates and reports).
    assert "超期检查" in text and Event.objects.filter(overdue=True).exists()
    assert mark_overdue().flagged == []  # what the scheduler's first sweep would find
    monthly = Report.objects.filter(
        node="440704", kind="month", format="xlsx", state="done", schedule__isnull=False
    ).get()
    with monthly.file.open("rb") as f:
        overview = {
            row[0]: row[1]
            for row in load_workbook(f, read_only=True)["概览"].iter_rows(
                min_row=8, values_only=True
            )
            if row[0]
        }
    period = Period("custom", monthly.period_start, monthly.period_end)
    assert overview["超期数"] == figures_data("440704", period)["overdue"]

    # Loading again is refused; --if-empty quietly does nothing.
    with pytest.raises(SeedError):
        seed_demo()
    out = StringIO()
    call_command("seed", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert Region.objects.count() == 2814


def test_it_does_nothing_with_if_empty_when_regions_exist(world: World) -> None:
    before = (Region.objects.count(), User.objects.count())
    out = StringIO()
    call_command("seed", "--if-empty", stdout=out)
    assert "已有区划数据" in out.getvalue()
    assert (Region.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError, match="440704"):
        call_command("seed", stdout=StringIO())
    assert (Region.objects.count(), User.objects.count()) == before


def test_it_seeds_a_city_with_named_accounts_only(monkeypatch: Any) -> None:
    monkeypatch.setattr(hierarchy, "CITY_GRIDS_PER_DISTRICT", 20)
    monkeypatch.setattr(hierarchy, "CITY_UNITS_PER_GRID", 2)
    summary = seed_demo(scale="city", seed=3)
    assert summary.regions["district"] == 5
    assert summary.grids == 100 and summary.units == 200
    assert summary.departments == 45
    assert User.objects.count() == len(DEMO_ACCOUNTS) == summary.users
    assert not Assignment.objects.filter(role__slug="part_time_worker").exists()
    worker1 = scope_for(User.objects.get(username="worker1"))
    assert worker1.node_roots == [FIRST_GRID]
    assert Region.objects.get(code=FIRST_GRID).name == "外海社区第1网格"
