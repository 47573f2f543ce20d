"""Benchmark of scoped people search: the real selector on a city of millions of people.

The bench makes its own PostgreSQL database (``--database-url``; dropped at the
end unless ``keep``; ``reuse`` keeps it and uses it again next time when it
holds the same number of people): it migrates it, loads the five-district city
(``wangge seed --scale city``) and generates ``people`` residents with their
buildings, rooms, households and ledger (``wangge.demo.residents``).  Then, in
a child process whose default database is the bench's, the measurement:

* users at four levels — a grid worker, a community worker, a street and a
  district command centre — one per node a query needs;
* for each level and each kind of lookup, ``queries`` random target people and
  the lookup the target's user would type: the exact ID number (blind index),
  the first two characters of the name (name prefix), the pinyin initials;
* each lookup is ``search_people(user, q=…)`` and its first page (the API's
  page size), the user's scope computed afresh as in a request; the target
  must be found (ID number) or something must be (prefixes);
* the baseline, in the same run: the same lookups with PostgreSQL told not to
  use indexes (``enable_indexscan``, ``enable_bitmapscan``,
  ``enable_indexonlyscan`` off: sequential scans), on a sample.

Target: p95 < 50 ms for every level and kind.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings

TARGET_P95_MS = 50.0
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wangge_search_bench"
DEFAULT_PEOPLE = 5_000_000

#: level → (code length, role, label)
LEVELS: dict[str, tuple[int, str, str]] = {
    "grid": (15, "grid_worker", "网格员"),
    "community": (12, "community_staff", "社区"),
    "street": (9, "dispatcher", "街道"),
    "district": (6, "dispatcher", "区"),
}
KINDS: dict[str, str] = {
    "id_number": "身份证号（精确）",
    "name": "姓名前缀",
    "initials": "拼音首字母",
}
USER_PREFIX = "bench-search-"

Say = Callable[[str], Any]


# --- results ---------------------------------------------------------------------------


@dataclass
class Latency:
    count: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    mean_ms: float = 0.0

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not seconds:
            return cls()
        ordered = sorted(seconds)

        def pct(p: float) -> float:
            # Nearest rank: the smallest value with at least p% of the values at or below it.
            return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] * 1000

        return cls(
            count=len(ordered),
            p50_ms=pct(50),
            p95_ms=pct(95),
            p99_ms=pct(99),
            max_ms=ordered[-1] * 1000,
            mean_ms=sum(ordered) / len(ordered) * 1000,
        )


@dataclass
class Cell:
    """One level and kind of lookup: indexed timings, the baseline's, and lookups that missed."""

    level: str
    kind: str
    indexed: Latency
    baseline: Latency | None = None
    #: Lookups that did not find their target (ID number) or found nothing (prefixes).
    misses: int = 0
    #: Rows on the first page, summed over the lookups.
    rows: int = 0

    @property
    def ratio(self) -> float:
        """Baseline p50 ÷ indexed p50."""
        if self.baseline is None or not self.baseline.count or self.indexed.p50_ms <= 0:
            return 0.0
        return self.baseline.p50_ms / self.indexed.p50_ms

    def passed(self, target_ms: float) -> bool:
        return self.indexed.count > 0 and self.indexed.p95_ms < target_ms and self.misses == 0


