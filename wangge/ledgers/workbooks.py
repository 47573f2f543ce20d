"""Workbooks we write: import templates, error reports and exports (openpyxl, write-only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wangge.ledgers.columns import Sheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
ERROR_FONT = Font(color="C00000")
#: Rows of the template that get the drop-down lists and text format.
TEMPLATE_ROWS = 5000


def _header_cells(ws: Any, headers: Sequence[str], required: Sequence[bool] = ()) -> list[Any]:
    cells = []
    for i, header in enumerate(headers):
        cell = WriteOnlyCell(ws, value=header)
        cell.font = REQUIRED_FONT if i < len(required) and required[i] else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def template(
    sheet: Sheet,
    lists: dict[str, list[str]],
    references: dict[str, list[tuple[str, str]]],
    path: Path,
) -> None:
    """The import template of ``sheet``: the data sheet (header, drop-down lists, text format),
    the instructions, and reference sheets (e.g. the units the user may import into).

    ``lists``: drop-down values by column key (besides the columns' own choices);
    ``references``: sheet title → (code, name) rows; a column whose key is
    ``region_code``/``unit_code`` gets a drop-down from the first reference sheet.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101 - a new workbook has one sheet
    ws.title = sheet.title
    ws.freeze_panes = "A2"
    for i, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        ws.column_dimensions[letter].number_format = "@"
        cell = ws.cell(row=1, column=i, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        values = list(column.choices) or lists.get(column.key, [])
        target = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if values and len(",".join(values)) <= 250:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="取值不在列表中",
                error=f"请从下拉列表中选择{column.header}",
            )
            dv.add(target)
            ws.add_data_validation(dv)
        elif values:
            lists_title = f"{column.header}列表"
            ref = wb.create_sheet(lists_title)
            for value in values:
                ref.append([value])
            ref.sheet_state = "hidden"
            dv = DataValidation(
                type="list", formula1=f"='{lists_title}'!$A$1:$A${len(values)}", allow_blank=True
            )
            dv.add(target)
            ws.add_data_validation(dv)
        elif column.key in ("region_code", "unit_code") and references:
            title, rows = next(iter(references.items()))
            if rows:
                dv = DataValidation(
                    type="list",
                    formula1=f"='{title}'!$A$2:$A${len(rows) + 1}",
                    allow_blank=True,
                    showErrorMessage=False,
                )
                dv.add(target)
                ws.add_data_validation(dv)
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    notes.append([f"{sheet.title}导入模板"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    notes.append(["列", "必填", "说明", "示例"])
    for cell in notes[3]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in sheet.columns:
        allowed = "、".join(column.choices) if column.choices else ""
        note = column.note or (f"可选：{allowed}" if allowed else "")
        notes.append([column.header, "是" if column.required else "", note, column.example])
    notes.append([])
    for line in (
        f"在「{sheet.title}」表第 2 行起填写，一行一条；第 1 行表头请勿修改（红色为必填列）。",
        "文件中的每一行都会先校验；只要有一行有误，就不会写入任何数据，"
        "请下载错误报告（含行号与错误原因）修改后重新上传。",
        "编码、身份证号、电话请以文本格式填写，避免被 Excel 改成科学计数法。",
        "也可上传 UTF-8 编码的 CSV 文件，第 1 行为同样的表头。",
        *sheet.notes,
    ):
        notes.append([line])
    for title, rows in references.items():
        ref = wb.create_sheet(title)
        ref.column_dimensions["A"].width = 22
        ref.column_dimensions["B"].width = 30
        ref.append(["编码", "名称"])
        for code, name in rows:
            ref.append([code, name])
    wb.save(path)


def error_report(header: Sequence[Any], failures: Iterable[Any], path: Path) -> None:
    """The refused rows as they were, with 行号 first and 错误原因 last."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    ws.freeze_panes = "B2"
    labels = ["" if h is None else str(h) for h in header]
    ws.append(_header_cells(ws, ["行号", *labels, "错误原因"]))
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions[get_column_letter(len(labels) + 2)].width = 60
    width = len(labels)
    for failure in failures:
        values = list(failure.values[:width]) + [None] * (width - len(failure.values))
        reason = WriteOnlyCell(ws, value="；".join(failure.messages))
        reason.font = ERROR_FONT
        ws.append([failure.line, *values, reason])
    wb.save(path)


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], path: Path) -> None:
    """A plain list: one sheet, a header row, the rows (text cells stay text)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.append(_header_cells(ws, headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
