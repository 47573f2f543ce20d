"""Benchmark of the phones' offline sync: queued submissions sent over HTTP on a bad network.

Ten phones (threads) were offline and each queued 100 event reports (some with a photo,
uploaded first and named in the report, as the outbox does).  They come back online at the
same moment and each sends its queue in order, over its own keep-alive connection and with
its own bearer token, retrying every submission with the same request ids until the server
answers it.  The network is bad on purpose (seeded, reproducible):

* **cut before the answer** — the request is sent whole, the connection closed before the
  answer is read: the server stored it, the phone does not know and sends it again (the
  retry may race with the first request still being answered);
* **cut while sending** — half the request is sent, then the connection is closed: nothing
  is stored, the phone sends it again;
* **repeated** — an answered submission is sent once more (a phone that was killed before it
  noted the answer): the server must answer with the same event.

Then the check: every submission stored exactly once (events by request id, photos by
request id and claimed by their event), nothing lost, nothing else added, every repeated or
retried answer naming the same event.  And, in the same run, the server-side rate of the
same rows inserted into the events table with plain SQL (``executemany``,
``wangge.bench.intake.raw_insert``), printed as a ratio.

The world (database, demo district, catalogue, tokens, gunicorn) is made by the helpers of
``wangge.bench.intake``; the database is dropped at the end unless ``keep``.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from wangge.bench import intake

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wangge_bench_sync"
UPLOAD_PATH = "/api/v1/events/attachments"
#: Target: the whole backlog synced within this many seconds, with nothing lost or doubled.
TARGET_SECONDS = 10.0
#: A phone gives up a submission after this many tries (counted as lost: must never happen).
MAX_TRIES = 50


# --- results ---------------------------------------------------------------------------


@dataclass
class Faults:
    """How often the network misbehaves (shares of the requests sent)."""

    cut_before_answer: float = 0.03
    cut_while_sending: float = 0.03
    repeat: float = 0.03


@dataclass
class Counts:
    requests: int = 0
    cut_before_answer: int = 0
    cut_while_sending: int = 0
    repeated: int = 0
    #: Answers 5xx, and connections the server or the network broke (tried again).
    server_errors: int = 0
    transport_errors: int = 0
    #: Answers 4xx: the submission was refused (must never happen here).
    refused: int = 0

    def add(self, other: Counts) -> None:
        for name in asdict(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SyncIntegrity:
    submissions: int = 0
    photos: int = 0
    acknowledged: int = 0
    #: Events stored with a request id of this run, those counted distinctly, and the rows the
    #: events table gained during the run.
    stored: int = 0
    stored_distinct: int = 0
    added: int = 0
    #: Photos stored with a request id of this run, and those claimed by their own report.
    photos_stored: int = 0
    photos_claimed: int = 0
    lost: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    #: Answers (retries, repeats) naming another event than the first answer did.
    mismatches: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.stored - self.stored_distinct

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged == self.submissions
            and self.stored == self.stored_distinct == self.added == self.submissions
            and self.photos_stored == self.photos_claimed == self.photos
            and not self.lost
            and not self.missing
            and not self.unexpected
            and self.mismatches == 0
        )


@dataclass
class SyncBenchResult:
    vendor: str
    database: str
    server: dict[str, Any]
    devices: int
    per_device: int
    #: Event reports per request (the outbox sends up to 50 consecutive ones in one batch).
    batch: int
    faults: Faults
    counts: Counts
    #: From the moment every phone comes online to the last queue emptied.
    seconds: float
    submissions_per_s: float
    #: Each submission from its first try to its answer (retries and pauses included).
    latency: intake.Latency
    raw: intake.RawInsert
    integrity: SyncIntegrity
    setup_seconds: float
    #: CPU per submission (server processes, PostgreSQL backends, the phones' threads): a
    #: figure that other load on the machine does not distort, unlike the rate.
    cpu: intake.CpuUse = field(default_factory=intake.CpuUse)
    #: The machine's 1-minute load average before and after the sync.
    load_before: float = 0.0
    load_after: float = 0.0
    target_seconds: float = TARGET_SECONDS

    @property
    def ratio(self) -> float:
        """Submissions synced per second against rows inserted per second by raw SQL."""
        return self.submissions_per_s / self.raw.rows_per_s if self.raw.rows_per_s else 0.0

    @property
    def fast_enough(self) -> bool:
        return self.seconds < self.target_seconds

    @property
    def passed(self) -> bool:
        return self.fast_enough and self.integrity.ok

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["integrity"]["duplicates"] = self.integrity.duplicates
        data["ratio"] = self.ratio
        data["checks"] = {"within_target": self.fast_enough, "exactly_once": self.integrity.ok}
        data["passed"] = self.passed
        return data


# --- the queued submissions ------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A report queued on a phone; with a photo, the photo is uploaded first."""

    report: intake.Report
    photo: bytes | None = None

    @property
    def request_id(self) -> str:
        return self.report.request_id

    @property
    def photo_request_id(self) -> str:
        return f"{self.report.request_id}-photo-0"