@dataclass
class SearchBenchResult:
    database: str
    vendor: str
    people: int
    districts: int
    units: int
    page_size: int
    queries: int
    baseline_queries: int
    seed: int
    cells: list[Cell]
    #: Seconds spent on each set-up step (create, migrate, seed_city, generate, indexes…).
    setup: dict[str, float] = field(default_factory=dict)
    reused: bool = False
    plans: dict[str, str] = field(default_factory=dict)
    target_p95_ms: float = TARGET_P95_MS

    @property
    def passed(self) -> bool:
        return bool(self.cells) and all(c.passed(self.target_p95_ms) for c in self.cells)

    def cell(self, level: str, kind: str) -> Cell:
        return next(c for c in self.cells if c.level == level and c.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for cell, out in zip(self.cells, data["cells"], strict=True):
            out["ratio"] = cell.ratio
            out["passed"] = cell.passed(self.target_p95_ms)
        data["passed"] = self.passed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchBenchResult:
        cells = [
            Cell(
                level=c["level"],
                kind=c["kind"],
                indexed=Latency(**c["indexed"]),
                baseline=Latency(**c["baseline"]) if c.get("baseline") else None,
                misses=c["misses"],
                rows=c["rows"],
            )
            for c in data["cells"]
        ]
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["cells"] = cells
        return cls(**fields)


# --- the lookups (in the process whose default database is the bench's) -----------------------


@dataclass(frozen=True)
class Lookup:
    level: str
    kind: str
    node: str
    text: str
    person_id: int


def _targets(rng: random.Random, n: int) -> list[tuple[int, str, str, str, str]]:
    """``n`` random people living in the city: (pk, region_code, name, initials, ID number)."""
    from django.db.models import Max, Min

    from wangge.people.choices import PersonStatus
    from wangge.people.models import Person

    bounds = Person.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    lo, hi = bounds["lo"], bounds["hi"]
    if lo is None or hi is None:
        raise RuntimeError("数据库中没有居民")
    found: dict[int, tuple[int, str, str, str, str]] = {}
    for _ in range(50):
        if len(found) >= n:
            break
        wanted = {rng.randint(lo, hi) for _ in range(2 * (n - len(found)) + 10)} - set(found)
        for pk, code, name, initials, id_number in Person.objects.filter(
            pk__in=sorted(wanted), status=PersonStatus.ACTIVE
        ).values_list("pk", "region_code", "name", "name_initials", "id_number"):
            if len(code) == 18 and initials:
                found[pk] = (pk, code, name, initials, id_number)
    picked = [found[pk] for pk in sorted(found)]
    rng.shuffle(picked)
    return picked[:n]


def plan_lookups(rng: random.Random, per_cell: int) -> list[Lookup]:
    """``per_cell`` lookups for each level and kind, each of a different random person, shuffled."""
    cells = [(level, kind) for level in LEVELS for kind in KINDS]
    targets = _targets(rng, per_cell * len(cells))
    if len(targets) < per_cell * len(cells):
        per_cell = len(targets) // len(cells)
    lookups = []
    for i, (level, kind) in enumerate(cells):
        for pk, code, name, initials, id_number in targets[i * per_cell : (i + 1) * per_cell]:
            text = {"id_number": id_number, "name": name[:2], "initials": initials}[kind]
            lookups.append(Lookup(level, kind, code[: LEVELS[level][0]], text, pk))
    rng.shuffle(lookups)
    return lookups


def bench_users(nodes: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """A user per (level, node code) holding the level's role there (created once, kept)."""
    from django.contrib.auth.hashers import make_password

    from wangge.accounts.models import Assignment, Role, User
    from wangge.regions.models import Region

    wanted = {(level, code): f"{USER_PREFIX}{level}-{code}" for level, code in set(nodes)}
    have = set(
        User.objects.filter(username__in=list(wanted.values())).values_list("username", flat=True)
    )
    missing = [(key, name) for key, name in wanted.items() if name not in have]
    if missing:
        roles = {r.slug: r for r in Role.objects.filter(slug__in={v[1] for v in LEVELS.values()})}
        regions = dict(
            Region.objects.filter(code__in=[code for (_, code), _ in missing]).values_list(
                "code", "id"
            )
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=name, display_name=name, password=unusable) for _, name in missing],
            batch_size=1000,
        )
        ids = dict(
            User.objects.filter(username__in=[name for _, name in missing]).values_list(
                "username", "id"
            )
        )
        Assignment.objects.bulk_create(
            [
                Assignment(user_id=ids[name], role=roles[LEVELS[level][1]], region_id=regions[code])
                for (level, code), name in missing
            ],
            batch_size=1000,
        )
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted.values()))}
    return {key: existing[name] for key, name in wanted.items()}


def run_lookup(user: Any, lookup: Lookup, page_size: int) -> tuple[float, int, bool]:
    """Seconds, rows on the first page, and whether the lookup found what it should."""
    from wangge.accounts.scope import forget_scope
    from wangge.people.selectors import search_people

    start = time.perf_counter()
    forget_scope(user)  # as in a request: the scope is computed afresh
    rows = list(search_people(user, q=lookup.text)[:page_size])
    seconds = time.perf_counter() - start
    if lookup.kind == "id_number":
        ok = [p.pk for p in rows] == [lookup.person_id]
    else:
        ok = bool(rows)
    return seconds, len(rows), ok


