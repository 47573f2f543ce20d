"""Reading an uploaded ledger: .xlsx (calamine; openpyxl to count rows) or CSV.

Rows are streamed to the importer: calamine (Rust) parses a sheet into memory in
a fraction of the time openpyxl's read-only mode takes, and its rows are
converted to Python one at a time.  openpyxl remains for counting rows (a scan
of the sheet's XML for ``<row`` tags, for the progress bar) and for the optional
``parallel=True`` mode, which parses in a child process that hands rows over in
chunks (off by default: with calamine the hand-over costs more than the parse).
"""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import queue
import zipfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.reader.excel import SUPPORTED_FORMATS, ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    DATA_TAG,
    DIMENSION_TAG,
    INLINE_STRING,
    WorkSheetParser,
)
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse
from python_calamine import CalamineError, CalamineWorkbook

#: Rows handed over from the parsing process at a time.
CHUNK_ROWS = 2000
#: Chunks in flight between the processes (bounds the memory they use).
QUEUE_CHUNKS = 16
MAX_ROWS = 1_048_575  # Excel's own limit, less the header
_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"


class FileProblem(ValueError):
    """The file cannot be read as a ledger; ``str(exc)`` is the message for the user."""


# What a file's problems say (the import runs in the installation's language and stores
# them so; ``services.job_message`` says them again in the reader's).
EMPTY = gettext_lazy("The file is empty.")
NO_DATA_ROWS = gettext_lazy("The file has no data rows.")
UNKNOWN_ENCODING = gettext_lazy(
    "The CSV file's encoding is not recognised: save it as CSV in UTF-8."
)
READER_DIED = gettext_lazy("The process reading the file stopped unexpectedly.")
TOO_MANY_ROWS = lazy(
    lambda: (
        _("The file has more than %(rows)s rows: split it and import the parts one by one.")
        % {"rows": f"{MAX_ROWS:,}"}
    ),
    str,
)()
PROBLEMS = (EMPTY, NO_DATA_ROWS, UNKNOWN_ENCODING, READER_DIED, TOO_MANY_ROWS)


Row = tuple[Any, ...]


def _shared_strings(source: IO[bytes]) -> list[str]:
    """The shared-strings table: plain ``<t>`` text or rich-text runs, phonetic hints left out."""
    strings: list[str] = []
    for _event, node in iterparse(source):
        if node.tag != _SI:
            continue
        value = _text_of(node)
        strings.append(value.replace("x005F_", "") if "x005F_" in value else value)
        node.clear()
    return strings


def _text_of(node: Any) -> str:
    """The text of a string item: its ``<t>``, or its rich-text runs joined."""
    text = node.find(_T)
    if text is not None:
        return str(text.text or "")
    return "".join((t.text or "") for r in node.iterfind(_R) for t in r.iterfind(_T))


class _Parser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser with inline strings read directly."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if element.get("t") != "inlineStr":
            return super().parse_cell(element)  # type: ignore[no-any-return]
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        child = element.find(INLINE_STRING)
        style = element.get("s", 0)
        return {
            "row": row,
            "column": column,
            "value": None if child is None else _text_of(child),
            "data_type": "s" if child is not None else "inlineStr",
            "style_id": int(style) if style else 0,
        }


