"""A report as a PDF (reportlab): title, headline figures, tables and two charts.

Chinese text uses the Adobe CID font STSong-Light (built into every PDF reader, nothing
embedded); tables are platypus tables, the charts ``reportlab.graphics`` drawings (a bar
chart of the categories, a line chart of the daily trend).
"""

from __future__ import annotations

import io
import math
from typing import Any

from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wangge.reports import content as c

FONT = "STSong-Light"
BLUE = colors.HexColor("#1456a8")
SERIES_COLOURS = [
    colors.HexColor("#1456a8"),
    colors.HexColor("#2f9e44"),
    colors.HexColor("#f08c00"),
    colors.HexColor("#7048e8"),
    colors.HexColor("#e03131"),
]
#: At most this many rows of a table (and bars of a chart) are drawn; the .xlsx has them all.
MAX_ROWS = 60


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=11, textColor=colors.grey
        ),
    }


def _grid(data: list[list[str]], widths: list[float] | None = None, *, total: bool = False) -> Any:
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), BLUE),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5cdd8")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6fa")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#e7edf6")))
    table.setStyle(TableStyle(style))
    return table


def _table(table: c.Table) -> list[Any]:
    rows = table.rows[:MAX_ROWS]
    data = [table.head]
    for values in [*rows, *([table.total] if table.total else [])]:
        data.append([c.display(v, k) for v, k in zip(values, table.kinds, strict=True)])
    return [_grid(data, total=table.total is not None)]


def _headline(content: c.Content) -> Any:
    cells = [(label, c.display(value, kind)) for label, value, kind in content.headline]
    data = [["指标", "数值", "指标", "数值"]]
    half = (len(cells) + 1) // 2
    for left, right in zip(cells[:half], [*cells[half:], ("", "")], strict=False):
        data.append([left[0], left[1], right[0], right[1]])
    return _grid(data, [48 * mm, 30 * mm, 48 * mm, 30 * mm])


def _integer_axis(axis: Any, data: list[list[int]]) -> None:
    """Whole-number ticks from 0 (counts of events)."""
    top = max((max(series) for series in data if series), default=0)
    axis.valueMin = 0
    axis.valueStep = max(1, math.ceil(top / 5))
    axis.valueMax = max(axis.valueStep * 5, top)


def _bar_chart(table: c.Table) -> Drawing | None:
    rows = [r for r in table.rows if r[1]][:20]
    if not rows:
        return None
    drawing = Drawing(170 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 18 * mm
    chart.width, chart.height = 150 * mm, 45 * mm
    chart.data = [[int(r[1]) for r in rows]]
    chart.categoryAxis.categoryNames = [str(r[0])[:6] for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    _integer_axis(chart.valueAxis, chart.data)
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(12 * mm, 66 * mm, "各类事件上报数", fontName=FONT, fontSize=9))
    return drawing


def _line_chart(table: c.Table) -> Drawing | None:
    rows = table.rows
    if not rows:
        return None
    names = table.head[1:6]
    drawing = Drawing(170 * mm, 75 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 15 * mm
    chart.width, chart.height = 150 * mm, 45 * mm
    chart.data = [[int(r[i] or 0) for r in rows] for i in range(1, 6)]
    step = max(1, len(rows) // 10)
    chart.categoryAxis.categoryNames = [
        str(r[0])[5:] if i % step == 0 else "" for i, r in enumerate(rows)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    _integer_axis(chart.valueAxis, chart.data)
    for i, colour in enumerate(SERIES_COLOURS):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 14 * mm, 70 * mm
    legend.fontName = FONT
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = 28 * mm
    legend.alignment = "right"
    legend.colorNamePairs = list(zip(SERIES_COLOURS, names, strict=True))
    drawing.add(legend)
    return drawing


def render(content: c.Content) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=content.title,
        author="网格化服务管理平台",
    )
    story: list[Any] = [
        Paragraph(content.title, styles["title"]),
        Paragraph(
            f"统计周期：{content.period_text}　节点：{content.node.name}（{content.node.code}）",
            styles["body"],
        ),
        Paragraph(
            f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}　"
            "口径：统计周期内上报的事件及其当前状态，与统计看板一致。",
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("主要指标", styles["h2"]),
        _headline(content),
    ]
    bar = _bar_chart(content.categories)
    story += [Paragraph(content.categories.title, styles["h2"])]
    if bar is not None:
        story.append(bar)
    story += _table(content.categories)
    story += [Paragraph(content.sources.title, styles["h2"]), *_table(content.sources)]
    if content.children is not None:
        story += [Paragraph(content.children.title, styles["h2"]), *_table(content.children)]
    story += [Paragraph(content.departments.title, styles["h2"])]
    if content.departments.rows:
        story += _table(content.departments)
    else:
        story.append(Paragraph("本期没有派遣到部门的事件。", styles["body"]))
    line = _line_chart(content.trend)
    story.append(Paragraph(content.trend.title, styles["h2"]))
    if line is not None:
        story.append(KeepTogether([line]))
    story += _table(content.trend)
    if any(len(t.rows) > MAX_ROWS for t in content.tables):
        story.append(
            Paragraph(f"注：表格最多列出 {MAX_ROWS} 行，完整数据见 Excel 版。", styles["small"])
        )
    doc.build(story)
    return buffer.getvalue()
