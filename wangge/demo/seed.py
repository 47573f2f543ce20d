"""Load the demo data: hierarchy, departments, demo accounts and grid workers.

``seed_demo()`` writes everything in one transaction.  Named accounts go
through the ordinary account actions; the thousands of grid workers are bulk
inserted with one shared password hash (argon2 per user would take minutes)
and recorded by a single audit entry.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.accounts.models import Assignment, Department, Role, User
from wangge.audit.actions import record
from wangge.demo.hierarchy import SCALES, build_hierarchy
from wangge.demo.names import person_name
from wangge.demo.plans import CITY, DEPARTMENTS, JIANGHAI, DistrictPlan, department_name
from wangge.lib import codes
from wangge.regions.actions import do_create_regions
from wangge.regions.choices import LEVEL_ORDER, RegionLevel
from wangge.regions.models import Region

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_DISTRICT",
    "SeedError",
    "SeedSummary",
    "build_hierarchy",
    "seed_demo",
]

DEMO_DISTRICT = JIANGHAI.code
FIRST_STREETS = [codes.child_code(DEMO_DISTRICT, s.number) for s in JIANGHAI.streets]
FIRST_COMMUNITY = codes.child_code(FIRST_STREETS[0], 1)
FIRST_GRID = codes.child_code(FIRST_COMMUNITY, 1)
FIRST_COMMUNITY_NAME = JIANGHAI.streets[0].communities[0]


@dataclass(frozen=True)
class _Account:
    username: str
    role: str
    target: str  # a node code, a department code, or "" for a global role
    display_name: str  # "" → a generated person's name
    description: str


_ACCOUNTS: tuple[_Account, ...] = (
    _Account("admin", "admin", "", "系统管理员", "管理员：平台超级用户，全部数据"),
    _Account("leader", "leader", DEMO_DISTRICT, "", f"领导：{JIANGHAI.name}"),
    _Account(
        "district",
        "dispatcher",
        DEMO_DISTRICT,
        f"{JIANGHAI.name}综合网格指挥中心",
        f"指挥中心：{JIANGHAI.name}",
    ),
    *(
        _Account(
            f"street{i}", "dispatcher", code, f"{s.name}综合网格指挥中心", f"指挥中心：{s.name}"
        )
        for i, (code, s) in enumerate(zip(FIRST_STREETS, JIANGHAI.streets, strict=True), start=1)
    ),
    _Account(
        "community",
        "community_staff",
        FIRST_COMMUNITY,
        f"{FIRST_COMMUNITY_NAME}网格工作站",
        f"社区工作人员：{FIRST_COMMUNITY_NAME}",
    ),
    _Account(
        "worker1", "grid_worker", FIRST_GRID, "", f"专职网格员：{FIRST_COMMUNITY_NAME}第1网格"
    ),
    _Account(
        "worker2", "grid_worker", FIRST_GRID, "", f"专职网格员：{FIRST_COMMUNITY_NAME}第1网格"
    ),
    *(
        _Account(
            f"dept-{code}",
            "dept_handler",
            code,
            department_name(code, template, JIANGHAI),
            f"职能部门：{department_name(code, template, JIANGHAI)}",
        )
        for code, template in DEPARTMENTS
    ),
    _Account("resident", "resident", DEMO_DISTRICT, "", f"居民：{JIANGHAI.name}"),
)

#: (username, what the account is) for the README and the ``seed`` command's table.
DEMO_ACCOUNTS: list[tuple[str, str]] = [(a.username, a.description) for a in _ACCOUNTS]

BULK_BATCH = 1000


class SeedError(Exception):
    """The demo data cannot be loaded (for instance, it is already there)."""


class _Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass
class SeedSummary:
    scale: str
    seed: int
    regions: dict[str, int]  # level → count
    departments: int
    users: int
    assignments: int
    seconds: float
    accounts: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # username, name, description

    @property
    def grids(self) -> int:
        return self.regions.get(RegionLevel.GRID, 0)

    @property
    def units(self) -> int:
        return self.regions.get(RegionLevel.UNIT, 0)


def _say(stdout: _Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _check_free(plans: list[DistrictPlan], usernames: list[str]) -> None:
    roots = [plan.code for plan in plans]
    clash = list(Region.objects.filter(code__in=roots).values_list("code", flat=True))
    if clash:
        raise SeedError(
            f"区划 {'、'.join(sorted(clash))} 已存在：演示数据只能载入到没有这些区划的数据库"
        )
    taken = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise SeedError(f"用户名已存在：{'、'.join(sorted(taken))}")


def _departments(
    plans: list[DistrictPlan], regions: dict[str, Region]
) -> dict[tuple[str, str], Department]:
    rows = [
        Department(
            district=regions[plan.code], code=code, name=department_name(code, template, plan)
        )
        for plan in plans
        for code, template in DEPARTMENTS
    ]
    Department.objects.bulk_create(rows)
    return {
        (d.district.code, d.code): d
        for d in Department.objects.filter(
            district__code__in=[p.code for p in plans]
        ).select_related("district")
    }


def seed_demo(
    *,
    seed: int = 1,
    scale: str = "demo",
    stdout: _Writer | None = None,
    workers: bool | None = None,
) -> SeedSummary:
    """Load the demo district (or the benchmark city) with its departments and accounts.

    ``workers`` (default: on for the demo, off for the city) adds two full-time
    grid workers per grid and one part-time worker per minimal unit.  All
    accounts share ``settings.DEMO_PASSWORD``.  Raises ``SeedError`` if the
    data is already there.
    """
    if scale not in SCALES:
        raise SeedError(f"未知规模 {scale!r}，可选：{'、'.join(SCALES)}")
    with_workers = scale == "demo" if workers is None else workers
    started = time.monotonic()
    plans = [JIANGHAI] if scale == "demo" else list(CITY)
    usernames = [a.username for a in _ACCOUNTS]
    _check_free(plans, usernames)  # before the slow part; again below, inside the transaction
    _say(stdout, "生成区划层级…")
    specs = build_hierarchy(scale, seed)
    names = random.Random(f"wangge-demo:{seed}:people")
    password_hash = make_password(settings.DEMO_PASSWORD)

    with transaction.atomic():
        _check_free(plans, usernames)
        _say(stdout, f"写入 {len(specs)} 个区划节点…")
        do_create_regions(specs, actor=None, check_geometry=False, audit_action="demo.seed_regions")
        regions = {
            r.code: r for r in Region.objects.filter(level__in=["district", "street", "community"])
        }
        departments = _departments(plans, regions)
        grid_codes = sorted(s.code for s in specs if codes.level_of(s.code) is codes.Level.GRID)
        unit_codes = sorted(s.code for s in specs if codes.level_of(s.code) is codes.Level.UNIT)
        regions.update({r.code: r for r in Region.objects.filter(code=FIRST_GRID)})

        _say(stdout, "创建演示账号…")
        accounts: list[tuple[str, str, str]] = []
        for account in _ACCOUNTS:
            user = do_create_user(
                username=account.username,
                password=None,
                password_hash=password_hash,
                display_name=account.display_name or person_name(names),
                actor=None,
                is_superuser=account.username == "admin",
            )
            if account.role == "admin":
                do_assign_role(user=user, role=account.role, actor=None)
            elif account.role == "dept_handler":
                department = departments[(DEMO_DISTRICT, account.target)]
                do_assign_role(user=user, role=account.role, department=department, actor=None)
            else:
                do_assign_role(
                    user=user, role=account.role, region=regions[account.target], actor=None
                )
            accounts.append((account.username, user.display_name, account.description))

        bulk_users = bulk_assignments = 0
        if with_workers:
            _say(stdout, "创建网格员…")
            bulk_users, bulk_assignments = _bulk_workers(
                grid_codes, unit_codes, password_hash, names
            )
            record(
                "demo.seed",
                actor=None,
                object_type="accounts.user",
                object_repr=f"{bulk_users} 名网格员",
                region_code=plans[0].code if len(plans) == 1 else "",
                after={
                    "scale": scale,
                    "seed": seed,
                    "users": bulk_users,
                    "assignments": bulk_assignments,
                },
            )

    levels = Counter(codes.level_of(s.code) for s in specs)
    summary = SeedSummary(
        scale=scale,
        seed=seed,
        regions={LEVEL_ORDER[int(level)].value: count for level, count in sorted(levels.items())},
        departments=len(departments),
        users=len(_ACCOUNTS) + bulk_users,
        assignments=len(_ACCOUNTS) + bulk_assignments,
        seconds=time.monotonic() - started,
        accounts=accounts,
    )
    return summary


def _bulk_workers(
    grid_codes: list[str], unit_codes: list[str], password_hash: str, names: random.Random
) -> tuple[int, int]:
    """Two grid workers per grid (the first grid's are worker1/worker2), one part-timer per unit."""
    region_ids = dict(
        Region.objects.filter(level__in=[RegionLevel.GRID, RegionLevel.UNIT]).values_list(
            "code", "id"
        )
    )
    grid_worker = Role.objects.get(slug="grid_worker")
    part_timer = Role.objects.get(slug="part_time_worker")
    users: list[User] = []
    targets: list[tuple[Role, str]] = []
    for code in grid_codes:
        if code == FIRST_GRID:
            continue  # worker1 and worker2 are that grid's two workers
        for suffix in "ab":
            users.append(
                User(
                    username=f"gw{code}{suffix}",
                    display_name=person_name(names),
                    password=password_hash,
                )
            )
            targets.append((grid_worker, code))
    for code in unit_codes:
        users.append(
            User(username=f"pt{code}", display_name=person_name(names), password=password_hash)
        )
        targets.append((part_timer, code))
    User.objects.bulk_create(users, batch_size=BULK_BATCH)
    if any(u.pk is None for u in users):  # backends that do not return ids
        ids = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "id"
            )
        )
        for u in users:
            u.pk = ids[u.username]
    Assignment.objects.bulk_create(
        [
            Assignment(user_id=user.pk, role=role, region_id=region_ids[code])
            for user, (role, code) in zip(users, targets, strict=True)
        ],
        batch_size=BULK_BATCH,
    )
    return len(users), len(users)
