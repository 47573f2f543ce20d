"""Reading workbooks: values and line numbers as Excel shows them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from wangge.ledgers import reading


def test_a_sheet_that_starts_below_and_right_of_a1_keeps_its_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet["B3"], sheet["C3"] = "姓名", "身份证号"
    sheet["B4"], sheet["C4"] = "王芳", 13800138000
    sheet["B6"], sheet["C6"] = "李明", "440703194001010022"
    sheet["D6"] = datetime(2024, 5, 1)  # noqa: DTZ001 - Excel dates are naive
    workbook.save(path)
    table = reading.open_table(path, "xlsx", "人员")
    try:
        rows = list(table.rows)
    finally:
        table.close()
    # Line 1 is the header (here empty), then each non-empty line with its number as Excel
    # shows it and its cells in their columns (A empty).
    assert table.header == [None, None, None, None]
    assert [line for line, _ in rows] == [3, 4, 6]
    assert rows[1][1][:3] == (None, "王芳", "13800138000")  # a number typed as a number
    assert rows[2][1][1:4] == ("李明", "440703194001010022", date(2024, 5, 1))


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(reading.FileProblem, match="无法读取该 Excel 文件"):
        table = reading.open_table(path, "xlsx", "人员")
        list(table.rows)