class _Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
    def _get_size(self) -> None:
        """The ``<dimension>`` if the sheet starts with one; stop at the data either way."""
        with self._get_source() as src:
            for _event, element in iterparse(src, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    ref = element.get("ref")
                    if ref:
                        with suppress(ValueError, TypeError):
                            bounds = range_boundaries(ref)
                            if None not in bounds:
                                (
                                    self._min_column,
                                    self._min_row,
                                    self._max_column,
                                    self._max_row,
                                ) = bounds
                    break
                if element.tag == DATA_TAG:
                    break

    def _cells_by_row(
        self,
        min_col: int,
        min_row: int,
        max_col: int | None,
        max_row: int | None,
        values_only: bool = False,
    ) -> Iterator[Any]:
        """As openpyxl's, with the lean parser."""
        filler = None if values_only else EMPTY_CELL
        max_col = max_col or self.max_column
        max_row = max_row or self.max_row
        empty_row: Any = []
        if max_col is not None:
            empty_row = (filler,) * (max_col + 1 - min_col)
        counter = min_row
        idx = 1
        with self._get_source() as src:
            parser = _Parser(
                src,
                self._shared_strings,
                data_only=self.parent.data_only,
                epoch=self.parent.epoch,
                date_formats=self.parent._date_formats,
                timedelta_formats=self.parent._timedelta_formats,
            )
            for idx, row in parser.parse():
                if max_row is not None and idx > max_row:
                    break
                for _ in range(counter, idx):
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    counter += 1
                    yield self._get_row(row, min_col, max_col, values_only)
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty_row


class _Reader(ExcelReader):  # type: ignore[misc]
    """openpyxl's read-only reader with the lean strings and sheets."""

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is not None:
            with self.archive.open(found.PartName[1:]) as src:
                self.shared_strings = _shared_strings(src)

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(path: Path) -> Any:
    """A read-only, values-only workbook (as ``openpyxl.load_workbook`` would give)."""
    reader = _Reader(str(path), read_only=True, keep_vba=False, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


def _choose_sheet(workbook: Any, title: str) -> Any:
    for ws in workbook.worksheets:
        if ws.title == title:
            return ws
    return workbook.worksheets[0]


def _plain(value: Any) -> Any:
    """Cell values as text where it matters: 18-digit numbers typed as numbers stay digits."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _xlsx_rows(path: Path, title: str) -> Iterator[Row]:
    """The sheet's rows from the top left cell A1, as openpyxl gives them (empty cells None),
    read by calamine (Rust): some fifty times faster than openpyxl's read-only mode."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        sheet = workbook.get_sheet_by_name(title if title in names else names[0])
    except (CalamineError, IndexError, OSError) as exc:
        raise FileProblem(
            f"无法读取该 Excel 文件（{type(exc).__name__}），请用 Excel 另存为 .xlsx 后重试"
        ) from None
    start = sheet.start
    if start is None:  # an empty sheet
        return
    # calamine's rows start at line 1 but its columns at the first one in use (pinned by
    # the tests): put the empty columns back so that positions match the header's.
    pad: tuple[None, ...] = (None,) * start[1]
    for row in sheet.iter_rows():
        yield pad + tuple(None if value == "" else value for value in row)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # Excel in Chinese saves "CSV" in the local code page.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(str(UNKNOWN_ENCODING)) from None


def _csv_rows(path: Path) -> Iterator[Row]:
    text = _decode(path.read_bytes())
    for row in csv.reader(io.StringIO(text, newline="")):
        yield tuple(row)


def file_format(filename: str, head: bytes) -> str:
    """``xlsx`` or ``csv`` from the content (a zip) and the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    name = filename.lower()
    if name.endswith(tuple(SUPPORTED_FORMATS)) or name.endswith(".xls"):
        # Said to the uploader (in their language) or, from the task, in the report's.
        raise FileProblem(_("Cannot read this Excel file: save it as .xlsx (Excel 2007 or later)."))
    return "csv"


def count_rows(path: Path, fmt: str, title: str) -> int | None:
    """Rows in the file including the header, cheaply (no cell is parsed); None if unknown."""
    if fmt == "csv":
        with path.open("rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) or None
    with suppress(Exception), zipfile.ZipFile(path) as archive:
        workbook = open_workbook(path)
        try:
            sheet_path = _choose_sheet(workbook, title)._worksheet_path
        finally:
            workbook.close()
        count = 0
        tail = b""
        with archive.open(sheet_path) as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-4:]  # shorter than a tag: nothing is counted twice
        return count
    return None


# --- the rows of a file, in this process or from a parsing process ------------------------


@dataclass
class Table:
    """The header and the data rows (line number, values) of a ledger file."""

    header: list[Any]
    rows: Iterator[tuple[int, Row]]
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._closers:
            closer()


def _source(path: Path, fmt: str, title: str) -> Iterator[Row]:
    return _csv_rows(path) if fmt == "csv" else _xlsx_rows(path, title)


def _numbered(rows: Iterator[Row]) -> Iterator[tuple[int, Row]]:
    """Data rows with their line numbers (the header is line 1); empty rows are skipped."""
    for line, row in enumerate(rows, start=2):
        if line > MAX_ROWS + 1:
            raise FileProblem(str(TOO_MANY_ROWS))
        if any(v is not None and v != "" for v in row):
            yield line, tuple(_plain(v) for v in row)


def _header(rows: Iterator[Row]) -> list[Any]:
    try:
        return list(next(rows))
    except StopIteration:
        raise FileProblem(str(EMPTY)) from None


def open_table(path: Path, fmt: str, title: str, *, parallel: bool = False) -> Table:
    if parallel:
        return _parallel_table(path, fmt, title)
    rows = _source(path, fmt, title)
    header = _header(rows)
    return Table(header, _numbered(rows))


def _produce(path: str, fmt: str, title: str, out: Any) -> None:  # pragma: no cover - child
    """In the parsing process: the header, then chunks of numbered rows, then None."""
    try:
        rows = _source(Path(path), fmt, title)
        out.put(("header", _header(rows)))
        chunk: list[tuple[int, Row]] = []
        for item in _numbered(rows):
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                out.put(("rows", chunk))
                chunk = []
        if chunk:
            out.put(("rows", chunk))
        out.put(("end", None))
    except FileProblem as exc:
        out.put(("problem", str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the job
        out.put(("problem", f"无法读取文件：{type(exc).__name__}"))


def _parallel_table(path: Path, fmt: str, title: str) -> Table:
    context = multiprocessing.get_context("forkserver")
    channel: Any = context.Queue(maxsize=QUEUE_CHUNKS)
    process = context.Process(target=_produce, args=(str(path), fmt, title, channel), daemon=True)
    process.start()

    def receive() -> tuple[str, Any]:
        while True:
            try:
                item: tuple[str, Any] = channel.get(timeout=1.0)
                return item
            except queue.Empty:
                if not process.is_alive() and channel.empty():
                    raise FileProblem(str(READER_DIED)) from None

    def stop() -> None:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        channel.close()

    kind, payload = receive()
    if kind == "problem":
        stop()
        raise FileProblem(payload)

    def rows() -> Iterator[tuple[int, Row]]:
        while True:
            kind, payload = receive()
            if kind == "end":
                return
            if kind == "problem":
                raise FileProblem(payload)
            yield from payload

    return Table(payload, rows(), [stop])
