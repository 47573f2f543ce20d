"""A report as an .xlsx workbook (openpyxl): one sheet per table, native charts.

概览 holds the title, period and headline figures; 分类 (with a bar chart of the
categories), 来源, 下级排名, 部门 and 每日趋势 (with a line chart) hold the tables, a
header in row 1 and a 合计 row where the table has one.  Rates are fractions with a
percentage format, so sums and checks work on the numbers.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wangge.reports.content import COUNT, HOURS, RATE, SCORE, Content, Table

SHEET_OVERVIEW = "概览"
SHEET_CATEGORIES = "分类"
SHEET_SOURCES = "来源"
SHEET_CHILDREN = "下级排名"
SHEET_DEPARTMENTS = "部门"
SHEET_TREND = "每日趋势"

NUMBER_FORMATS = {COUNT: "#,##0", RATE: "0.0%", HOURS: "0.00", SCORE: "0.0"}
HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1456A8")
TOTAL_FONT = Font(bold=True)


def _put(ws: Worksheet, row: int, column: int, value: Any, kind: str) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    if kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[kind]


def _table(ws: Worksheet, table: Table) -> None:
    for column, label in enumerate(table.head, start=1):
        cell = ws.cell(row=1, column=column, value=label)
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(column)].width = 18 if column == 1 else 12
    rows = [*table.rows, *([table.total] if table.total else [])]
    for r, values in enumerate(rows, start=2):
        for column, (value, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
            _put(ws, r, column, value, kind)
    if table.total:
        for column in range(1, len(table.head) + 1):
            ws.cell(row=len(rows) + 1, column=column).font = TOTAL_FONT
    ws.freeze_panes = "B2"


def _overview(ws: Worksheet, content: Content) -> None:
    ws.title = SHEET_OVERVIEW
    ws["A1"] = content.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["B2"] = "统计周期", content.period_text
    ws["A3"], ws["B3"] = "节点", f"{content.node.name}（{content.node.code}）"
    ws["A4"], ws["B4"] = "生成时间", f"{timezone.localtime():%Y-%m-%d %H:%M}"
    ws["A5"] = "口径：统计周期内上报的事件及其当前状态，与统计看板一致。"
    ws["A7"], ws["B7"] = "指标", "数值"
    for cell in (ws["A7"], ws["B7"]):
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
    for r, (label, value, kind) in enumerate(content.headline, start=8):
        ws.cell(row=r, column=1, value=label)
        _put(ws, r, 2, value, kind)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28


def _bar_chart(ws: Worksheet, table: Table) -> None:
    count = len(table.rows)
    if not count:
        return
    chart = BarChart()
    chart.type = "col"
    chart.title = "各类事件上报数"
    chart.y_axis.title = "上报数"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=count + 1))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, f"{get_column_letter(len(table.head) + 2)}2")


def _line_chart(ws: Worksheet, table: Table) -> None:
    count = len(table.rows)
    if not count:
        return
    chart = LineChart()
    chart.title = "每日事件趋势"
    chart.y_axis.title = "事件数"
    # 上报数, 立案数, 办结数, 结案数, 超期数 (columns B–F)
    chart.add_data(
        Reference(ws, min_col=2, max_col=6, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=count + 1))
    chart.width, chart.height = 20, 9
    ws.add_chart(chart, f"{get_column_letter(len(table.head) + 2)}2")


def render(content: Content) -> bytes:
    wb = Workbook()
    _overview(wb.active, content)
    sheets: list[tuple[str, Table | None]] = [
        (SHEET_CATEGORIES, content.categories),
        (SHEET_SOURCES, content.sources),
        (SHEET_CHILDREN, content.children),
        (SHEET_DEPARTMENTS, content.departments),
        (SHEET_TREND, content.trend),
    ]
    for name, table in sheets:
        if table is None:
            continue
        ws = wb.create_sheet(name)
        _table(ws, table)
        if name == SHEET_CATEGORIES:
            _bar_chart(ws, table)
        elif name == SHEET_TREND:
            _line_chart(ws, table)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
