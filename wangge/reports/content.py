"""What a report holds: the dashboards' figures of a node and period, as labelled tables.

Every number comes from the dashboards' own reads (``dashboard_data`` and the row
builders of ``wangge.dashboards.selectors``), so a report agrees with the dashboard of
the same node and period.  Labels are Chinese: the files are documents for the
command centre and the leadership.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from wangge.dashboards import selectors
from wangge.dashboards.periods import Period
from wangge.dashboards.queries import Data, child_length, dashboard_data
from wangge.dashboards.selectors import Node, Row
from wangge.regions.models import Region
from wangge.reports.choices import KIND_ZH, PeriodKind

#: Breakdowns a report reads.
DIMS = ("category", "source", "department")

#: Kinds of cells: a count, a rate (a fraction, shown as a percentage), hours, a score, text.
COUNT, RATE, HOURS, SCORE, TEXT = "count", "rate", "hours", "score", "text"

#: (figure key, Chinese label, kind) of the headline figures, in order.  Keys with a dot
#: are read from ``three_rates``.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("reported", "上报数", COUNT),
    ("registered", "立案数", COUNT),
    ("handled", "办结数", COUNT),
    ("handled_on_time", "按期办结数", COUNT),
    ("closed", "结案数", COUNT),
    ("overdue", "超期数", COUNT),
    ("reworked", "返工数", COUNT),
    ("self_handled", "网格自办数", COUNT),
    ("dispatched", "派遣数", COUNT),
    ("responded", "按时响应数", COUNT),
    ("handling_rate", "办结率", RATE),
    ("on_time_rate", "按期办结率", RATE),
    ("closure_rate", "结案率", RATE),
    ("rework_rate", "返工率", RATE),
    ("self_handled_rate", "网格自办率", RATE),
    ("dept_response_rate", "部门响应率", RATE),
    ("satisfaction_rate", "满意率", RATE),
    ("return_visits", "回访数", COUNT),
    ("three_rates.response_rate", "回访响应率（三率）", RATE),
    ("three_rates.solve_rate", "回访解决率（三率）", RATE),
    ("three_rates.satisfaction_rate", "回访满意率（三率）", RATE),
    ("three_rates.score", "三率综合得分", SCORE),
    ("avg_accept_hours", "平均受理时长（小时）", HOURS),
    ("avg_handle_hours", "平均处置时长（小时）", HOURS),
)

#: Columns of the category, source and children tables: (figure, label, kind).
FIGURE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("reported", "上报数", COUNT),
    ("registered", "立案数", COUNT),
    ("handled", "办结数", COUNT),
    ("closed", "结案数", COUNT),
    ("handling_rate", "办结率", RATE),
    ("on_time_rate", "按期办结率", RATE),
    ("overdue", "超期数", COUNT),
    ("rework_rate", "返工率", RATE),
)
DEPARTMENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("dispatched", "派遣数", COUNT),
    ("responded", "按时响应数", COUNT),
    ("dept_response_rate", "部门响应率", RATE),
    ("handled", "办结数", COUNT),
    ("on_time_rate", "按期办结率", RATE),
    ("overdue", "超期数", COUNT),
)
TREND_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("reported", "上报数", COUNT),
    ("registered", "立案数", COUNT),
    ("handled", "办结数", COUNT),
    ("closed", "结案数", COUNT),
    ("overdue", "超期数", COUNT),
    ("handling_rate", "办结率", RATE),
)
#: Chinese name of the children of a node, by the children's code length.
CHILD_LEVEL_ZH = {6: "区", 9: "街道/镇", 12: "村/社区", 15: "网格"}
NONE_ZH = "（无）"
TOTAL_ZH = "合计"


@dataclass
class Table:
    """A titled table: leading text columns, then figure columns; an optional total row."""

    title: str
    head: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None


@dataclass
class Content:
    title: str
    node: Node
    period: Period
    kind: str
    partial: bool
    headline: list[tuple[str, Any, str]]
    categories: Table
    sources: Table
    children: Table | None
    departments: Table
    trend: Table
    figures: dict[str, Any]

    @property
    def period_text(self) -> str:
        return f"{self.period.start:%Y-%m-%d} 至 {self.period.end:%Y-%m-%d}"

    @property
    def tables(self) -> list[Table]:
        found = [self.categories, self.sources]
        if self.children is not None:
            found.append(self.children)
        return [*found, self.departments, self.trend]


def node_of(code: str) -> Node | None:
    """The region ``code`` as a dashboards node (None if there is no such region)."""
    found = Region.objects.filter(code=code).values_list("name", "level").first()
    return Node(code, *found) if found else None


def figure(figures: dict[str, Any], key: str) -> Any:
    if "." in key:
        outer, inner = key.split(".", 1)
        return figures[outer][inner]
    return figures[key]


def _cells(row: Row, columns: tuple[tuple[str, str, str], ...]) -> list[Any]:
    return [row.figures[key] for key, _label, _kind in columns]


def _table(
    title: str,
    first: list[tuple[str, str]],
    columns: tuple[tuple[str, str, str], ...],
) -> Table:
    return Table(
        title=title,
        head=[label for label, _kind in first] + [label for _key, label, _kind in columns],
        kinds=[kind for _label, kind in first] + [kind for _key, _label, kind in columns],
    )


def _breakdown(data: Data, node: Node, dim: str, title: str, label: str) -> Table:
    table = _table(title, [(label, TEXT)], FIGURE_COLUMNS)
    for row in selectors.breakdown_rows(data, dim, node):
        table.rows.append([row.label if row.key else NONE_ZH, *_cells(row, FIGURE_COLUMNS)])
    table.total = [TOTAL_ZH, *_cells(Row("", TOTAL_ZH, data.totals), FIGURE_COLUMNS)]
    return table


def title_of(node: Node, kind: str, start: date, end: date, *, partial: bool) -> str:
    if kind == PeriodKind.DAY:
        when = f"{start:%Y年%m月%d日}"
    elif kind == PeriodKind.WEEK:
        when = f"{start:%Y年%m月%d日}—{end:%m月%d日}"
    else:
        when = f"{start:%Y年%m月}"
    suffix = f"（截至{end:%m月%d日}）" if partial else ""
    return f"{node.name}{when}网格事件{KIND_ZH[PeriodKind(kind)]}{suffix}"


def build(node: Node, kind: str, start: date, end: date, *, partial: bool = False) -> Content:
    """The content of the ``kind`` report of ``node`` for the days ``start``…``end``."""
    period = Period("custom", start, end)
    data = dashboard_data(node.code, period, dims=DIMS)
    figures = selectors.figures_of(data)
    headline = [(label, figure(figures, key), k) for key, label, k in HEADLINE]

    children: Table | None = None
    length = child_length(node.code)
    if length is not None:
        level = CHILD_LEVEL_ZH.get(length, "下级")
        children = _table(
            f"下级排名（{level}）", [("排名", COUNT), (level, TEXT), ("编码", TEXT)], FIGURE_COLUMNS
        )
        for rank, row in enumerate(selectors.child_rows(data, node, order="reported"), start=1):
            children.rows.append([rank, row.label, row.key, *_cells(row, FIGURE_COLUMNS)])

    departments = _table("按部门", [("部门", TEXT)], DEPARTMENT_COLUMNS)
    for row in selectors.department_rows(data, node, order="reported"):
        departments.rows.append([row.label, *_cells(row, DEPARTMENT_COLUMNS)])

    trend = _table("每日趋势", [("日期", TEXT)], TREND_COLUMNS)
    for point in selectors.trend(data, "day"):
        trend.rows.append([f"{point.bucket.start:%Y-%m-%d}", *_cells_of(point, TREND_COLUMNS)])
    trend.total = [TOTAL_ZH, *_cells(Row("", TOTAL_ZH, data.totals), TREND_COLUMNS)]

    return Content(
        title=title_of(node, kind, start, end, partial=partial),
        node=node,
        period=period,
        kind=kind,
        partial=partial,
        headline=headline,
        categories=_breakdown(data, node, "category", "按事件分类", "分类"),
        sources=_breakdown(data, node, "source", "按事件来源", "来源"),
        children=children,
        departments=departments,
        trend=trend,
        figures=figures,
    )


def _cells_of(point: selectors.Point, columns: tuple[tuple[str, str, str], ...]) -> list[Any]:
    figures = point.figures
    return [figures[key] for key, _label, _kind in columns]


def display(value: Any, kind: str) -> str:
    """A cell as text (the PDF)."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind in (HOURS, SCORE):
        return f"{value:.2f}" if kind == HOURS else f"{value:.1f}"
    if kind == COUNT and isinstance(value, int):
        return f"{value:,}"
    return str(value)
