"""Benchmark of the people ledger import against pandas ``read_excel`` + ``to_sql``.

``wangge bench import`` makes a throwaway database (SQLite by default), migrates
it and runs itself again inside it (``--here``), which:

1. adds a bench district (100 minimal units) and a community worker for it,
   unless they exist;
2. writes an .xlsx of ``rows`` people with valid ID numbers (check digit by
   ``stdnum``) and mobile numbers, spread over the units;
3. (a) times the full import of that file: the same code path as the task
   (``wangge.ledgers.services.run_import``, run inline): every row checked,
   encrypted, hashed, pinyin, people and residence history written in one
   transaction, one audit row;
4. (b) times the baseline: ``pandas.read_excel`` of the same file and
   ``DataFrame.to_sql`` into a plain table (no checks, no indexes) of a
   SQLite database;
5. checks the people count and prints rows/s of both and their ratio.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

TARGET_RATIO = 1.0
DEFAULT_DATABASE_URL = "sqlite:///var/bench/ledger-import.sqlite3"
DISTRICT = "440799"
COMMUNITY = DISTRICT + "001001"
GRIDS = 10
UNITS_PER_GRID = 10
USERNAME = "bench_ledger_importer"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海波宁飞鹏辉"
STREETS = ("新塘里", "江翠路", "礼乐街", "外海大道", "滘头村", "麻园里", "龙溪路", "五邑路")


@dataclass
class Timing:
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class ImportBenchResult:
    rows: int
    database: str
    file_mb: float
    generate_seconds: float
    ours: Timing
    baseline: Timing
    read_seconds_pandas: float
    to_sql_seconds: float
    stored: int
    parallel: bool
    target_ratio: float = TARGET_RATIO

    @property
    def ratio(self) -> float:
        return self.ours.rows_per_s / self.baseline.rows_per_s if self.baseline.rows_per_s else 0.0

    @property
    def correct(self) -> bool:
        return self.stored == self.rows

    @property
    def passed(self) -> bool:
        return self.correct and self.ratio >= self.target_ratio

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ours"]["rows_per_s"] = self.ours.rows_per_s
        data["baseline"]["rows_per_s"] = self.baseline.rows_per_s
        data["ratio"] = self.ratio
        data["passed"] = self.passed
        return data


# --- the world and the file -----------------------------------------------------------


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def ensure_district() -> tuple[Any, list[str]]:
    """The bench district's units and a community worker who may register people there."""
    from wangge.accounts.actions import do_assign_role, do_create_user
    from wangge.accounts.models import User
    from wangge.regions.actions import RegionSpec, do_create_regions
    from wangge.regions.models import Region

    if not Region.objects.filter(code=DISTRICT).exists():
        x, y, w = 114.0, 23.0, 0.01
        specs = [
            RegionSpec(DISTRICT, "基准区", _box(x, y, x + GRIDS * w, y + w), kind="district"),
            RegionSpec(
                DISTRICT + "001", "基准街道", _box(x, y, x + GRIDS * w, y + w), kind="street"
            ),
            RegionSpec(COMMUNITY, "基准社区", _box(x, y, x + GRIDS * w, y + w), kind="community"),
        ]
        for g in range(GRIDS):
            grid = f"{COMMUNITY}{g + 1:03d}"
            gx = x + g * w
            specs.append(RegionSpec(grid, f"基准网格{g + 1}", _box(gx, y, gx + w, y + w)))
            step = w / UNITS_PER_GRID
            for u in range(UNITS_PER_GRID):
                uy = y + u * step
                specs.append(
                    RegionSpec(
                        f"{grid}{u + 1:03d}",
                        f"第{u + 1}单元",
                        _box(gx, uy, gx + w, uy + step),
                        point=(gx + w / 2, uy + step / 2),
                    )
                )
        do_create_regions(specs, actor=None)
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = do_create_user(
            username=USERNAME, password=None, display_name="台账导入基准", actor=None
        )
        do_assign_role(
            user=user, role="community_staff", region=Region.objects.get(code=COMMUNITY), actor=None
        )
    units = list(
        Region.objects.filter(code__startswith=COMMUNITY, level="unit")
        .order_by("code")
        .values_list("code", flat=True)
    )
    return user, units


