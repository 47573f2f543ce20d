"""Reading a target list for a campaign from Excel (.xlsx, openpyxl) or CSV.

The first row names the columns; recognised headers (Chinese or English):

| column | headers |
|---|---|
| name | 姓名, 名称, 对象, name |
| address | 地址, 住址, 现住址, address |
| phone | 电话, 手机, 联系电话, 手机号, phone |
| unit code | 最小单元编码, 单元编码, 网格编码, 编码, unit_code, region_code |

Rows that are entirely empty are skipped.  Checking the values against the
hierarchy and the campaign is the action's work; this only reads.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import load_workbook

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024

HEADERS: dict[str, str] = {
    "姓名": "name",
    "名称": "name",
    "对象": "name",
    "name": "name",
    "地址": "address",
    "住址": "address",
    "现住址": "address",
    "address": "address",
    "电话": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "手机号": "phone",
    "phone": "phone",
    "最小单元编码": "unit_code",
    "单元编码": "unit_code",
    "网格编码": "unit_code",
    "编码": "unit_code",
    "unit_code": "unit_code",
    "region_code": "unit_code",
}


#: Excel keeps numbers as doubles: 15 significant digits; an 18-digit code comes back altered.
EXACT_DIGITS_LIMIT = 10**15
NUMERIC_CODE = "最小单元编码被 Excel 存成了数字（超过 15 位会失真），请将该列设为文本后重新填写"


class FileProblem(ValueError):
    """The file cannot be read as a list; ``str(exc)`` is the message for the user."""


@dataclass(frozen=True)
class ListRow:
    line: int  # the row number in the file (the header is line 1)
    name: str
    address: str
    phone: str
    unit_code: str
    #: Set when the row cannot be read as written (a code Excel turned into a number).
    problem: str = ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normalise(text: Any) -> str:
    return _cell(text).replace(" ", "").replace("*", "").lower()


def _rows_of(raw_rows: list[tuple[Any, ...]]) -> list[ListRow]:
    if not raw_rows:
        raise FileProblem("文件是空的")
    header = [HEADERS.get(_normalise(h), "") for h in raw_rows[0]]
    if "name" not in header or "unit_code" not in header:
        raise FileProblem("第一行应为表头，至少包含「姓名」（或「名称」）和「最小单元编码」两列")
    where = {
        key: header.index(key) for key in ("name", "address", "phone", "unit_code") if key in header
    }
    rows: list[ListRow] = []
    for line, raw in enumerate(raw_rows[1:], start=2):
        values = {key: _cell(raw[i]) if i < len(raw) else "" for key, i in where.items()}
        if not any(values.values()):
            continue
        problem = ""
        code_cell = raw[where["unit_code"]] if where["unit_code"] < len(raw) else None
        if isinstance(code_cell, int | float) and abs(code_cell) >= EXACT_DIGITS_LIMIT:
            problem = NUMERIC_CODE
        rows.append(
            ListRow(
                line=line,
                name=values.get("name", ""),
                address=values.get("address", ""),
                phone=values.get("phone", ""),
                unit_code=values.get("unit_code", ""),
                problem=problem,
            )
        )
        if len(rows) > MAX_ROWS:
            raise FileProblem(f"名单不能超过 {MAX_ROWS} 行")
    if not rows:
        raise FileProblem("文件中没有数据行")
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # Excel on Chinese Windows saves CSV so
    except UnicodeDecodeError:
        raise FileProblem("无法识别文件编码，请另存为 UTF-8 CSV 或 .xlsx") from None


def read_list(stream: IO[bytes], filename: str) -> list[ListRow]:
    """The rows of an uploaded .xlsx or .csv list; ``FileProblem`` if it cannot be read."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileProblem(f"文件过大：不能超过 {MAX_BYTES // (1024 * 1024)} MB")
    if not data:
        raise FileProblem("文件是空的")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors for broken files
            raise FileProblem("无法读取该 Excel 文件，请确认是 .xlsx 格式") from None
        try:
            sheet = workbook.worksheets[0]
            raw_rows: list[tuple[Any, ...]] = []
            for row in sheet.iter_rows(values_only=True):
                raw_rows.append(tuple(row))
                if len(raw_rows) > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
        return _rows_of(raw_rows)
    if name.endswith(".xls"):
        raise FileProblem("不支持旧版 .xls 文件，请另存为 .xlsx")
    text = _decode(data)
    try:
        reader = csv.reader(io.StringIO(text))
        return _rows_of([tuple(row) for row in reader])
    except csv.Error:
        raise FileProblem("无法读取该 CSV 文件") from None
