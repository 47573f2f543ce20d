"""``wangge bench <name>``: performance benchmarks, one subcommand each.

A benchmark is a :class:`Bench` entry in ``BENCHES``: its options and a run
function that prints its figures and says whether the targets were met.  A
missed target makes the command exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.bench import intake, ledger_import, locate, search, sync


@dataclass(frozen=True)
class Bench:
    help: str
    add_arguments: Callable[[CommandParser], None]
    #: Runs the benchmark, printing through the command; True if every target was met.
    run: Callable[[BaseCommand, dict[str, Any]], bool]


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _write_json(path: Path | None, data: dict[str, Any]) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- locate --------------------------------------------------------------------


def _locate_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--points", type=int, default=1_000_000, help="随机点数量（默认 1,000,000）"
    )
    parser.add_argument(
        "--naive-sample", type=int, default=200, help="朴素循环的样本点数（默认 200）"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="索引查询重复次数，取最快一次（默认 3）"
    )
    parser.add_argument("--seed", type=int, default=1, help="层级与随机点的种子（默认 1）")
    parser.add_argument(
        "--scale", default="city", help="生成层级的规模（默认 city：12,000 个网格）"
    )
    parser.add_argument(
        "--from-db", action="store_true", help="从数据库读取网格与最小单元，而不是在内存中生成"
    )
    parser.add_argument(
        "--postgis-url",
        default=locate.DEFAULT_POSTGIS_URL,
        help="用于对比的 PostGIS 数据库（只建临时表）；留空则跳过",
    )
    parser.add_argument(
        "--postgis-points", type=int, default=20_000, help="PostGIS 查询的样本点数（默认 20,000）"
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )


def _run_locate(command: BaseCommand, options: dict[str, Any]) -> bool:
    out = command.stdout
    if min(options["points"], options["naive_sample"], options["repeat"]) < 1:
        raise CommandError("--points、--naive-sample 与 --repeat 必须是正整数")
    start = time.perf_counter()
    if options["from_db"]:
        from wangge.regions.spatial import SpatialIndex

        index = SpatialIndex.from_database()
        source = "database"
        if len(index) == 0:
            raise CommandError("数据库中没有网格；请先导入或生成层级，或去掉 --from-db")
    else:
        out.write(f"生成层级（scale={options['scale']}，seed={options['seed']}）…")
        specs = locate.load_hierarchy(options["scale"], options["seed"])
        generated = time.perf_counter() - start
        out.write(f"  {len(specs):,} 个节点，用时 {generated:.1f} 秒")
        start = time.perf_counter()
        index = locate.index_from_specs(specs)
        source = f"generated:{options['scale']}"
    build_seconds = time.perf_counter() - start

    r = locate.run_locate_bench(
        index,
        points=options["points"],
        naive_sample=options["naive_sample"],
        seed=options["seed"],
        repeat=options["repeat"],
        source=source,
        build_seconds=build_seconds,
        postgis_url=options["postgis_url"] or None,
        postgis_points=options["postgis_points"],
    )
    out.write(
        f"空间索引：{r.grids:,} 个网格、{r.units:,} 个最小单元（来源 {r.source}），"
        f"建索引 {r.build_seconds:.2f} 秒"
    )
    out.write(
        f"范围：经度 {r.bbox[0]:.4f}–{r.bbox[2]:.4f}，纬度 {r.bbox[1]:.4f}–{r.bbox[3]:.4f}；"
        f"{r.inside / r.points:.1%} 的随机点落在网格内"
    )
    out.write(
        f"STRtree（locate_many，向量化）：{r.points:,} 点 / {r.indexed_seconds:.3f} 秒 = "
        f"{r.indexed_per_s:,.0f} 点/秒（{len(r.indexed_runs)} 次中最快）"
    )
    out.write(
        f"朴素循环（逐个网格 contains）：{r.naive_points:,} 点 / {r.naive_seconds:.3f} 秒 = "
        f"{r.naive_per_s:,.1f} 点/秒"
    )
    out.write(f"加速比：{r.ratio:,.0f}×")
    out.write(
        f"正确性：{r.naive_points - r.mismatches:,}/{r.naive_points:,} 个样本点与朴素循环一致"
    )
    for example in r.mismatch_examples:
        out.write(f"  不一致：{example}")
    pg = r.postgis
    if pg is not None:
        if pg.available:
            out.write(
                f"PostGIS {pg.version}（GiST + ST_Contains）：{pg.points:,} 点 / {pg.seconds:.3f} 秒 = "
                f"{pg.points_per_s:,.0f} 点/秒；STRtree 是其 {pg.strtree_ratio:,.1f} 倍；"
                f"{pg.points - pg.mismatches:,}/{pg.points:,} 点与索引一致（装载与建索引 {pg.load_seconds:.2f} 秒）"
            )
        else:
            out.write(f"PostGIS: not available ({pg.reason})")
    out.write(
        f"目标：STRtree ≥ {r.target_per_s:,.0f} 点/秒 {_mark(r.fast_enough)}；"
        f"加速比 ≥ {r.target_ratio:,.0f}× {_mark(r.ratio_ok)}；结果一致 {_mark(r.correct)}"
    )
    _write_json(options["json"], {"bench": "locate", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- intake ----------------------------------------------------------------------


def _intake_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--database-url",
        default=intake.DEFAULT_DATABASE_URL,
        help="基准测试自建并在结束后删除的数据库（默认 %(default)s；也可用 sqlite:///文件）",
    )
    parser.add_argument("--count", type=int, default=3000, help="闭环上报条数（默认 3000）")
    parser.add_argument("--clients", type=int, default=16, help="并发客户端数（默认 16）")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="开环定速：每秒上报条数（默认 100）"
    )
    parser.add_argument(
        "--paced-count",
        type=int,
        default=2000,
        help="开环上报条数（默认 2000，即 100 条/秒下 20 秒）",
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn 进程数（默认 3，适合 2 核）"
    )
    parser.add_argument("--threads", type=int, default=4, help="每个进程的线程数（默认 4）")
    parser.add_argument("--warmup", type=int, default=100, help="预热上报条数（默认 100）")
    parser.add_argument(
        "--retry-sample", type=int, default=100, help="重发的请求编号样本数（默认 100）"
    )
    parser.add_argument(
        "--race", type=int, default=20, help="同时提交两次的新请求编号数（默认 20）"
    )
    parser.add_argument(
        "--reporters", type=int, default=200, help="参与上报的网格员人数（默认 200）"
    )
    parser.add_argument(
        "--per-row-commit",
        type=int,
        default=1000,
        help="对照：逐行提交的原始 SQL 插入行数（默认 1000；0 跳过）",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50,
        help="批量同步阶段每批条数（POST /events/batch，默认 50；0 跳过）",
    )
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument("--port", type=int, default=0, help="服务端口（默认自动选一个空闲端口）")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准数据库")
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )


def _run_intake(command: BaseCommand, options: dict[str, Any]) -> bool:
    out = command.stdout
    try:
        r = intake.run_intake_bench(
            database_url=options["database_url"],
            count=options["count"],
            clients=options["clients"],
            rate=options["rate"],
            paced_count=options["paced_count"],
            workers=options["workers"],
            threads=options["threads"],
            warmup=options["warmup"],
            retry_sample=options["retry_sample"],
            race=options["race"],
            reporters=options["reporters"],
            per_row_commit=options["per_row_commit"],
            batch=options["batch"],
            seed=options["seed"],
            keep=options["keep"],
            port=options["port"],
            say=out.write,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    for line in intake.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "intake", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- import ------------------------------------------------------------------------


def _import_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="生成的人员行数（默认 1,000,000）"
    )
    parser.add_argument(
        "--database-url",
        default=ledger_import.DEFAULT_DATABASE_URL,
        help="基准测试自建并在结束后删除的数据库（默认 %(default)s）",
    )
    parser.add_argument("--keep", action="store_true", help="结束后保留基准数据库")
    parser.add_argument(
        "--here",
        action="store_true",
        help="不新建数据库：在当前数据库中加一个基准区并测试（会写入数据）",
    )
    parser.add_argument(
        "--parallel",
        choices=["auto", "yes", "no"],
        default="auto",
        help="是否在子进程中解析工作簿（默认 auto：按导入的设置 LEDGERS_PARALLEL_MIN_BYTES，默认不并行）",
    )
    parser.add_argument(
        "--file", type=Path, default=None, help="使用（或生成并保留）这个 .xlsx 文件"
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )


def _run_import(command: BaseCommand, options: dict[str, Any]) -> bool:
    out = command.stdout
    if options["rows"] < 1:
        raise CommandError("--rows 必须是正整数")
    if not options["here"]:
        args = ["--rows", str(options["rows"]), "--parallel", options["parallel"]]
        if options["file"] is not None:
            args += ["--file", str(options["file"].resolve())]
        if options["json"] is not None:
            args += ["--json", str(options["json"].resolve())]
        try:
            code = ledger_import.run_in_fresh_database(
                database_url=options["database_url"],
                args=args,
                keep=options["keep"],
                say=out.write,
            )
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        return code == 0
    parallel = {"auto": None, "yes": True, "no": False}[options["parallel"]]
    try:
        r = ledger_import.run_here(
            rows=options["rows"], parallel=parallel, keep_file=options["file"], say=out.write
        )
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    for line in ledger_import.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "import", **r.to_dict()})
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- search ----------------------------------------------------------------------


def _search_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--database-url",
        default=search.DEFAULT_DATABASE_URL,
        help="基准测试自建的 PostgreSQL 数据库（默认 %(default)s），结束后删除，除非 --keep/--reuse",
    )
    parser.add_argument(
        "--people",
        type=int,
        default=search.DEFAULT_PEOPLE,
        help="生成的居民人数（默认 5,000,000，连同房屋、房间、户与入住登记）",
    )
    parser.add_argument(
        "--scale", default="city", help="层级规模（默认 city：5 个区、12,000 个网格）"
    )
    parser.add_argument(
        "--queries", type=int, default=500, help="每个层级、每种查询的随机查询次数（默认 500）"
    )
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=10,
        help="对照（不使用索引）每个层级、每种查询的次数（默认 10；0 跳过）",
    )
    parser.add_argument("--warmup", type=int, default=100, help="预热查询次数（默认 100）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准数据库")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="保留基准数据库，并在其人数与 --people 相同时直接沿用（省去生成）",
    )
    parser.add_argument(
        "--explain", action="store_true", help="输出每个层级、每种查询的一个 EXPLAIN ANALYZE"
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )
    # The measuring child process: runs on the configured (the bench's) database.
    parser.add_argument("--in-place", action="store_true", help=argparse.SUPPRESS)


def _run_search(command: BaseCommand, options: dict[str, Any]) -> bool:
    out = command.stdout
    if options["in_place"]:
        try:
            steps = search.prepare_people(options["people"], seed=options["seed"], say=out.write)
            r = search.measure(
                queries=options["queries"],
                baseline_queries=options["baseline_queries"],
                seed=options["seed"],
                warmup=options["warmup"],
                plans=options["explain"],
                say=out.write,
            )
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        r.setup = steps
        _write_json(options["json"], {"bench": "search", **r.to_dict()})
        if options["json"] is None:
            for line in search.summary_lines(r):
                out.write(line)
        return r.passed
    try:
        r = search.run_search_bench(
            database_url=options["database_url"],
            people=options["people"],
            scale=options["scale"],
            queries=options["queries"],
            baseline_queries=options["baseline_queries"],
            warmup=options["warmup"],
            seed=options["seed"],
            keep=options["keep"],
            reuse=options["reuse"],
            plans=options["explain"],
            say=out.write,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    for line in search.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "search", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- sync ------------------------------------------------------------------------


def _sync_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--database-url",
        default=sync.DEFAULT_DATABASE_URL,
        help="基准测试自建并在结束后删除的数据库（默认 %(default)s；也可用 sqlite:///文件）",
    )
    parser.add_argument("--devices", type=int, default=10, help="手机数（默认 10）")
    parser.add_argument(
        "--per-device", type=int, default=100, help="每台手机的离线记录条数（默认 100）"
    )
    parser.add_argument(
        "--photo-share", type=float, default=0.05, help="带照片的记录比例（默认 0.05）"
    )
    parser.add_argument(
        "--cut-before-answer",
        type=float,
        default=0.03,
        help="请求发出后、应答前断开连接的比例（默认 0.03）",
    )
    parser.add_argument(
        "--cut-while-sending", type=float, default=0.03, help="发送中途断开的比例（默认 0.03）"
    )
    parser.add_argument(
        "--repeat", type=float, default=0.03, help="已确认的记录再发一次的比例（默认 0.03）"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50,
        help="每个请求至多几条事件上报（默认 50，与手机的待提交队列相同；1 为逐条提交）",
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn 进程数（默认 3，适合 2 核）"
    )
    parser.add_argument("--threads", type=int, default=4, help="每个进程的线程数（默认 4）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument("--port", type=int, default=0, help="服务端口（默认自动选一个空闲端口）")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准数据库")
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )


def _run_sync(command: BaseCommand, options: dict[str, Any]) -> bool:
    out = command.stdout
    try:
        r = sync.run_sync_bench(
            database_url=options["database_url"],
            devices=options["devices"],
            per_device=options["per_device"],
            photo_share=options["photo_share"],
            faults=sync.Faults(
                cut_before_answer=options["cut_before_answer"],
                cut_while_sending=options["cut_while_sending"],
                repeat=options["repeat"],
            ),
            batch=options["batch"],
            workers=options["workers"],
            threads=options["threads"],
            seed=options["seed"],
            keep=options["keep"],
            port=options["port"],
            say=out.write,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    for line in sync.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "sync", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- classify --------------------------------------------------------------------


def _classify_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--per-category",
        type=int,
        default=None,
        help="每个子类型只用前 N 条示例（默认全部；至少 5）",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )


def _run_classify(command: BaseCommand, options: dict[str, Any]) -> bool:
    from wangge.bench import classify

    out = command.stdout
    try:
        r = classify.run_classify_bench(per_category=options["per_category"], say=out.write)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    for line in classify.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "classify", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


# --- dashboard ---------------------------------------------------------------------


def _dashboard_arguments(parser: CommandParser) -> None:
    from wangge.bench import dashboard

    parser.add_argument(
        "--database-url",
        default=dashboard.DEFAULT_DATABASE_URL,
        help="基准测试自建的 PostgreSQL 数据库（默认 %(default)s），结束后删除，除非 --keep/--reuse",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=dashboard.DEFAULT_EVENTS,
        help="生成的事件数（默认 10,000,000，分布在最近一年）",
    )
    parser.add_argument(
        "--scale", default="city", help="层级规模（默认 city：5 个区、12,000 个网格）"
    )
    parser.add_argument(
        "--queries", type=int, default=50, help="每个层级、每个周期的随机节点数（默认 50）"
    )
    parser.add_argument(
        "--raw-queries",
        type=int,
        default=5,
        help="其中同时以事件表上的普通 GROUP BY 计算并核对的节点数（默认 5；0 跳过）",
    )
    parser.add_argument("--warmup", type=int, default=10, help="每格预热次数（默认 10）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准数据库")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="保留基准数据库，并在其事件数与 --events 相同时直接沿用（省去生成）",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="把结果写入 JSON 文件"
    )
    # The measuring child process: runs on the configured (the bench's) database.
    parser.add_argument("--in-place", action="store_true", help=argparse.SUPPRESS)


def _run_dashboard(command: BaseCommand, options: dict[str, Any]) -> bool:
    from wangge.bench import dashboard

    out = command.stdout
    if options["in_place"]:
        try:
            steps = dashboard.prepare_events(options["events"], seed=options["seed"], say=out.write)
            r = dashboard.measure(
                queries=options["queries"],
                raw_queries=options["raw_queries"],
                seed=options["seed"],
                warmup=options["warmup"],
                say=out.write,
            )
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        r.setup = steps
        _write_json(options["json"], {"bench": "dashboard", **r.to_dict()})
        if options["json"] is None:
            for line in dashboard.summary_lines(r):
                out.write(line)
        return r.passed
    try:
        r = dashboard.run_dashboard_bench(
            database_url=options["database_url"],
            events=options["events"],
            scale=options["scale"],
            queries=options["queries"],
            raw_queries=options["raw_queries"],
            warmup=options["warmup"],
            seed=options["seed"],
            keep=options["keep"],
            reuse=options["reuse"],
            say=out.write,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    for line in dashboard.summary_lines(r):
        out.write(line)
    _write_json(options["json"], {"bench": "dashboard", **r.to_dict()})
    if options["json"] is not None:
        out.write(f"结果已写入 {options['json']}")
    style = command.style.SUCCESS if r.passed else command.style.ERROR
    out.write(style(_mark(r.passed)))
    return r.passed


BENCHES: dict[str, Bench] = {
    "locate": Bench(
        help="定位：STRtree 空间索引对比朴素循环与 PostGIS（城市规模，12,000 个网格）",
        add_arguments=_locate_arguments,
        run=_run_locate,
    ),
    "intake": Bench(
        help="上报：经 HTTP 向自启的 gunicorn 提交事件（闭环吞吐、100 条/秒时的延迟），"
        "对比原始 SQL 插入，并核对无丢失无重复",
        add_arguments=_intake_arguments,
        run=_run_intake,
    ),
    "import": Bench(
        help="台账导入：本系统逐行校验的人员 .xlsx 导入，对比 pandas read_excel + to_sql",
        add_arguments=_import_arguments,
        run=_run_import,
    ),
    "search": Bench(
        help="人员搜索：城市规模 5,000,000 人，网格员、社区、街道、区四级账号按身份证号、"
        "姓名前缀、拼音首字母查询的延迟（经真实选择器），对比不使用索引",
        add_arguments=_search_arguments,
        run=_run_search,
    ),
    "sync": Bench(
        help="离线同步：10 台手机各 100 条离线记录在不稳定的网络下（断开、重发）经 HTTP 同步，"
        "核对零丢失零重复，对比同表原始 SQL 插入速率",
        add_arguments=_sync_arguments,
        run=_run_sync,
    ),
    "classify": Bench(
        help="类型推荐：朴素贝叶斯模型对比关键词基线，在留出的示例上比较 top-1/top-3 准确率",
        add_arguments=_classify_arguments,
        run=_run_classify,
    ),
    "dashboard": Bench(
        help="统计看板：城市规模 10,000,000 件事件，区、街道、网格近 30 天与近一年的整页看板"
        "读增量汇总的延迟，对比事件表上的普通 GROUP BY，并核对结果一致",
        add_arguments=_dashboard_arguments,
        run=_run_dashboard,
    ),
}


class Command(BaseCommand):
    help = (
        "性能基准测试：wangge bench locate | intake | import | search；未达到目标时以非零状态退出"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True, metavar="BENCH", title="基准")
        for name, bench in BENCHES.items():
            bench.add_arguments(sub.add_parser(name, help=bench.help, description=bench.help))

    def handle(self, *args: Any, **options: Any) -> None:
        bench = BENCHES[options["bench"]]
        if not bench.run(self, options):
            raise CommandError("未达到性能目标（见上）")