def photo_bytes(rng: random.Random) -> bytes:
    """A small JPEG, a different colour each time (phones send different photos)."""
    from PIL import Image

    buffer = io.BytesIO()
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def queues(
    reports: Sequence[intake.Report], *, photo_share: float, rng: random.Random
) -> dict[str, list[Submission]]:
    """Each reporter's submissions, in the order they were made."""
    by_device: dict[str, list[Submission]] = {}
    for report in reports:
        photo = photo_bytes(rng) if rng.random() < photo_share else None
        by_device.setdefault(report.reporter.username, []).append(Submission(report, photo))
    return by_device


def multipart(fields: dict[str, str], file: bytes, filename: str) -> tuple[bytes, str]:
    boundary = f"wangge-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + file
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- a phone ---------------------------------------------------------------------------------


class Cut(Exception):
    """The network cut the connection (injected)."""


class Refused(Exception):
    """The server refused the submission (4xx): the phone keeps it aside, sends it no more."""


class Device:
    """One phone: its token, its connection, its queue, its bad network."""

    def __init__(
        self,
        host: str,
        port: int,
        reporter: intake.Reporter,
        queue: Sequence[Submission],
        faults: Faults,
        rng: random.Random,
        batch: int = 1,
    ) -> None:
        self.host, self.port = host, port
        self.batch = max(1, batch)
        self.reporter = reporter
        self.queue = list(queue)
        self.faults = faults
        self.rng = rng
        self.conn: http.client.HTTPConnection | None = None
        self.counts = Counts()
        #: request id → the event id of the first answer; and every answer's event id.
        self.acknowledged: dict[str, int] = {}
        self.answers: list[tuple[str, int]] = []
        self.lost: list[str] = []
        self.seconds: list[float] = []
        self.errors: list[str] = []

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def request(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """One POST over the bad network; ``Cut`` when the (injected) network broke it."""
        headers = {
            "Authorization": f"Bearer {self.reporter.token}",
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
        }
        self.counts.requests += 1
        draw = self.rng.random()
        conn = self._connection()
        if draw < self.faults.cut_while_sending:
            self.counts.cut_while_sending += 1
            try:
                conn.putrequest("POST", path)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                conn.send(body[: len(body) // 2])
            except OSError:
                pass
            self.close()
            raise Cut("cut while sending")
        try:
            conn.request("POST", path, body=body, headers=headers)
            if draw < self.faults.cut_while_sending + self.faults.cut_before_answer:
                self.counts.cut_before_answer += 1
                self.close()
                raise Cut("cut before the answer")
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError) as exc:
            self.close()
            self.counts.transport_errors += 1
            raise Cut(str(exc)) from exc

    def _upload(self, submission: Submission) -> tuple[int, int | None]:
        assert submission.photo is not None  # noqa: S101 - only called with a photo
        body, content_type = multipart(
            {"kind": "report", "request_id": submission.photo_request_id},
            submission.photo,
            "IMG_0001.jpg",
        )
        status, data = self.request(UPLOAD_PATH, body, content_type)
        return status, _id(status, data)

    def _report(self, submission: Submission, photo_id: int | None) -> tuple[int, int | None]:
        body = submission.report.body
        if photo_id is not None:
            payload = json.loads(body)
            payload["attachments"] = [photo_id]
            body = json.dumps(payload, ensure_ascii=False).encode()
        status, data = self.request(intake.REPORT_PATH, body, "application/json")
        return status, _id(status, data)

    def send(self, submission: Submission) -> int | None:
        """One try of one submission: its photo first, then the report; the event id, or None
        to try again, or ``Refused``."""
        photo_id = None
        if submission.photo is not None:
            status, photo_id = self._upload(submission)
            if not self._answered(status, submission, "photo"):
                return None
        status, event_id = self._report(submission, photo_id)
        if not self._answered(status, submission, "report"):
            return None
        return event_id

    def _answered(self, status: int, submission: Submission, what: str) -> bool:
        """True for 2xx; False for 5xx (try again); ``Refused`` for 4xx, which the outbox
        keeps aside and never sends again."""
        if status in (200, 201):
            return True
        if status >= 500 or status in (408, 429):
            self.counts.server_errors += 1
            return False
        self.counts.refused += 1
        if len(self.errors) < 5:
            self.errors.append(f"{submission.request_id} {what}: HTTP {status}")
        raise Refused(status)

    def send_batch(self, chunk: Sequence[Submission]) -> dict[str, int | None] | None:
        """One try of consecutive submissions, as the outbox sends event reports: each one's
        photo first, then one ``POST /events/batch``.  Request id → event id (None: the
        report was refused), or None to try again."""
        if len(chunk) == 1:
            event_id = self.send(chunk[0])
            return None if event_id is None else {chunk[0].request_id: event_id}
        bodies = []
        for submission in chunk:
            body = submission.report.body
            if submission.photo is not None:
                status, photo_id = self._upload(submission)
                if not self._answered(status, submission, "photo"):
                    return None
                payload = json.loads(body)
                payload["attachments"] = [photo_id]
                body = json.dumps(payload, ensure_ascii=False).encode()
            bodies.append(body)
        status, data = self.request(
            intake.BATCH_PATH, b'{"reports": [' + b", ".join(bodies) + b"]}", "application/json"
        )
        if not self._answered(status, chunk[0], "batch"):
            return None
        answered: dict[str, int | None] = {}
        for item in json.loads(data)["results"]:
            valid = item["status"] != "invalid" and item["id"] is not None
            answered[item["request_id"]] = int(item["id"]) if valid else None
        return answered

    def run(self) -> None:
        """The queue in order, ``batch`` submissions at a time: each batch until it is
        answered, then the next."""
        for start in range(0, len(self.queue), self.batch):
            chunk = self.queue[start : start + self.batch]
            started = time.perf_counter()
            answered = None
            for tries in range(1, MAX_TRIES + 1):
                try:
                    answered = self.send_batch(chunk)
                except Cut:
                    answered = None
                except Refused:
                    break
                if answered is not None:
                    break
                # A phone waits a little before it tries again (the outbox: 5 s, growing).
                time.sleep(min(0.01 * 2 ** (tries - 1), 0.25))
            seconds = time.perf_counter() - started
            for submission in chunk:
                event_id = (answered or {}).get(submission.request_id)
                if event_id is None:
                    self.lost.append(submission.request_id)
                    if answered is not None:
                        self.counts.refused += 1
                    continue
                self.seconds.append(seconds)
                self.acknowledged[submission.request_id] = event_id
                self.answers.append((submission.request_id, event_id))
            if answered is not None and self.rng.random() < self.faults.repeat:
                self.counts.repeated += 1
                try:
                    again = self.send_batch(chunk)
                except Cut:
                    again = None
                except Refused:
                    # An answered submission refused: counts as a mismatch.
                    again = {submission.request_id: -1 for submission in chunk}
                for request_id, event_id in (again or {}).items():
                    self.answers.append((request_id, -1 if event_id is None else event_id))
        self.close()


def _id(status: int, data: bytes) -> int | None:
    if status not in (200, 201):
        return None
    try:
        return int(json.loads(data)["id"])
    except (ValueError, KeyError, TypeError):
        return None


def sync_all(devices: Sequence[Device]) -> float:
    """Every phone comes online at once and empties its queue; the seconds until the last one."""
    barrier = threading.Barrier(len(devices) + 1)
    failures: list[BaseException] = []

    def work(device: Device) -> None:
        barrier.wait()
        try:
            device.run()
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(d,), daemon=True) for d in devices]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:  # pragma: no cover
        raise failures[0]
    return seconds


