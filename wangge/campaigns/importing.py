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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
NUMERIC_CODE = gettext_lazy(
    "Excel stored the minimal unit code as a number (more than 15 digits get altered): format "
    "the column as text and fill it in again."
)


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
        raise FileProblem(_("The file is empty."))
    header = [HEADERS.get(_normalise(h), "") for h in raw_rows[0]]
    if "name" not in header or "unit_code" not in header:
        # The column names are quoted as the file has them.
        raise FileProblem(
            _(
                "The first row must be the header, with at least the columns 「姓名」 (or "
                "「名称」) and 「最小单元编码」."
            )
        )
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
            problem = str(NUMERIC_CODE)
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
            raise FileProblem(_("The list may have at most %(max)d rows.") % {"max": MAX_ROWS})
    if not rows:
        raise FileProblem(_("The file has no data rows."))
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
        raise FileProblem(
            _("Cannot tell the encoding of the file: save it as UTF-8 CSV or .xlsx.")
        ) from None


def read_list(stream: IO[bytes], filename: str) -> list[ListRow]:
    """The rows of an uploaded .xlsx or .csv list; ``FileProblem`` if it cannot be read."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileProblem(
            _("The file is too large: at most %(max)d MB.") % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise FileProblem(_("The file is empty."))
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors for broken files
            raise FileProblem(_("Cannot read this Excel file: make sure it is .xlsx.")) from None
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
        raise FileProblem(_("Old .xls files are not supported: save it as .xlsx."))
    text = _decode(data)
    try:
        reader = csv.reader(io.StringIO(text))
        return _rows_of([tuple(row) for row in reader])
    except csv.Error:
        raise FileProblem(_("Cannot read this CSV file.")) from None