def write_people_file(path: Path, rows: int, units: list[str], seed: int = 1) -> None:
    """``rows`` people with distinct valid ID numbers and mobile numbers, as openpyxl writes them."""
    from openpyxl import Workbook
    from stdnum.cn import ric

    from wangge.ledgers.columns import PEOPLE

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PEOPLE.title)
    ws.append(PEOPLE.headers)
    first = date(1940, 1, 1)
    places = ("440704", "440703", "440705", "440781", "440783", "441900", "445102", "360121")
    for i in range(rows):
        # Distinct by construction: (birth day, serial) runs through 999 serials a day.
        born = first + timedelta(days=i // 999)
        body = f"{places[i % len(places)]}{born:%Y%m%d}{i % 999 + 1:03d}"
        number = body + ric.calc_check_digit(body + "0")
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        ws.append(
            [
                name,
                number,
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                units[i % len(units)],
                f"广东省江门市江海区{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
                f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室",
                "流动人口" if i % 4 == 0 else "户籍人口",
                "",
                "",
            ]
        )
    wb.save(path)


# --- the two contenders ---------------------------------------------------------------


def time_ours(path: Path, user: Any, *, parallel: bool | None) -> tuple[Timing, int]:
    from django.core.files import File

    from wangge.ledgers import services
    from wangge.ledgers.choices import ImportKind, JobState
    from wangge.ledgers.models import ImportJob
    from wangge.people.models import Person

    job = ImportJob(kind=ImportKind.PEOPLE, filename=path.name, uploaded_by=user)
    with path.open("rb") as f:
        job.file.save("bench.xlsx", File(f), save=False)
    job.save()
    before = Person.objects.filter(region_code__startswith=COMMUNITY).count()
    start = time.perf_counter()
    done = services.run_import(job.pk, job.attempt, parallel=parallel)
    seconds = time.perf_counter() - start
    if done is None or done.state != JobState.SUCCEEDED:
        raise RuntimeError(
            f"导入失败：{done.error_message if done else '未运行'}（{done.error_count if done else 0} 行有误）"
        )
    stored = Person.objects.filter(region_code__startswith=COMMUNITY).count() - before
    job.file.delete(save=False)
    return Timing(done.created_count, seconds), stored


def time_baseline(path: Path, sqlite_path: Path) -> tuple[Timing, float, float]:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_excel(path, dtype=str)
    read = time.perf_counter() - start
    connection = sqlite3.connect(sqlite_path)
    try:
        frame.to_sql("bench_people_baseline", connection, if_exists="replace", index=False)
        connection.commit()
        seconds = time.perf_counter() - start
        connection.execute("DROP TABLE bench_people_baseline")
        connection.commit()
    finally:
        connection.close()
    return Timing(len(frame), seconds), read, seconds - read


def run_here(
    *, rows: int, parallel: bool | None, keep_file: Path | None, say: Callable[[str], None]
) -> ImportBenchResult:
    """Both contenders against the current database (a bench district is added to it)."""
    from django.db import connection

    user, units = ensure_district()
    with tempfile.TemporaryDirectory() as tmp:
        path = keep_file or Path(tmp) / f"people-{rows}.xlsx"
        start = time.perf_counter()
        if not path.exists():
            say(f"生成 {rows:,} 行人员的 .xlsx …")
            write_people_file(path, rows, units)
        generated = time.perf_counter() - start
        size = path.stat().st_size / 1024 / 1024
        say(f"  {size:.1f} MB，用时 {generated:.1f} 秒")
        say("(a) 本系统导入（逐行校验、加密、盲索引、拼音，一个事务写入）…")
        ours, stored = time_ours(path, user, parallel=parallel)
        say(f"  {ours.rows:,} 行 / {ours.seconds:.1f} 秒")
        say("(b) 基线：pandas read_excel + to_sql（不校验）…")
        if connection.vendor == "sqlite":
            baseline, read, to_sql = time_baseline(
                path, Path(str(connection.settings_dict["NAME"]))
            )
        else:
            baseline, read, to_sql = time_baseline(path, Path(tmp) / "baseline.sqlite3")
        say(f"  {baseline.rows:,} 行 / {baseline.seconds:.1f} 秒")
    return ImportBenchResult(
        rows=rows,
        database=connection.vendor,
        file_mb=size,
        generate_seconds=generated,
        ours=ours,
        baseline=baseline,
        read_seconds_pandas=read,
        to_sql_seconds=to_sql,
        stored=stored,
        # ``None``: as the import decides (``services.parallel_min_bytes``, off by default).
        parallel=_parallel_used(parallel, size),
    )


def _parallel_used(parallel: bool | None, size_mb: float) -> bool:
    from wangge.ledgers import services

    return bool(
        parallel
        if parallel is not None
        else 0 < services.parallel_min_bytes() <= size_mb * 1024 * 1024
    )


def summary_lines(r: ImportBenchResult) -> list[str]:
    return [
        f"数据库：{r.database}；文件 {r.rows:,} 行，{r.file_mb:.1f} MB",
        f"本系统导入：{r.ours.rows:,} 行 / {r.ours.seconds:.1f} 秒 = {r.ours.rows_per_s:,.0f} 行/秒"
        f"（{'并行读取' if r.parallel else '单进程'}）",
        f"pandas 基线：{r.baseline.rows:,} 行 / {r.baseline.seconds:.1f} 秒 = "
        f"{r.baseline.rows_per_s:,.0f} 行/秒（read_excel {r.read_seconds_pandas:.1f} 秒，"
        f"to_sql {r.to_sql_seconds:.1f} 秒）",
        f"比值（本系统 / 基线）：{r.ratio:.2f}",
        f"核对：库中新增 {r.stored:,} 人，应为 {r.rows:,} {'PASS' if r.correct else 'FAIL'}",
        f"目标：比值 ≥ {r.target_ratio:.1f} {'PASS' if r.ratio >= r.target_ratio else 'FAIL'}",
    ]


# --- a throwaway database ---------------------------------------------------------------


def run_in_fresh_database(
    *, database_url: str, args: list[str], keep: bool, say: Callable[[str], None]
) -> int:
    """Create and migrate ``database_url``, run ``wangge bench import --here args`` in it."""
    from wangge.bench import intake

    intake.create_database(database_url)
    env = intake.server_environment(database_url)
    env.pop("WANGGE_LOG_LEVEL", None)
    try:
        say(f"新建基准数据库 {database_url} 并迁移…")
        subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "wangge", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
            timeout=900,
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "wangge", "bench", "import", "--here", *args],
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=settings.BASE_DIR,
            check=False,
        )
        return done.returncode
    finally:
        if not keep:
            intake.drop_database(database_url)
