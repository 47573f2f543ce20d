"""What every ledger import does: map the header, check rows, collect what to write.

An importer sees each data row once (:meth:`Importer.check`), may look rows up
in the database in batches (:meth:`Importer.flush`, which hands the rows put
aside with :meth:`Importer.defer` to :meth:`Importer.look_up`), runs the checks
that need the whole file (:meth:`Importer.finish`), and writes everything in
:meth:`Importer.write`, called inside the one transaction of the import only
when no row was refused.  Places are checked against the uploader's scope: a
code that does not exist and one outside the scope are refused alike.

Two families:

* :class:`Importer` itself, for ledgers written in bulk (people: a million
  rows, inserted straight into the tables);
* :class:`RecordImporter`, for ledgers whose records are registered one by one
  through their own app's action (buildings and rooms, occupancy, enterprises,
  city parts): every row is checked up front like the action would, and the
  write calls the action, so its rules, side effects and audit rows apply.  A
  row the action still refuses is reported like any other, and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from wangge.accounts.scope import prefix_q, scope_for
from wangge.ledgers.columns import YES_NO, Sheet, normalise_header
from wangge.ledgers.reading import FileProblem, Row
from wangge.lib import codes

#: Keys looked up in the database per query.
LOOKUP_BATCH = 900


@dataclass
class Failure:
    line: int
    values: Row
    messages: list[str]


@dataclass
class Failures:
    """Refused rows by line number, in the order they were found."""

    rows: dict[int, Failure] = field(default_factory=dict)

    def add(self, line: int, values: Row, *messages: str) -> None:
        found = self.rows.get(line)
        if found is None:
            self.rows[line] = Failure(line, values, list(messages))
        else:
            found.messages.extend(m for m in messages if m not in found.messages)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def sorted(self) -> list[Failure]:
        return [self.rows[line] for line in sorted(self.rows)]


@dataclass(slots=True)
class Entry:
    """A checked row: its line, its values as read, and what the importer made of it."""

    line: int
    values: Row
    item: Any


class RowsRefused(Exception):
    """Raised by :meth:`Importer.write` when rows were refused while writing: the transaction
    rolls back and the import fails with the error report, as if they had been found before."""


class Importer:
    """One kind of ledger.  Subclasses set ``sheet`` and ``perm`` and fill in the steps."""

    sheet: ClassVar[Sheet]
    #: The permission the uploader needs at each row's place.
    perm: ClassVar[str]
    #: Levels a row's place may be at.
    levels: ClassVar[tuple[codes.Level, ...]] = (codes.Level.UNIT,)

    def __init__(self, *, actor: Any, header: list[Any], scope_root: str = "") -> None:
        self.actor = actor
        self.scope_root = scope_root
        self.index: dict[str, int] = {}
        wanted = {c.header: c.key for c in self.sheet.columns}
        for position, cell in enumerate(header):
            key = wanted.get(normalise_header(cell))
            if key is not None and key not in self.index:
                self.index[key] = position
        missing = [c.header for c in self.sheet.columns if c.required and c.key not in self.index]
        if missing:
            raise FileProblem(
                f"缺少必填列：{'、'.join(missing)}。请使用「{self.sheet.title}」导入模板"
            )
        self.failures = Failures()
        #: Whether rows are still worth preparing for the write (none refused so far).
        self.clean = True
        #: The places (at ``levels``) where the uploader may import, each code once in memory.
        self.allowed: dict[str, str] = {}
        #: First line of each key seen in the file (see :meth:`repeated`).
        self.seen: dict[Hashable, int] = {}
        #: Rows waiting for :meth:`look_up`.
        self.pending: list[Entry] = []

    # --- the steps ----------------------------------------------------------------------

    def setup(self) -> None:
        """Load what the checks need: the places in scope, and lookups of the subclass."""
        self.allowed = {code: code for code in self.places()}

    def check(self, line: int, row: Row) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Run the checks that look rows up in the database, a batch at a time."""
        pending, self.pending = self.pending, []
        for start in range(0, len(pending), LOOKUP_BATCH):
            self.look_up(pending[start : start + LOOKUP_BATCH])

    def look_up(self, batch: list[Entry]) -> None:
        """Check the rows put aside with :meth:`defer` against the database."""

    def finish(self) -> None:
        """The checks that need the whole file (after the last :meth:`flush`)."""

    def write(self) -> int:
        """Write every row (inside the import's transaction); the number of records."""
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        """What the audit row says about the batch besides the counts."""
        return {}

    # --- helpers --------------------------------------------------------------------------

    def refuse(self, line: int, row: Row, *messages: str) -> None:
        self.failures.add(line, row, *messages)
        self.clean = False

    def defer(self, entry: Entry) -> None:
        """Have ``entry`` checked against the database at the next :meth:`flush`."""
        self.pending.append(entry)

    def repeated(self, key: Hashable, line: int) -> int | None:
        """The line where ``key`` was first seen in the file; None (and remembered) if new."""
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = line
        return first

    def value(self, row: Row, key: str) -> Any:
        position = self.index.get(key)
        if position is None or position >= len(row):
            return None
        return row[position]

    def text(self, row: Row, key: str) -> str:
        value = self.value(row, key)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
        return str(value).strip()

    def header(self, key: str) -> str:
        return self.sheet.column(key).header

    def place(self, row: Row, key: str = "region_code") -> str | None:
        """The code in column ``key`` if it is a place the uploader may import into."""
        return self.allowed.get(self.text(row, key))

    def places(self, perm: str | None = None) -> set[str]:
        """Codes of the places (at ``levels``) where the uploader holds ``perm`` (default:
        the importer's), under ``scope_root`` if the upload named one."""
        from wangge.regions.choices import RegionLevel
        from wangge.regions.models import Region

        scope = scope_for(self.actor)
        levels = [RegionLevel.from_code_level(level) for level in self.levels]
        qs = Region.objects.filter(level__in=levels)
        if self.actor is not None and not scope.is_global:
            roots = scope.roots_with(perm or self.perm)
            if not roots:
                return set()
            qs = qs.filter(prefix_q("code", roots))
        if self.scope_root:
            qs = qs.filter(prefix_q("code", [self.scope_root]))
        return set(qs.values_list("code", flat=True).iterator(chunk_size=10_000))

    def allowed_everywhere(self) -> bool:
        return self.actor is None or scope_for(self.actor).is_global