# --- the run ------------------------------------------------------------------------------


def _say(out: Callable[[str], None] | None, message: str) -> None:
    if out is not None:
        out(message)


def run_sync_bench(
    *,
    database_url: str = DEFAULT_DATABASE_URL,
    devices: int = 10,
    per_device: int = 100,
    photo_share: float = 0.05,
    faults: Faults | None = None,
    batch: int = 50,
    workers: int = 3,
    threads: int = 4,
    seed: int = 1,
    keep: bool = False,
    port: int = 0,
    log_path: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> SyncBenchResult:
    """Set up the bench database and server, sync every phone's queue, check, clean up."""
    faults = faults or Faults()
    if min(devices, per_device, batch, workers, threads) < 1:
        raise ValueError("devices, per_device, batch, workers and threads must be positive")
    shares = (photo_share, faults.cut_before_answer, faults.cut_while_sending, faults.repeat)
    if not all(0 <= share < 1 for share in shares):
        raise ValueError("the photo share and the fault rates must lie in [0, 1)")
    if faults.cut_before_answer + faults.cut_while_sending >= 0.9:
        raise ValueError("with that many cut connections nothing would get through")
    rng = random.Random(seed)
    run = f"s{uuid.uuid4().hex[:8]}"
    log_path = log_path or Path(settings.VAR_DIR) / "bench" / "sync-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        _say(say, "创建并准备基准数据库：迁移、演示数据、事件分类…")
        intake.create_database(database_url)
        try:
            intake.prepare_database(database_url, log=log)
            with intake.bench_connection(database_url) as alias:
                return _run(
                    alias,
                    database_url=database_url,
                    run=run,
                    rng=rng,
                    devices=devices,
                    per_device=per_device,
                    photo_share=photo_share,
                    faults=faults,
                    batch=batch,
                    workers=workers,
                    threads=threads,
                    port=port,
                    log=log,
                    say=say,
                    started=started,
                )
        finally:
            if keep:
                _say(say, "保留基准数据库")
            else:
                intake.drop_database(database_url)


def _run(
    alias: str,
    *,
    database_url: str,
    run: str,
    rng: random.Random,
    devices: int,
    per_device: int,
    photo_share: float,
    faults: Faults,
    batch: int,
    workers: int,
    threads: int,
    port: int,
    log: IO[str],
    say: Callable[[str], None] | None,
    started: float,
) -> SyncBenchResult:
    from django.db import connections

    from wangge.events.models import Attachment, Event

    reporters = intake.issue_tokens(alias, limit=devices, rng=rng)
    if len(reporters) < devices:
        raise RuntimeError(f"基准数据库中只有 {len(reporters)} 名网格员，少于 {devices} 台手机")
    samplers = intake.grid_samplers(alias, sorted({r.grid_code for r in reporters}), rng)
    factory = intake.ReportFactory(run, reporters, samplers, intake.admitted_categories(alias), rng)
    warm = factory.make("w", len(reporters))
    reports = factory.make("q", devices * per_device)
    queued = queues(reports, photo_share=photo_share, rng=rng)
    events_before = Event.objects.using(alias).count()
    with intake.running_server(
        database_url, workers=workers, threads=threads, log=log, port=port
    ) as srv:
        setup_seconds = time.perf_counter() - started
        _say(
            say,
            f"服务已启动：gunicorn {srv.workers} 进程 × {srv.threads} 线程，"
            f"http://{srv.host}:{srv.port}（准备用时 {setup_seconds:.1f} 秒）",
        )
        # Every server process loads its spatial index before the phones come online.
        warmers = [
            Device(srv.host, srv.port, r.reporter, [Submission(r)], Faults(0, 0, 0), rng)
            for r in warm
        ]
        sync_all(warmers)
        events_before += sum(len(d.acknowledged) for d in warmers)
        phones = [
            Device(
                srv.host,
                srv.port,
                reporter,
                queued.get(reporter.username, []),
                faults,
                random.Random(rng.random()),
                batch=batch,
            )
            for reporter in reporters
        ]
        total = sum(len(p.queue) for p in phones)
        photos = sum(1 for p in phones for s in p.queue if s.photo is not None)
        _say(
            say,
            f"同步：{len(phones)} 台手机、{total:,} 条离线记录（{photos} 条带照片），"
            "网络不稳：断开、重发…",
        )
        database = str(connections[alias].settings_dict["NAME"])
        database = database if connections[alias].vendor == "postgresql" else ""
        load_before = os.getloadavg()[0]
        cpu_before = intake.cpu_snapshot(srv.process.pid, database)
        client_before = intake.own_cpu()
        seconds = sync_all(phones)
        client_cpu = intake.own_cpu() - client_before
        cpu_after = intake.cpu_snapshot(srv.process.pid, database)
        load_after = os.getloadavg()[0]
        server = srv.describe()
        per = 1000 / max(total, 1)
        cpu = intake.CpuUse(
            server_ms=intake.cpu_used(cpu_before["server"], cpu_after["server"]) * per,
            database_ms=intake.cpu_used(cpu_before["database"], cpu_after["database"]) * per,
            client_ms=client_cpu * per,
        )

    _say(say, "核对入库结果…")
    counts = Counts()
    integrity = SyncIntegrity(submissions=total, photos=photos)
    acknowledged: dict[str, int] = {}
    for phone in phones:
        counts.add(phone.counts)
        acknowledged.update(phone.acknowledged)
        integrity.lost += phone.lost
        integrity.examples += phone.errors
        for request_id, event_id in phone.answers:
            if event_id != phone.acknowledged.get(request_id):
                integrity.mismatches += 1
    integrity.examples = integrity.examples[:5]
    integrity.acknowledged = len(acknowledged)
    stored = list(
        Event.objects.using(alias)
        .filter(client_request_id__startswith=f"{run}-q-")
        .values_list("client_request_id", "pk")
    )
    integrity.stored = len(stored)
    stored_ids = {request_id for request_id, _pk in stored}
    integrity.stored_distinct = len(stored_ids)
    integrity.added = Event.objects.using(alias).count() - events_before
    integrity.missing = sorted(set(acknowledged) - stored_ids)[:20]
    integrity.unexpected = sorted(stored_ids - set(acknowledged))[:20]
    stored_pk = dict(stored)
    integrity.mismatches += sum(1 for rid, pk in acknowledged.items() if stored_pk.get(rid) != pk)
    photo_rows = list(
        Attachment.objects.using(alias)
        .filter(client_request_id__startswith=f"{run}-q-")
        .values_list("client_request_id", "event__client_request_id")
    )
    integrity.photos_stored = len(photo_rows)
    integrity.photos_claimed = sum(
        1 for photo_rid, event_rid in photo_rows if photo_rid == f"{event_rid}-photo-0"
    )

    _say(say, f"原始 SQL 插入：同样的 {len(stored):,} 行 executemany…")
    templates = list(Event.objects.using(alias).filter(client_request_id__startswith=f"{run}-q-"))
    raw = intake.raw_insert(alias, templates) if templates else intake.RawInsert(0, 0.0, 0.0)
    latencies = [s for phone in phones for s in phone.seconds]
    return SyncBenchResult(
        vendor=connections[alias].vendor,
        database=str(connections[alias].settings_dict["NAME"]),
        server=server,
        devices=len(phones),
        per_device=per_device,
        batch=batch,
        faults=faults,
        counts=counts,
        seconds=seconds,
        submissions_per_s=integrity.acknowledged / seconds if seconds else 0.0,
        latency=intake.Latency.of(latencies),
        raw=raw,
        integrity=integrity,
        setup_seconds=setup_seconds,
        cpu=cpu,
        load_before=load_before,
        load_after=load_after,
    )


def summary_lines(r: SyncBenchResult) -> list[str]:
    """The figures, as the command prints them."""
    c, i, f = r.counts, r.integrity, r.faults
    s = r.server
    lines = [
        f"数据库：{r.vendor} {r.database}；服务：{s['software']} {s['workers']} 进程 × "
        f"{s['threads']} 线程（{s['cpus']} 核）；{r.devices} 台手机，每台 {r.per_device} 条，"
        f"每个请求至多 {r.batch} 条；"
        f"负载 {r.load_before:.1f} → {r.load_after:.1f}",
        f"网络故障（注入）：应答前断开 {f.cut_before_answer:.0%}、发送中断开 "
        f"{f.cut_while_sending:.0%}、已应答后重发 {f.repeat:.0%}",
        f"同步：{i.acknowledged:,} 条 / {r.seconds:.2f} 秒 = {r.submissions_per_s:,.1f} 条/秒"
        f"（{i.photos} 条带照片；每条从首次尝试到确认 p50 {r.latency.p50_ms:.0f} ms，"
        f"p99 {r.latency.p99_ms:.0f} ms）",
        f"每条记录的 CPU：服务 {r.cpu.server_ms:.1f} ms + 数据库 {r.cpu.database_ms:.1f} ms + "
        f"手机 {r.cpu.client_ms:.1f} ms = {r.cpu.total_ms:.1f} ms；独占 {s['cpus']} 核时约需 "
        f"{_alone(r):.1f} 秒",
        f"请求 {c.requests:,} 个：应答前断开 {c.cut_before_answer}、发送中断开 "
        f"{c.cut_while_sending}、重发 {c.repeated}、服务端错误 {c.server_errors}、"
        f"连接错误 {c.transport_errors}、被拒 {c.refused}",
        f"原始 SQL（executemany，同一张表、同样的行）：{r.raw.rows:,} 行 / {r.raw.seconds:.3f} 秒 = "
        f"{r.raw.rows_per_s:,.0f} 行/秒",
        f"比值：离线同步速率 / 原始 executemany = {r.ratio:.1%}",
        f"核对：{i.submissions:,} 条中确认 {i.acknowledged:,}，入库 {i.stored:,}（去重 "
        f"{i.stored_distinct:,}，新增行 {i.added:,}），重复 {i.duplicates}，丢失 "
        f"{len(i.lost) + len(i.missing)}，多余 {len(i.unexpected)}；照片 {i.photos_stored}/"
        f"{i.photos} 张，挂到各自事件 {i.photos_claimed}；应答不一致 {i.mismatches}",
    ]
    for example in i.examples:
        lines.append(f"  错误示例：{example}")
    lines.append(
        f"目标：{i.submissions:,} 条在 {r.target_seconds:g} 秒内同步完 {_mark(r.fast_enough)}；"
        f"零丢失零重复 {_mark(i.ok)}"
    )
    return lines


def _alone(r: SyncBenchResult) -> float:
    """Seconds the sync would take with every core to itself, from the CPU it used."""
    capacity = r.cpu.capacity_per_s(int(r.server.get("cpus") or 1))
    return r.integrity.submissions / capacity if capacity else 0.0


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
