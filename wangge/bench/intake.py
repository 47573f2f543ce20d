"""Benchmark of report intake: ``POST /api/v1/events`` over HTTP against a running server.

The bench makes its own world: it creates a database (PostgreSQL by default),
migrates it, loads the demo district and the catalogue, issues bearer tokens to
grid workers and starts gunicorn on a free port of 127.0.0.1.  Then:

1. warm-up reports (every server process loads its spatial index);
2. closed loop: ``count`` reports from ``clients`` threads, each with its own
   keep-alive connection, as fast as the server answers (reports/s);
3. open loop: reports started on a fixed schedule of ``rate`` per second
   whatever the answers do; a report's latency runs from its scheduled start,
   so a server falling behind shows in the figures (p50/p95/p99);
4. retries and races: a sample of request ids is sent again, and fresh ids are
   sent twice at the same moment; each must answer with one and the same event;
5. the check: every report acknowledged is stored exactly once and nothing else;
6. the raw rate: the same number of equivalent event rows inserted into the
   same table with plain SQL (``executemany``), then removed.

Each report comes from a grid worker, at a random point inside that worker's
grid, with a unique request id.  The database is dropped at the end unless
``keep``.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings

#: Targets: closed-loop reports/s as a share of the raw SQL insert rate; p99 at the paced rate.
TARGET_RATIO = 0.25
TARGET_P99_MS = 150.0

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wangge_bench"
DISTRICT = "440704"
ALIAS = "intake_bench"
REPORT_PATH = "/api/v1/events"
BATCH_PATH = "/api/v1/events/batch"
DESCRIPTIONS = (
    "井盖松动，车辆经过时声响很大",
    "人行道上堆放建筑垃圾，影响通行",
    "路灯不亮，夜间行人不便",
    "小区门口占道经营，堵塞消防通道",
    "绿化带内垃圾堆积，散发异味",
)


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
            rank = max(1, math.ceil(p / 100 * len(ordered)))
            return ordered[rank - 1] * 1000

        return cls(
            count=len(ordered),
            p50_ms=pct(50),
            p95_ms=pct(95),
            p99_ms=pct(99),
            max_ms=ordered[-1] * 1000,
            mean_ms=sum(ordered) / len(ordered) * 1000,
        )


@dataclass
class ClosedLoop:
    count: int
    clients: int
    seconds: float
    reports_per_s: float
    errors: int
    latency: Latency
    cpu: CpuUse = field(default_factory=lambda: CpuUse())
    #: Reports per request (1: one report per POST; more: ``POST /events/batch``).
    batch: int = 1


@dataclass
class Paced:
    rate: float
    count: int
    seconds: float
    achieved_per_s: float
    errors: int
    #: Reports that started more than 10 ms after their scheduled time (no free client).
    started_late: int
    latency: Latency


@dataclass
class RawInsert:
    rows: int
    #: ``executemany`` of all rows in one transaction: the denominator of the ratio.
    seconds: float
    rows_per_s: float
    #: The same rows committed one by one (each report is acknowledged only once committed).
    per_row_commit_rows: int = 0
    per_row_commit_seconds: float = 0.0
    per_row_commit_per_s: float = 0.0


@dataclass
class Integrity:
    #: Request ids acknowledged (200/201) by the server.
    acknowledged: int = 0
    #: Events stored with a request id of this run, and those rows counted distinctly.
    stored: int = 0
    stored_distinct: int = 0
    #: Events added to the table during the run (whatever their request id).
    added: int = 0
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    retried: int = 0
    retry_mismatches: int = 0
    raced: int = 0
    race_mismatches: int = 0
    http_errors: int = 0
    transport_retries: int = 0
    error_examples: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.stored - self.stored_distinct

    @property
    def ok(self) -> bool:
        return (
            self.stored == self.acknowledged == self.stored_distinct == self.added
            and not self.missing
            and not self.unexpected
            and self.retry_mismatches == 0
            and self.race_mismatches == 0
            and self.http_errors == 0
        )


@dataclass
class FeedCheck:
    """The dashboards' change feed after the load: how long it took to read every step,
    and whether every event then has its aggregate row."""

    drain_seconds: float = 0.0
    backlog: int = 0
    events: int = 0
    facts: int = 0

    @property
    def ok(self) -> bool:
        return self.backlog == 0 and self.facts == self.events


def wait_for_feed(alias: str, *, timeout: float = 120.0) -> FeedCheck:
    """Poll until the feed has read the last step (or ``timeout``), then count."""
    from wangge.dashboards.models import EventFact, FeedCursor
    from wangge.events.models import Event, EventStep

    started = time.perf_counter()
    latest = EventStep.objects.using(alias).order_by("-pk").values_list("pk", flat=True).first()
    while True:
        cursor = FeedCursor.objects.using(alias).filter(name="events").first()
        high = cursor.high if cursor is not None else 0
        gaps = len(cursor.gaps) if cursor is not None else 0
        if (latest or 0) <= high and not gaps:
            break
        if time.perf_counter() - started > timeout:
            break
        time.sleep(0.1)
    check = FeedCheck(drain_seconds=time.perf_counter() - started)
    check.backlog = EventStep.objects.using(alias).filter(pk__gt=high).count() + gaps
    check.events = Event.objects.using(alias).count()
    check.facts = EventFact.objects.using(alias).filter(reported=1).count()
    return check


@dataclass
class IntakeBenchResult:
    database: str
    vendor: str
    server: dict[str, Any]
    workers_reporting: int
    grids: int
    warmup: int
    closed: ClosedLoop
    paced: Paced
    raw: RawInsert
    integrity: Integrity
    setup_seconds: float
    #: The same closed loop with reports sent in batches (None when not measured).
    batched: ClosedLoop | None = None
    #: The machine's 1-minute load average before and after the measured phases.
    load_before: float = 0.0
    load_after: float = 0.0
    #: The dashboards' change feed after the load (None: not run).
    feed: FeedCheck | None = None
    target_ratio: float = TARGET_RATIO
    target_p99_ms: float = TARGET_P99_MS

    @property
    def ratio(self) -> float:
        """One report per request, against the raw ``executemany`` rate."""
        return self.closed.reports_per_s / self.raw.rows_per_s if self.raw.rows_per_s else 0.0

    @property
    def batched_ratio(self) -> float:
        """Reports sent in batches, against the same raw rate."""
        if self.batched is None or not self.raw.rows_per_s:
            return 0.0
        return self.batched.reports_per_s / self.raw.rows_per_s

    @property
    def throughput_ok(self) -> bool:
        """The intake keeps up with a quarter of the raw rate, by its best way of submission."""
        return max(self.ratio, self.batched_ratio) >= self.target_ratio

    @property
    def latency_ok(self) -> bool:
        return self.paced.count > 0 and self.paced.latency.p99_ms < self.target_p99_ms

    @property
    def passed(self) -> bool:
        feed_ok = self.feed is None or self.feed.ok
        return self.throughput_ok and self.latency_ok and self.integrity.ok and feed_ok

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["integrity"]["duplicates"] = self.integrity.duplicates
        data["ratio"] = self.ratio
        data["batched_ratio"] = self.batched_ratio
        data["checks"] = {
            "throughput_ratio": self.throughput_ok,
            "p99_at_rate": self.latency_ok,
            "no_loss_no_duplicates": self.integrity.ok,
            "dashboards_caught_up": self.feed is None or self.feed.ok,
        }
        data["passed"] = self.passed
        return data


# --- the database ----------------------------------------------------------------------


def _vendor(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql", "pgsql"):
        return "postgresql"
    raise ValueError(f"unsupported database URL {url!r} (use sqlite:/// or postgresql://)")


def _database_settings(url: str) -> dict[str, Any]:
    from wangge.lib.env import parse_database_url

    return dict(parse_database_url(url, base_dir=settings.BASE_DIR))


def _maintenance(url: str) -> tuple[Any, str]:
    """A connection to the server's ``postgres`` database, and the bench database's name."""
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


def create_database(url: str) -> None:
    """A fresh, empty database.  An existing one is dropped only if its name says it is a bench's."""
    if _vendor(url) == "sqlite":
        path = Path(str(_database_settings(url)["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
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
    if _vendor(url) == "sqlite":
        path = Path(str(_database_settings(url)["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def server_environment(url: str) -> dict[str, str]:
    """The environment of the server and of the set-up commands: the bench database, no debug."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="wangge.config.settings",
        WANGGE_DATABASE_URL=url,
        WANGGE_DEBUG="false",
        WANGGE_TESTING="false",
        WANGGE_ALLOWED_HOSTS="127.0.0.1,localhost",
        WANGGE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_database(url: str, *, log: IO[str]) -> None:
    """Migrate, load the demo district and the catalogue (``wangge`` in a child process)."""
    env = server_environment(url)
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed", "--scale", "demo", "--residents", "0"],
        ["seed_catalogue", DISTRICT],
    ):
        done = subprocess.run(  # noqa: S603 - our own interpreter and commands
            [sys.executable, "-m", "wangge", *args],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"wangge {' '.join(args)} 失败（退出码 {done.returncode}）")


@contextmanager
def bench_connection(url: str) -> Iterator[str]:
    """The bench database as a Django connection alias of this process."""
    from django.db import connections

    cfg = _database_settings(url)
    cfg["CONN_MAX_AGE"] = 0
    configured = connections.configure_settings(
        {"default": dict(connections.settings["default"]), ALIAS: cfg}
    )
    connections.settings[ALIAS] = configured[ALIAS]
    try:
        yield ALIAS
    finally:
        with suppress(Exception):
            connections[ALIAS].close()
        with suppress(Exception):
            del connections[ALIAS]
        connections.settings.pop(ALIAS, None)


# --- who reports where -------------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    username: str
    token: str
    grid_code: str


@dataclass(frozen=True)
class Report:
    reporter: Reporter
    body: bytes
    request_id: str


@dataclass(frozen=True)
class Batch:
    """Several reports of one reporter in one request (a phone syncing its queue)."""

    reporter: Reporter
    body: bytes
    request_ids: tuple[str, ...]


def batches(reports: Sequence[Report], size: int) -> list[Batch]:
    """``reports`` grouped by reporter into batches of at most ``size``."""
    by_reporter: dict[str, list[Report]] = {}
    for report in reports:
        by_reporter.setdefault(report.reporter.username, []).append(report)
    made = []
    for group in by_reporter.values():
        for start in range(0, len(group), size):
            part = group[start : start + size]
            body = b'{"reports": [' + b", ".join(r.body for r in part) + b"]}"
            made.append(Batch(part[0].reporter, body, tuple(r.request_id for r in part)))
    return made


def issue_tokens(alias: str, *, limit: int, rng: random.Random) -> list[Reporter]:
    """Bearer tokens for up to ``limit`` grid workers of the demo district (one grid each)."""
    from django.utils import timezone

    from wangge.accounts.models import ApiToken, Assignment

    rows = list(
        Assignment.objects.using(alias)
        .filter(role__slug="grid_worker", is_active=True, region__code__startswith=DISTRICT)
        .order_by("user__username")
        .values_list("user_id", "user__username", "region__code")
    )
    if not rows:
        raise RuntimeError("基准数据库中没有网格员")
    chosen = rng.sample(rows, min(limit, len(rows)))
    reporters: list[Reporter] = []
    tokens: list[ApiToken] = []
    expires = timezone.now() + timedelta(days=1)
    for user_id, username, grid_code in chosen:
        key = f"bench-{uuid.uuid4().hex}{uuid.uuid4().hex}"
        tokens.append(
            ApiToken(
                user_id=user_id,
                key_hash=_token_hash(key),
                prefix=key[:8],
                expires_at=expires,
                last_used_at=timezone.now(),
            )
        )
        reporters.append(Reporter(username=username, token=key, grid_code=grid_code))
    ApiToken.objects.using(alias).bulk_create(tokens)
    return reporters


def _token_hash(key: str) -> str:
    from wangge.accounts import tokens

    return tokens._hash(key)


def grid_samplers(
    alias: str, grid_codes: Sequence[str], rng: random.Random
) -> dict[str, Callable[[], tuple[float, float]]]:
    """For each grid, a function drawing uniform random points strictly inside it."""
    import shapely

    from wangge.regions.models import Region

    samplers: dict[str, Callable[[], tuple[float, float]]] = {}
    rows = (
        Region.objects.using(alias).filter(code__in=set(grid_codes)).values_list("code", "geometry")
    )
    for code, geometry in rows:
        shape = shapely.geometry.shape(geometry)
        # A hair inside the border: a point on a shared edge may belong to the neighbour.
        inner = shape.buffer(-1e-6)
        if inner.is_empty:
            inner = shape
        shapely.prepare(inner)
        min_x, min_y, max_x, max_y = inner.bounds

        def draw(
            inner: Any = inner,
            box: tuple[float, float, float, float] = (min_x, min_y, max_x, max_y),
        ) -> tuple[float, float]:
            for _ in range(10_000):
                x, y = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
                if shapely.contains_xy(inner, x, y):
                    return round(x, 7), round(y, 7)
            raise RuntimeError("no point found inside a grid")  # pragma: no cover

        samplers[code] = draw
    missing = set(grid_codes) - set(samplers)
    if missing:
        raise RuntimeError(f"网格几何缺失：{sorted(missing)[:3]}")
    return samplers


def admitted_categories(alias: str) -> list[str]:
    from wangge.events.models import Category

    found = list(
        Category.objects.using(alias)
        .filter(parent__isnull=False, is_active=True, admitted=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not found:
        raise RuntimeError("基准数据库中没有事件分类")
    return found


class ReportFactory:
    """Reports with unique request ids (``<run>-<phase>-<n>``) from the chosen reporters."""

    def __init__(
        self,
        run: str,
        reporters: Sequence[Reporter],
        samplers: dict[str, Callable[[], tuple[float, float]]],
        categories: Sequence[str],
        rng: random.Random,
    ) -> None:
        self.run = run
        self.reporters = list(reporters)
        self.samplers = samplers
        self.categories = list(categories)
        self.rng = rng
        self.made = 0

    def make(self, phase: str, n: int) -> list[Report]:
        reports = []
        for i in range(n):
            reporter = self.reporters[self.made % len(self.reporters)]
            self.made += 1
            lng, lat = self.samplers[reporter.grid_code]()
            request_id = f"{self.run}-{phase}-{i}"
            body = {
                "category": self.rng.choice(self.categories),
                "description": self.rng.choice(DESCRIPTIONS),
                "lng": lng,
                "lat": lat,
                "address": f"测试地址 {i} 号",
                "request_id": request_id,
            }
            reports.append(
                Report(reporter, json.dumps(body, ensure_ascii=False).encode(), request_id)
            )
        return reports


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    host: str
    port: int
    workers: int
    threads: int
    process: subprocess.Popen[bytes]
    start_seconds: float
    #: ``wangge scheduler --only dashboards-feed``: the aggregates follow in the background.
    feed: subprocess.Popen[bytes] | None = None

    @property
    def pids(self) -> list[int]:
        """The processes whose CPU is the server's: gunicorn's master and the feed."""
        return [self.process.pid] + ([self.feed.pid] if self.feed is not None else [])

    def describe(self) -> dict[str, Any]:
        return {
            "software": "gunicorn (gthread) + the dashboards' change feed",
            "host": self.host,
            "port": self.port,
            "workers": self.workers,
            "threads": self.threads,
            "start_seconds": self.start_seconds,
            "cpus": os.cpu_count(),
        }


def _healthy(host: str, port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


@contextmanager
def running_server(
    url: str,
    *,
    workers: int,
    threads: int,
    log: IO[str],
    port: int = 0,
    timeout: float = 60,
    with_feed: bool = True,
) -> Iterator[Server]:
    """gunicorn serving the project against ``url`` on 127.0.0.1, with the dashboards'
    change feed running beside it as in production; stopped on leaving."""
    host = "127.0.0.1"
    port = port or free_port()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wangge.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=server_environment(url),
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    feed = (
        subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "wangge", "scheduler", "--only", "dashboards-feed"],
            env=server_environment(url),
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if with_feed
        else None
    )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(host, port):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn 退出（退出码 {process.returncode}），见日志")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn 在 {timeout:.0f} 秒内没有就绪")
            time.sleep(0.1)
        yield Server(host, port, workers, threads, process, time.perf_counter() - started, feed)
    finally:
        for child in (process, feed):
            if child is None or child.poll() is not None:
                continue
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)


# --- CPU accounting (Linux /proc; empty elsewhere) ------------------------------------------


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> Iterator[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process we can read."""
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            )
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        yield int(entry.name), ppid, cmdline


def cpu_snapshot(server_pids: int | Sequence[int], database: str) -> dict[str, dict[int, float]]:
    """CPU used so far by the server's processes (and their children) and the database's
    backends (by pid)."""
    roots = {server_pids} if isinstance(server_pids, int) else set(server_pids)
    server: dict[int, float] = {}
    backends: dict[int, float] = {}
    marker = f" {database} " if database else None
    for pid, ppid, cmdline in _processes():
        if pid in roots or ppid in roots:
            target = server
        elif marker and cmdline.startswith("postgres:") and marker in cmdline:
            target = backends
        else:
            continue
        used = _proc_cpu(pid)
        if used is not None:
            target[pid] = used
    return {"server": server, "database": backends}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(max(0.0, used - before.get(pid, 0.0)) for pid, used in after.items())


@dataclass
class CpuUse:
    """CPU milliseconds per report in the closed loop: a figure other load on the machine
    does not distort, unlike rates."""

    server_ms: float = 0.0
    database_ms: float = 0.0
    client_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return self.server_ms + self.database_ms + self.client_ms

    def capacity_per_s(self, cpus: int) -> float:
        """Reports/s the machine could take if these processes had every core to themselves."""
        return cpus * 1000 / self.total_ms if self.total_ms else 0.0


# --- the clients -------------------------------------------------------------------------


@dataclass
class Outcome:
    request_id: str
    status: int
    event_id: int | None
    #: From the scheduled (paced) or actual (closed loop) start to the full answer.
    seconds: float
    late: float = 0.0
    error: str = ""


class Client:
    """One keep-alive connection; a POST is retried once on a dropped connection
    (safe: the request id makes it idempotent)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None
        self.transport_retries = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(self, report: Report | Batch, path: str = REPORT_PATH) -> tuple[int, bytes]:
        headers = {
            "Authorization": f"Bearer {report.reporter.token}",
            "Content-Type": "application/json",
        }
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", path, body=report.body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise
                self.transport_retries += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def send(self, report: Report, start: float) -> Outcome:
        try:
            status, data = self.post(report)
        except (http.client.HTTPException, OSError) as exc:
            return Outcome(report.request_id, 0, None, time.perf_counter() - start, error=str(exc))
        seconds = time.perf_counter() - start
        event_id = None
        error = ""
        if status in (200, 201):
            try:
                event_id = int(json.loads(data)["id"])
            except (ValueError, KeyError, TypeError):
                error = "bad body"
        else:
            error = data[:300].decode("utf-8", "replace")
        return Outcome(report.request_id, status, event_id, seconds, error=error)

    def send_batch(self, batch: Batch, start: float) -> list[Outcome]:
        """One outcome per report of the batch, each with the batch's latency."""
        try:
            status, data = self.post(batch, BATCH_PATH)
        except (http.client.HTTPException, OSError) as exc:
            seconds = time.perf_counter() - start
            return [Outcome(rid, 0, None, seconds, error=str(exc)) for rid in batch.request_ids]
        seconds = time.perf_counter() - start
        if status != 200:
            error = data[:300].decode("utf-8", "replace")
            return [Outcome(rid, status, None, seconds, error=error) for rid in batch.request_ids]
        answered = {item["request_id"]: item for item in json.loads(data)["results"]}
        outcomes = []
        for rid in batch.request_ids:
            item = answered.get(rid)
            if item is None or item["status"] == "invalid" or item["id"] is None:
                outcomes.append(Outcome(rid, 422, None, seconds, error=json.dumps(item)[:300]))
            else:
                code = 201 if item["status"] == "created" else 200
                outcomes.append(Outcome(rid, code, int(item["id"]), seconds))
        return outcomes


class Pool:
    """``size`` threads, each with its own keep-alive client, working through a list."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.clients = [Client(host, port) for _ in range(size)]

    @property
    def transport_retries(self) -> int:
        return sum(c.transport_retries for c in self.clients)

    def close(self) -> None:
        for c in self.clients:
            c.close()

    def run(self, work: Callable[[Client], None]) -> None:
        errors: list[BaseException] = []

        def target(client: Client) -> None:
            try:
                work(client)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=target, args=(c,), daemon=True) for c in self.clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:  # pragma: no cover
            raise errors[0]

    def closed_loop(
        self, reports: Sequence[Report] | Sequence[Batch]
    ) -> tuple[list[Outcome], float]:
        """Every client sends the next report (or batch) as soon as its previous one is answered."""
        lock = threading.Lock()
        index = iter(range(len(reports)))
        outcomes: list[Outcome] = []

        def work(client: Client) -> None:
            mine: list[Outcome] = []
            while True:
                with lock:
                    i = next(index, None)
                if i is None:
                    break
                item = reports[i]
                if isinstance(item, Batch):
                    mine.extend(client.send_batch(item, time.perf_counter()))
                else:
                    mine.append(client.send(item, time.perf_counter()))
            with lock:
                outcomes.extend(mine)

        started = time.perf_counter()
        self.run(work)
        return outcomes, time.perf_counter() - started

    def paced(self, reports: Sequence[Report], rate: float) -> tuple[list[Outcome], float]:
        """Report ``i`` is due at ``start + i / rate``; latency counts from then."""
        lock = threading.Lock()
        index = iter(range(len(reports)))
        outcomes: list[Outcome] = []
        start = time.perf_counter() + 0.2

        def work(client: Client) -> None:
            mine = []
            while True:
                with lock:
                    i = next(index, None)
                if i is None:
                    break
                due = start + i / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                late = max(0.0, time.perf_counter() - due)
                outcome = client.send(reports[i], due)
                outcome.late = late
                mine.append(outcome)
            with lock:
                outcomes.extend(mine)

        self.run(work)
        return outcomes, time.perf_counter() - start

    def together(self, pairs: Sequence[tuple[Report, Report]]) -> list[tuple[Outcome, Outcome]]:
        """Both reports of each pair sent at the same moment from two clients."""
        results: list[tuple[Outcome, Outcome]] = []

        def one(
            slot: int, report: Report, barrier: threading.Barrier, got: dict[int, Outcome]
        ) -> None:
            client = self.clients[slot]
            barrier.wait()
            got[slot] = client.send(report, time.perf_counter())

        for first, second in pairs:
            barrier = threading.Barrier(2)
            got: dict[int, Outcome] = {}
            threads = [
                threading.Thread(target=one, args=(0, first, barrier, got), daemon=True),
                threading.Thread(target=one, args=(1, second, barrier, got), daemon=True),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            results.append((got[0], got[1]))
        return results


# --- raw SQL ---------------------------------------------------------------------------


def raw_insert(alias: str, templates: Sequence[Any], *, per_row_commit: int = 0) -> RawInsert:
    """Insert event rows like ``templates`` (stored events) with plain SQL, time it, remove them.

    The rows carry every column of the events table, with their own number and
    request id.  ``executemany`` of all of them in one transaction gives the
    rate; ``per_row_commit`` more rows are committed one by one for comparison.
    """
    from django.db import connections, transaction

    from wangge.events.models import Event

    connection = connections[alias]
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model

    marker = uuid.uuid4().hex[:8]

    def rows(n: int, tag: str) -> list[list[Any]]:
        result = []
        for i in range(n):
            template = templates[i % len(templates)]
            values = []
            for f in fields:
                value = getattr(template, f.attname)
                if f.name == "number":
                    value = f"R{marker}{tag}{i:08d}"[:24]
                elif f.name == "client_request_id":
                    value = f"raw-{marker}-{tag}-{i}"
                values.append(f.get_db_prep_save(value, connection))
            result.append(values)
        return result

    bulk = rows(len(templates), "b")
    single = rows(per_row_commit, "s")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with transaction.atomic(using=alias):
            cursor.executemany(statement, bulk)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        for values in single:
            cursor.execute(statement, values)  # autocommit: one transaction per row
        single_seconds = time.perf_counter() - started
    Event.objects.using(alias).filter(client_request_id__startswith=f"raw-{marker}-").delete()
    return RawInsert(
        rows=len(bulk),
        seconds=seconds,
        rows_per_s=len(bulk) / seconds if seconds else 0.0,
        per_row_commit_rows=len(single),
        per_row_commit_seconds=single_seconds,
        per_row_commit_per_s=len(single) / single_seconds if single_seconds else 0.0,
    )


# --- the run -----------------------------------------------------------------------------


def _say(out: Callable[[str], None] | None, message: str) -> None:
    if out is not None:
        out(message)


def run_intake_bench(
    *,
    database_url: str = DEFAULT_DATABASE_URL,
    count: int = 3000,
    clients: int = 16,
    rate: float = 100.0,
    paced_count: int = 2000,
    workers: int = 3,
    threads: int = 4,
    warmup: int = 100,
    retry_sample: int = 100,
    race: int = 20,
    reporters: int = 200,
    per_row_commit: int = 1000,
    batch: int = 50,
    seed: int = 1,
    keep: bool = False,
    port: int = 0,
    log_path: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> IntakeBenchResult:
    """Set up the bench database and server, run the phases, check, clean up."""
    if min(count, clients, paced_count, workers, threads) < 1 or rate <= 0:
        raise ValueError("count, clients, paced_count, workers, threads and rate must be positive")
    if min(warmup, retry_sample, race, per_row_commit, batch) < 0:
        raise ValueError(
            "warmup, retry_sample, race, per_row_commit and batch must not be negative"
        )
    vendor = _vendor(database_url)
    rng = random.Random(seed)
    run = f"b{uuid.uuid4().hex[:8]}"
    log_path = log_path or Path(settings.VAR_DIR) / "bench" / "intake-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        _say(say, f"创建并准备基准数据库（{vendor}）：迁移、演示数据、事件分类…")
        create_database(database_url)
        try:
            prepare_database(database_url, log=log)
            with bench_connection(database_url) as alias:
                return _run(
                    alias,
                    database_url=database_url,
                    vendor=vendor,
                    run=run,
                    rng=rng,
                    count=count,
                    clients=clients,
                    rate=rate,
                    paced_count=paced_count,
                    workers=workers,
                    threads=threads,
                    warmup=warmup,
                    retry_sample=retry_sample,
                    race=race,
                    reporters=reporters,
                    per_row_commit=per_row_commit,
                    batch=batch,
                    port=port,
                    log=log,
                    say=say,
                    started=started,
                )
        finally:
            if keep:
                _say(say, f"保留基准数据库：{database_url}")
            else:
                drop_database(database_url)


def _run(
    alias: str,
    *,
    database_url: str,
    vendor: str,
    run: str,
    rng: random.Random,
    count: int,
    clients: int,
    rate: float,
    paced_count: int,
    workers: int,
    threads: int,
    warmup: int,
    retry_sample: int,
    race: int,
    reporters: int,
    per_row_commit: int,
    batch: int,
    port: int,
    log: IO[str],
    say: Callable[[str], None] | None,
    started: float,
) -> IntakeBenchResult:
    from wangge.events.models import Event

    chosen = issue_tokens(alias, limit=max(reporters, 1), rng=rng)
    samplers = grid_samplers(alias, sorted({r.grid_code for r in chosen}), rng)
    factory = ReportFactory(run, chosen, samplers, admitted_categories(alias), rng)
    warm_reports = factory.make("w", warmup)
    closed_reports = factory.make("c", count)
    paced_reports = factory.make("p", paced_count)
    race_reports = factory.make("r", race)
    # The batched phase: as many reporters as it takes for full batches.
    batch_reports = (
        ReportFactory(
            run, chosen[: max(1, count // batch)], samplers, factory.categories, rng
        ).make("s", count)
        if batch
        else []
    )
    events_before = Event.objects.using(alias).count()
    integrity = Integrity()
    acknowledged: dict[str, int] = {}

    def note(outcomes: Sequence[Outcome]) -> int:
        errors = 0
        for o in outcomes:
            if o.status in (200, 201) and o.event_id is not None:
                acknowledged[o.request_id] = o.event_id
            else:
                errors += 1
                if len(integrity.error_examples) < 5:
                    integrity.error_examples.append(f"{o.request_id}: {o.status} {o.error}")
        integrity.http_errors += errors
        return errors

    feed_check: FeedCheck | None = None
    with running_server(database_url, workers=workers, threads=threads, log=log, port=port) as srv:
        setup_seconds = time.perf_counter() - started
        _say(
            say,
            f"服务已启动：gunicorn {srv.workers} 进程 × {srv.threads} 线程，"
            f"http://{srv.host}:{srv.port}（准备用时 {setup_seconds:.1f} 秒）",
        )
        pool = Pool(srv.host, srv.port, clients)
        load_before = os.getloadavg()[0]
        try:
            if warm_reports:
                note(pool.closed_loop(warm_reports)[0])
            _say(say, f"闭环：{count:,} 条上报，{clients} 个并发客户端…")
            database = _database_name(database_url)
            closed = _closed_loop(pool, closed_reports, srv.pids, database, note)
            batched = None
            if batch_reports:
                _say(
                    say, f"闭环（批量）：{count:,} 条上报，每批至多 {batch} 条，{clients} 个客户端…"
                )
                batched = _closed_loop(
                    pool, batches(batch_reports, batch), srv.pids, database, note
                )
                batched.batch = batch
            _say(say, f"开环：每秒 {rate:g} 条，共 {paced_count:,} 条…")
            outcomes, seconds = pool.paced(paced_reports, rate)
            errors = note(outcomes)
            paced = Paced(
                rate=rate,
                count=paced_count,
                seconds=seconds,
                achieved_per_s=paced_count / seconds if seconds else 0.0,
                errors=errors,
                started_late=sum(1 for o in outcomes if o.late > 0.010),
                latency=Latency.of([o.seconds for o in outcomes if not o.error]),
            )
            _say(say, "重试与并发重复提交…")
            sent_before = dict(acknowledged)
            sample = rng.sample(sorted(sent_before), min(retry_sample, len(sent_before)))
            by_id = {
                r.request_id: r
                for r in [*warm_reports, *closed_reports, *batch_reports, *paced_reports]
            }
            retries, _ = pool.closed_loop([by_id[request_id] for request_id in sample])
            integrity.retried = len(retries)
            for o in retries:
                if o.status != 200 or o.event_id != sent_before.get(o.request_id):
                    integrity.retry_mismatches += 1
                    if len(integrity.error_examples) < 5:
                        integrity.error_examples.append(
                            f"retry {o.request_id}: {o.status} {o.event_id} {o.error}"
                        )
            # Two clients at once are needed for a race; with one client there is none.
            pairs = pool.together([(r, r) for r in race_reports]) if clients >= 2 else []
            integrity.raced = len(pairs)
            for a, b in pairs:
                note([a, b])
                statuses = sorted([a.status, b.status])
                if a.event_id is None or a.event_id != b.event_id or statuses != [200, 201]:
                    integrity.race_mismatches += 1
                    if len(integrity.error_examples) < 5:
                        integrity.error_examples.append(
                            f"race {a.request_id}: {statuses} {a.event_id}/{b.event_id}"
                        )
            integrity.transport_retries = pool.transport_retries
            if srv.feed is not None:
                _say(say, "等待统计看板的变更流读完所有步骤…")
                feed_check = wait_for_feed(alias)
        finally:
            pool.close()
        server = srv.describe()
        load_after = os.getloadavg()[0]

    _say(say, "核对入库结果…")
    stored = list(
        Event.objects.using(alias)
        .filter(client_request_id__startswith=f"{run}-")
        .values_list("client_request_id", "pk")
    )
    integrity.acknowledged = len(acknowledged)
    integrity.stored = len(stored)
    stored_ids = {request_id for request_id, _pk in stored}
    integrity.stored_distinct = len(stored_ids)
    integrity.added = Event.objects.using(alias).count() - events_before
    integrity.missing = sorted(set(acknowledged) - stored_ids)[:20]
    integrity.unexpected = sorted(stored_ids - set(acknowledged))[:20]
    stored_pk = dict(stored)
    mismatched = [rid for rid, pk in acknowledged.items() if stored_pk.get(rid, pk) != pk]
    if mismatched:
        integrity.unexpected += [f"{rid} (another id)" for rid in mismatched[:20]]

    _say(say, f"原始 SQL 插入：{count:,} 行 executemany…")
    templates = list(
        Event.objects.using(alias).filter(client_request_id__startswith=f"{run}-c-")[:count]
    )
    raw = raw_insert(alias, templates, per_row_commit=per_row_commit)
    return IntakeBenchResult(
        database=_redacted(database_url),
        vendor=vendor,
        server=server,
        workers_reporting=len(chosen),
        grids=len(samplers),
        warmup=len(warm_reports),
        closed=closed,
        paced=paced,
        raw=raw,
        integrity=integrity,
        setup_seconds=setup_seconds,
        batched=batched,
        load_before=load_before,
        load_after=load_after,
        feed=feed_check,
    )


def _closed_loop(
    pool: Pool,
    items: Sequence[Report] | Sequence[Batch],
    server_pids: Sequence[int],
    database: str,
    note: Callable[[Sequence[Outcome]], int],
) -> ClosedLoop:
    """Run one closed loop and measure it, CPU of server, database and client included."""
    cpu_before = cpu_snapshot(server_pids, database)
    client_before = own_cpu()
    outcomes, seconds = pool.closed_loop(items)
    client_cpu = own_cpu() - client_before
    cpu_after = cpu_snapshot(server_pids, database)
    errors = note(outcomes)
    count = len(outcomes)
    per = 1000 / max(count, 1)
    return ClosedLoop(
        count=count,
        clients=pool.size,
        seconds=seconds,
        reports_per_s=(count - errors) / seconds if seconds else 0.0,
        errors=errors,
        latency=Latency.of([o.seconds for o in outcomes if not o.error]),
        cpu=CpuUse(
            server_ms=cpu_used(cpu_before["server"], cpu_after["server"]) * per,
            database_ms=cpu_used(cpu_before["database"], cpu_after["database"]) * per,
            client_ms=client_cpu * per,
        ),
    )


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _database_name(url: str) -> str:
    """The PostgreSQL database's name (its backends carry it in their titles); '' for SQLite."""
    return str(_database_settings(url)["NAME"]) if _vendor(url) == "postgresql" else ""


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def summary_lines(r: IntakeBenchResult) -> list[str]:
    """The figures, as the command prints them."""
    c, p, raw, i = r.closed, r.paced, r.raw, r.integrity
    s = r.server
    lines = [
        f"数据库：{r.vendor} {r.database}；服务：{s['software']} {s['workers']} 进程 × "
        f"{s['threads']} 线程（{s['cpus']} 核）；{r.workers_reporting} 名网格员、{r.grids} 个网格；"
        f"负载 {r.load_before:.1f} → {r.load_after:.1f}",
        f"闭环吞吐：{c.count:,} 条 / {c.seconds:.2f} 秒 = {c.reports_per_s:,.1f} 条/秒"
        f"（{c.clients} 个客户端；p50 {c.latency.p50_ms:.1f} ms，p99 {c.latency.p99_ms:.1f} ms）",
        f"每条上报的 CPU：服务 {c.cpu.server_ms:.1f} ms + 数据库 {c.cpu.database_ms:.1f} ms + "
        f"客户端 {c.cpu.client_ms:.1f} ms = {c.cpu.total_ms:.1f} ms；"
        f"独占 {s['cpus']} 核时约可 {c.cpu.capacity_per_s(s['cpus'] or 1):,.0f} 条/秒",
        f"开环 {p.rate:g} 条/秒：{p.count:,} 条，实际 {p.achieved_per_s:,.1f} 条/秒；"
        f"延迟 p50 {p.latency.p50_ms:.1f} ms，p95 {p.latency.p95_ms:.1f} ms，"
        f"p99 {p.latency.p99_ms:.1f} ms，最大 {p.latency.max_ms:.1f} ms"
        f"（{p.started_late} 条晚于计划开始超过 10 ms）",
        f"原始 SQL（executemany，一个事务）：{raw.rows:,} 行 / {raw.seconds:.3f} 秒 = "
        f"{raw.rows_per_s:,.0f} 行/秒",
    ]
    if raw.per_row_commit_rows:
        lines.append(
            f"原始 SQL（逐行提交）：{raw.per_row_commit_rows:,} 行 / "
            f"{raw.per_row_commit_seconds:.3f} 秒 = {raw.per_row_commit_per_s:,.0f} 行/秒"
            f"（HTTP 吞吐为其 {_share(c.reports_per_s, raw.per_row_commit_per_s)}）"
        )
    b = r.batched
    if b is not None:
        lines.append(
            f"闭环吞吐（批量同步，每批至多 {b.batch} 条）：{b.count:,} 条 / {b.seconds:.2f} 秒 = "
            f"{b.reports_per_s:,.1f} 条/秒（每批 p50 {b.latency.p50_ms:.1f} ms，"
            f"p99 {b.latency.p99_ms:.1f} ms；每条 CPU {b.cpu.total_ms:.2f} ms）"
        )
    lines += [
        f"比值：HTTP 闭环吞吐 / 原始 executemany = 逐条 {r.ratio:.1%}"
        + (f"，批量 {r.batched_ratio:.1%}" if b is not None else ""),
        f"核对：确认 {i.acknowledged:,} 条，入库 {i.stored:,} 条（去重 {i.stored_distinct:,}，"
        f"新增行 {i.added:,}），重复 {i.duplicates}，缺失 {len(i.missing)}，多余 {len(i.unexpected)}；"
        f"重试 {i.retried} 条不一致 {i.retry_mismatches}；并发重复提交 {i.raced} 对不一致 "
        f"{i.race_mismatches}；HTTP 错误 {i.http_errors}；连接重连 {i.transport_retries}",
    ]
    for example in i.error_examples:
        lines.append(f"  错误示例：{example}")
    f = r.feed
    if f is not None:
        lines.append(
            f"统计看板变更流：负载结束后 {f.drain_seconds:.1f} 秒读完，未读 {f.backlog}；"
            f"事件 {f.events:,} 件，汇总行 {f.facts:,} 条 {_mark(f.ok)}"
        )
    lines.append(
        f"目标：吞吐 ≥ 原始速率的 {r.target_ratio:.0%} {_mark(r.throughput_ok)}；"
        f"{p.rate:g} 条/秒时 p99 < {r.target_p99_ms:g} ms {_mark(r.latency_ok)}；"
        f"无丢失无重复 {_mark(i.ok)}"
    )
    return lines


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