class RecordImporter(Importer):
    """A ledger whose records are registered through their app's action, row by row.

    A subclass turns a row into an item with :meth:`parse` (appending Chinese
    messages to ``errors`` for whatever is wrong), checks items against the
    database in :meth:`look_up` and across the file in :meth:`finish`, and
    registers one in :meth:`create`.  Refusals of the action (``refusals``: the
    app's error classes, with ``message`` and ``fields``) become the row's
    reasons, the column named after the field (``fields`` maps the action's
    field names to column keys).
    """

    #: The errors the actions raise for bad input.
    refusals: ClassVar[tuple[type[Exception], ...]] = ()
    #: Action field name → column key, to name the column in the action's messages.
    fields: ClassVar[dict[str, str]] = {}

    def setup(self) -> None:
        super().setup()
        self.entries: list[Entry] = []
        self.counts: dict[str, int] = {}

    def check(self, line: int, row: Row) -> None:
        errors: list[str] = []
        item = self.parse(line, row, errors)
        if errors or item is None:
            self.refuse(line, row, *(errors or ["无法识别该行"]))
            return
        entry = Entry(line, row, item)
        self.entries.append(entry)
        self.defer(entry)

    def parse(self, line: int, row: Row, errors: list[str]) -> Any:
        """What the row says (None or messages in ``errors`` if it cannot be used)."""
        raise NotImplementedError

    def create(self, entry: Entry) -> None:
        """Register the row through the action (inside the import's transaction)."""
        raise NotImplementedError

    def count(self, what: str, n: int = 1) -> None:
        """Count a record written (``what``: buildings, rooms…) for the summary."""
        self.counts[what] = self.counts.get(what, 0) + n

    def write(self) -> int:
        for entry in self.entries:
            try:
                self.create(entry)
            except self.refusals as exc:
                self.refuse(entry.line, entry.values, *self.reasons(exc))
        if self.failures:
            raise RowsRefused
        return sum(self.counts.values())

    def summary(self) -> dict[str, Any]:
        return dict(self.counts)

    def reasons(self, exc: Exception) -> list[str]:
        """An action's refusal as the messages of a row: ``列名：消息`` per field."""
        found: dict[str, str] = getattr(exc, "fields", None) or {}
        messages = []
        for name, message in found.items():
            key = self.fields.get(name.rsplit(".", 1)[-1])
            label = self.header(key) if key else ""
            if label and label not in message:
                message = f"{label}：{message}"
            if message not in messages:
                messages.append(message)
        return messages or [str(getattr(exc, "message", "") or exc)]

    def length(self, row: Row, key: str, limit: int, errors: list[str]) -> str:
        """The text in column ``key``; a message in ``errors`` if longer than ``limit``."""
        value = self.text(row, key)
        problem = too_long(value, limit, self.header(key))
        if problem:
            errors.append(problem)
        return value

    def flag(self, row: Row, key: str, default: bool, errors: list[str]) -> bool:
        """是/否 in column ``key``; ``default`` when empty."""
        found = yes_no(self.text(row, key), default)
        if found is None:
            errors.append(f"{self.header(key)}应为 是 或 否")
            return default
        return found

    def pick(
        self,
        row: Row,
        key: str,
        choices: Iterable[tuple[str, Any]],
        default: str | None,
        errors: list[str],
        *,
        hint: Iterable[Any] | None = None,
    ) -> str | None:
        """A choice by label or value in column ``key``; ``default`` when empty.  The message
        for anything else lists ``hint`` (default: the labels)."""
        options = list(choices)
        found = choice(self.text(row, key), options, default)
        if found is None and self.text(row, key):
            shown = hint if hint is not None else (label for _v, label in options)
            errors.append(f"{self.header(key)}应为以下之一：{'、'.join(str(x) for x in shown)}")
        return found

    def number(self, row: Row, key: str, low: int, high: int, errors: list[str]) -> int | None:
        """A whole number from ``low`` to ``high`` in column ``key``; None when empty."""
        try:
            found = whole_number(self.value(row, key))
        except ValueError:
            errors.append(f"{self.header(key)}应为整数")
            return None
        if found is not None and not low <= found <= high:
            errors.append(f"{self.header(key)}应在 {low} 到 {high} 之间")
            return None
        return found

    def when(
        self, row: Row, key: str, errors: list[str], *, today: date | None = None
    ) -> date | None:
        """A date in column ``key`` (None when empty), not after ``today`` if given."""
        try:
            found = day(self.value(row, key))
        except ValueError:
            errors.append(f"{self.header(key)}格式不正确，应如 2024-05-01")
            return None
        if found is not None and today is not None and found > today:
            errors.append(f"{self.header(key)}不能晚于今天")
        return found