class _NoIndexes:
    """PostgreSQL told not to use indexes (sequential scans) on this connection."""

    SETTINGS = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")

    def __enter__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for name in self.SETTINGS:
                cursor.execute(f"SET {name} = off")

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for name in self.SETTINGS:
                cursor.execute(f"RESET {name}")


def explain(user: Any, lookup: Lookup, page_size: int) -> str:
    from wangge.accounts.scope import forget_scope
    from wangge.people.selectors import search_people

    forget_scope(user)
    return str(search_people(user, q=lookup.text)[:page_size].explain(analyze=True))


def measure(
    *,
    queries: int = 500,
    baseline_queries: int = 10,
    seed: int = 1,
    warmup: int = 100,
    plans: bool = False,
    say: Say | None = None,
) -> SearchBenchResult:
    """Time the lookups on the default database (which must hold people already)."""
    from django.db import connection

    from wangge.people.models import Person
    from wangge.regions.models import Region

    rng = random.Random(f"wangge-bench-search:{seed}")
    page_size = int(getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50))
    lookups = plan_lookups(rng, queries)
    users = bench_users([(lk.level, lk.node) for lk in lookups])
    if say:
        say(
            f"{len(lookups):,} 次查询（{len(users):,} 个账号），每页 {page_size} 条；预热 {warmup} 次…"
        )
    for lookup in lookups[:warmup]:
        run_lookup(users[(lookup.level, lookup.node)], lookup, page_size)

    timings: dict[tuple[str, str], list[float]] = {}
    misses: dict[tuple[str, str], int] = {}
    rows: dict[tuple[str, str], int] = {}
    for lookup in lookups:
        key = (lookup.level, lookup.kind)
        seconds, n, ok = run_lookup(users[key[0], lookup.node], lookup, page_size)
        timings.setdefault(key, []).append(seconds)
        rows[key] = rows.get(key, 0) + n
        if not ok:
            misses[key] = misses.get(key, 0) + 1

    baseline: dict[tuple[str, str], list[float]] = {}
    postgres = connection.vendor == "postgresql"
    if postgres and baseline_queries > 0:
        sample: list[Lookup] = []
        taken: dict[tuple[str, str], int] = {}
        for lookup in lookups:
            key = (lookup.level, lookup.kind)
            if taken.get(key, 0) < baseline_queries:
                taken[key] = taken.get(key, 0) + 1
                sample.append(lookup)
        if say:
            say(f"对照：{len(sample)} 次查询，不使用索引（顺序扫描）…")
        with _NoIndexes():
            for lookup in sample:
                seconds, _n, _ok = run_lookup(users[lookup.level, lookup.node], lookup, page_size)
                baseline.setdefault((lookup.level, lookup.kind), []).append(seconds)

    explained: dict[str, str] = {}
    if plans and postgres:
        for level in LEVELS:
            for kind in KINDS:
                lookup = next(lk for lk in lookups if (lk.level, lk.kind) == (level, kind))
                explained[f"{level}/{kind} {lookup.text}"] = explain(
                    users[level, lookup.node], lookup, page_size
                )

    cells = [
        Cell(
            level=level,
            kind=kind,
            indexed=Latency.of(timings.get((level, kind), [])),
            baseline=Latency.of(baseline[(level, kind)]) if (level, kind) in baseline else None,
            misses=misses.get((level, kind), 0),
            rows=rows.get((level, kind), 0),
        )
        for level in LEVELS
        for kind in KINDS
    ]
    return SearchBenchResult(
        database=str(connection.settings_dict.get("NAME", "")),
        vendor=connection.vendor,
        people=Person.objects.count(),
        districts=Region.objects.filter(level="district").count(),
        units=Region.objects.filter(level="unit").count(),
        page_size=page_size,
        queries=queries,
        baseline_queries=baseline_queries if postgres else 0,
        seed=seed,
        cells=cells,
        plans=explained,
    )


