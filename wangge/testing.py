"""A small two-district world for tests: regions, departments and one user per role.

District 440704 (测试区): streets 001 and 002; community 001001 holds grids A
(…001001001) and A2 (…001001002); community 002001 holds grid B (…002001001).
District 440703 (邻区) has one street, community and grid.  Every grid is cut
into minimal units.  Polygons are rectangles that tile their parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.accounts.models import Department, User
from wangge.regions.actions import RegionSpec, do_create_regions
from wangge.regions.models import Region

PASSWORD = "test-pass-123"  # noqa: S105 - test accounts only


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def _units(grid_code: str, x0: float, y0: float, x1: float, y1: float, n: int) -> list[RegionSpec]:
    step = (y1 - y0) / n
    specs = []
    for i in range(n):
        uy0, uy1 = y0 + i * step, y0 + (i + 1) * step
        specs.append(
            RegionSpec(
                code=f"{grid_code}{i + 1:03d}",
                name=f"第{i + 1}单元",
                geometry=box(x0, uy0, x1, uy1),
                point=((x0 + x1) / 2, (uy0 + uy1) / 2),
            )
        )
    return specs


def world_specs() -> list[RegionSpec]:
    s: list[RegionSpec] = [
        RegionSpec("440704", "测试区", box(113.0, 22.0, 113.2, 22.2), kind="district"),
        RegionSpec("440704001", "东街道", box(113.0, 22.0, 113.1, 22.2), kind="street"),
        RegionSpec("440704002", "西镇", box(113.1, 22.0, 113.2, 22.2), kind="town"),
        RegionSpec("440704001001", "东社区", box(113.0, 22.0, 113.1, 22.2), kind="community"),
        RegionSpec("440704002001", "西村", box(113.1, 22.0, 113.2, 22.2), kind="village"),
        RegionSpec("440704001001001", "东一网格", box(113.0, 22.0, 113.05, 22.2)),
        RegionSpec("440704001001002", "东二网格", box(113.05, 22.0, 113.1, 22.2)),
        RegionSpec("440704002001001", "西一网格", box(113.1, 22.0, 113.2, 22.2)),
        RegionSpec("440703", "邻区", box(113.3, 22.0, 113.4, 22.1), kind="district"),
        RegionSpec("440703001", "邻街道", box(113.3, 22.0, 113.4, 22.1), kind="street"),
        RegionSpec("440703001001", "邻社区", box(113.3, 22.0, 113.4, 22.1), kind="community"),
        RegionSpec("440703001001001", "邻网格", box(113.3, 22.0, 113.4, 22.1)),
    ]
    s += _units("440704001001001", 113.0, 22.0, 113.05, 22.2, 2)
    s += _units("440704001001002", 113.05, 22.0, 113.1, 22.2, 2)
    s += _units("440704002001001", 113.1, 22.0, 113.2, 22.2, 2)
    s += _units("440703001001001", 113.3, 22.0, 113.4, 22.1, 1)
    return s


GRID_A = "440704001001001"
GRID_A2 = "440704001001002"
GRID_B = "440704002001001"
GRID_OTHER = "440703001001001"

#: username → (role, node code or department code, display name)
USERS: dict[str, tuple[str, str, str]] = {
    "admin": ("admin", "", "管理员"),
    "district": ("dispatcher", "440704", "区指挥中心"),
    "street": ("dispatcher", "440704001", "东街道指挥中心"),
    "street_b": ("dispatcher", "440704002", "西镇指挥中心"),
    "community": ("community_staff", "440704001001", "东社区工作站"),
    "worker_a": ("grid_worker", GRID_A, "张伟"),
    "worker_a2": ("grid_worker", GRID_A2, "王芳"),
    "worker_b": ("grid_worker", GRID_B, "李娜"),
    "part_time_a": ("part_time_worker", GRID_A + "001", "刘洋"),
    "dept": ("dept_handler", "cg", "城管局"),
    "resident": ("resident", "440704", "陈静"),
    "other_district": ("dispatcher", "440703", "邻区指挥中心"),
}


@dataclass
class World:
    regions: dict[str, Region]
    users: dict[str, User]
    departments: dict[str, Department]

    def __getitem__(self, username: str) -> User:
        return self.users[username]


def build_world() -> World:
    do_create_regions(world_specs(), actor=None)
    regions = {r.code: r for r in Region.objects.all()}
    departments = {
        "cg": Department.objects.create(district=regions["440704"], code="cg", name="城管局"),
        "sz": Department.objects.create(district=regions["440704"], code="sz", name="市政局"),
        "other": Department.objects.create(
            district=regions["440703"], code="cg", name="邻区城管局"
        ),
    }
    users: dict[str, User] = {}
    for username, (role, target, display) in USERS.items():
        user = do_create_user(
            username=username,
            password=PASSWORD,
            display_name=display,
            actor=None,
            is_superuser=username == "admin",
        )
        if role == "admin":
            do_assign_role(user=user, role=role, actor=None)
        elif role == "dept_handler":
            do_assign_role(user=user, role=role, department=departments[target], actor=None)
        else:
            do_assign_role(user=user, role=role, region=regions[target], actor=None)
        users[username] = user
    return World(regions=regions, users=users, departments=departments)


# --- events: the catalogue, more departments and their handlers ---------------------------

#: username → (role, node code or department code, display name), added by ``extend_world_for_events``.
EVENT_USERS: dict[str, tuple[str, str, str]] = {
    "dept_sz": ("dept_handler", "sz", "市政值班员"),
    "dept_zj": ("dept_handler", "zj", "住建值班员"),
    "dept_xf": ("dept_handler", "xf", "消防值班员"),
    "resident_b": ("resident", "440704", "赵敏"),
}

#: A point in grid A (its first unit), one in grid B, one outside every grid.
POINT_A = (113.02, 22.05)
POINT_B = (113.15, 22.05)
POINT_OUTSIDE = (113.25, 22.05)


def extend_world_for_events(world: World) -> World:
    """Seed the event catalogue and the district's departments; add their handlers."""
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(world.regions["440704"])
    for department in Department.objects.filter(district=world.regions["440704"]):
        world.departments.setdefault(department.code, department)
    for username, (role, target, display) in EVENT_USERS.items():
        user = do_create_user(
            username=username, password=PASSWORD, display_name=display, actor=None
        )
        if role == "dept_handler":
            do_assign_role(user=user, role=role, department=world.departments[target], actor=None)
        else:
            do_assign_role(user=user, role=role, region=world.regions[target], actor=None)
        world.users[username] = user
    return world


#: A point in the other district's grid.
POINT_OTHER = (113.35, 22.05)
SAMPLE_EVENT_DESCRIPTION = "样例事件：井盖松动"


def sample_events(world: World) -> list[int]:
    """Ids of three events (grid A, dispatched to cg; grid B; the other district), made once.

    For tests that walk every endpoint: ``/events/{event_id}`` needs events to exist.
    """
    from wangge.events.actions import do_dispatch_event, do_register_event, do_report_event
    from wangge.events.catalogue import seed_catalogue
    from wangge.events.models import Event

    existing = list(
        Event.objects.filter(description=SAMPLE_EVENT_DESCRIPTION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if existing:
        return existing
    seed_catalogue()
    ids = []
    for lng, lat in (POINT_A, POINT_B, POINT_OTHER):
        result = do_report_event(
            actor=None, category="0601", description=SAMPLE_EVENT_DESCRIPTION, lng=lng, lat=lat
        )
        ids.append(result.event.pk)
    first = Event.objects.select_related("category").get(pk=ids[0])
    do_register_event(first, actor=None)
    do_dispatch_event(first, actor=None, department=world.departments["cg"])
    return ids