# --- parsing cells ------------------------------------------------------------------------


def choice(
    value: str, choices: Iterable[tuple[str, Any]], default: str | None = None
) -> str | None:
    """The value of a choice given by its label or value; ``default`` when empty; else None."""
    if not value:
        return default
    for stored, label in choices:
        if value == str(label) or value == stored:
            return str(stored)
    return None


def yes_no(value: str, default: bool) -> bool | None:
    if not value:
        return default
    if value in (YES_NO[0], "Y", "y", "1", "true", "TRUE", "True", "是的", "有"):
        return True
    if value in (YES_NO[1], "N", "n", "0", "false", "FALSE", "False", "无", "没有"):
        return False
    return None


def whole_number(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError
    return int(number)


def decimal_number(value: Any) -> Decimal | None:
    """A finite decimal number (``1.5``, ``75.50``, ``1,200``); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def day(value: Any) -> date | None:
    """A date from an Excel date cell or text like 2024-05-01, 2024/5/1 or 2024年5月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("年", "-").replace("月", "-").rstrip("日")
    text = text.replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


def too_long(value: str, limit: int, label: str) -> str | None:
    return f"{label}不能超过 {limit} 字" if len(value) > limit else None


def user_id(actor: Any) -> int | None:
    """The id of the uploading user (None: the system)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return int(actor.pk)
    return None