def prepare_people(people: int, *, seed: int = 1, say: Say | None = None) -> dict[str, float]:
    """Residents for every district of the default database, unless it has people already;
    then ``ANALYZE``.  Returns the seconds each step took."""
    from django.db import connection

    from wangge.demo.residents import seed_residents, summary_lines
    from wangge.people.models import Person
    from wangge.regions.models import Region

    steps: dict[str, float] = {}
    if not Person.objects.exists():
        districts = list(
            Region.objects.filter(level="district").order_by("code").values_list("code", flat=True)
        )
        if not districts:
            raise RuntimeError("数据库中没有区划：请先载入城市规模层级（wangge seed --scale city）")
        summary = seed_residents(
            districts,
            people=people,
            seed=seed,
            background=True,
            rebuild_indexes=True,
            say=say,
        )
        steps["generate"] = summary.seconds - summary.index_seconds
        steps["indexes"] = summary.index_seconds
        for line in summary_lines(summary):
            if say:
                say(line)
    if connection.vendor == "postgresql":
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps["analyze"] = time.perf_counter() - start
    return steps


# --- the throwaway database (in the process that runs the command) ---------------------------


def _database_settings(url: str) -> dict[str, Any]:
    from wangge.lib.env import parse_database_url

    return dict(parse_database_url(url, base_dir=settings.BASE_DIR))


def _check_url(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("postgres", "postgresql", "pgsql"):
        raise ValueError(f"搜索基准需要 PostgreSQL 数据库（postgresql://…），而不是 {url!r}")


def _maintenance(url: str) -> tuple[Any, str]:
    import psycopg

    cfg = _database_settings(url)
    conn = psycopg.connect(
        dbname="postgres",
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        autocommit=True,
        connect_timeout=5,
    )
    return conn, str(cfg["NAME"])


def database_exists(url: str) -> bool:
    conn, name = _maintenance(url)
    with conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def people_in(url: str) -> int:
    """People in the bench database (0 when it has no such table yet)."""
    import psycopg

    cfg = _database_settings(url)
    try:
        with psycopg.connect(
            dbname=cfg["NAME"],
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            host=cfg["HOST"] or None,
            port=cfg["PORT"] or None,
            connect_timeout=5,
        ) as conn:
            row = conn.execute("SELECT count(*) FROM people_person").fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def create_database(url: str) -> None:
    """A fresh database; an existing one is dropped only if its name says it is a bench's."""
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            if "bench" not in name:
                raise RuntimeError(
                    f"数据库 {name} 已存在；基准测试只会删除名称含 bench 的数据库，请换一个名称"
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def child_environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="wangge.config.settings",
        WANGGE_DATABASE_URL=url,
        WANGGE_DEBUG="false",
        WANGGE_TESTING="false",
        WANGGE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wangge(
    args: Sequence[str], url: str, *, log: IO[str], say: Say | None = None, check: bool = True
) -> int:
    """``wangge ARGS`` with the bench database as default; its output to ``log`` (and ``say``)."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and commands
        [sys.executable, "-m", "wangge", *args],
        env=child_environment(url),
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None  # noqa: S101 - PIPE above
    for line in process.stdout:
        log.write(line)
        log.flush()
        if say is not None:
            say(line.rstrip("\n"))
    code = process.wait()
    if check and code != 0:
        raise RuntimeError(f"wangge {' '.join(args[:2])} 失败（退出码 {code}），见 {log.name}")
    return code


def run_search_bench(
    *,
    database_url: str = DEFAULT_DATABASE_URL,
    people: int = DEFAULT_PEOPLE,
    scale: str = "city",
    queries: int = 500,
    baseline_queries: int = 10,
    warmup: int = 100,
    seed: int = 1,
    keep: bool = False,
    reuse: bool = False,
    plans: bool = False,
    log_path: Path | None = None,
    say: Say | None = None,
) -> SearchBenchResult:
    """Build (or reuse) the bench database, measure in a child process, drop it unless kept."""
    _check_url(database_url)
    if min(people, queries) < 1 or baseline_queries < 0 or warmup < 0:
        raise ValueError(
            "--people 与 --queries 必须是正整数，--baseline-queries、--warmup 不能为负"
        )
    setup: dict[str, float] = {}
    log_file = log_path or Path(tempfile.gettempdir()) / "wangge-bench-search.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    reused = reuse and database_exists(database_url) and people_in(database_url) == people
    try:
        with open(log_file, "w", encoding="utf-8") as log:
            if reused:
                if say:
                    say(f"沿用已有的基准数据库（{people:,} 人）")
            else:
                start = time.perf_counter()
                create_database(database_url)
                setup["create"] = time.perf_counter() - start
                for step, args in (
                    ("migrate", ["migrate", "--noinput", "-v", "0"]),
                    ("seed", ["seed", "--scale", scale, "--events", "0", "--residents", "0"]),
                ):
                    if say:
                        say(f"wangge {' '.join(args)}…")
                    start = time.perf_counter()
                    _wangge(args, database_url, log=log)
                    setup[step] = time.perf_counter() - start
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "result.json"
                args = [
                    "bench",
                    "search",
                    "--in-place",
                    "--people",
                    str(people),
                    "--queries",
                    str(queries),
                    "--baseline-queries",
                    str(baseline_queries),
                    "--warmup",
                    str(warmup),
                    "--seed",
                    str(seed),
                    "--json",
                    str(out),
                ]
                if plans:
                    args.append("--explain")
                # A missed target exits non-zero too: the result file tells them apart.
                code = _wangge(args, database_url, log=log, say=say, check=False)
                if not out.exists():
                    raise RuntimeError(f"测量失败（退出码 {code}），见 {log.name}")
                result = SearchBenchResult.from_dict(json.loads(out.read_text(encoding="utf-8")))
    finally:
        if not (keep or reuse):
            with suppress(Exception):
                drop_database(database_url)
    result.database = _redacted(database_url)
    result.reused = reused
    result.setup = {**setup, **result.setup}
    return result


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


# --- the report ----------------------------------------------------------------------------


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def summary_lines(r: SearchBenchResult) -> list[str]:
    lines = [
        f"数据：{r.people:,} 人，{r.districts} 个区、{r.units:,} 个最小单元（{r.vendor}）"
        + ("，沿用已有数据库" if r.reused else ""),
    ]
    if r.setup:
        lines.append(
            "准备用时："
            + "，".join(f"{_STEP_NAMES.get(k, k)} {v:,.1f} 秒" for k, v in r.setup.items())
        )
    lines.append(
        f"每格 {r.queries} 次随机查询（search_people，取第一页 {r.page_size} 条）；"
        f"对照每格 {r.baseline_queries} 次，不使用索引"
    )
    head = _pad("", 8) + _pad("查询", 18) + "".join(f"{h:>9}" for h in ("p50", "p95", "p99"))
    lines.append(f"{head}{'对照 p50':>11}{'倍数':>7}")
    for c in r.cells:
        base = f"{c.baseline.p50_ms:>12,.1f}" if c.baseline and c.baseline.count else f"{'—':>12}"
        ratio = f"{c.ratio:>8,.0f}×" if c.ratio else f"{'—':>9}"
        lines.append(
            _pad(LEVELS[c.level][2], 8)
            + _pad(KINDS[c.kind], 18)
            + f"{c.indexed.p50_ms:>9.2f}{c.indexed.p95_ms:>9.2f}{c.indexed.p99_ms:>9.2f}"
            + f"{base}{ratio}  {_mark(c.passed(r.target_p95_ms))}"
            + (f"（{c.misses} 次未找到）" if c.misses else "")
        )
    lines.append("（毫秒；对照为不使用索引的顺序扫描，倍数为对照 p50 ÷ p50）")
    for title, plan in r.plans.items():
        lines.append(f"EXPLAIN {title}:")
        lines.extend(f"    {line}" for line in plan.splitlines())
    lines.append(f"目标：每格 p95 < {r.target_p95_ms:.0f} ms {_mark(r.passed)}")
    return lines


_STEP_NAMES = {
    "create": "建库",
    "migrate": "迁移",
    "seed": "城市层级",
    "generate": "生成居民",
    "indexes": "重建索引",
    "analyze": "ANALYZE",
}
