"""What every ledger import does: map the header, check rows, collect what to write.

An importer sees each data row once (:meth:`Importer.check`), may look rows up
in the database in batches (:meth:`Importer.flush`), and writes everything in
:meth:`Importer.write`, called inside the one transaction of the import only
when no row was refused.  Places are checked against the uploader's scope: a
code that does not exist and one outside the scope are refused alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from wangge.accounts.scope import prefix_q, scope_for
from wangge.ledgers.columns import YES_NO, Sheet, normalise_header
from wangge.ledgers.reading import FileProblem, Row
from wangge.lib import codes


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

    # --- the steps ----------------------------------------------------------------------

    def setup(self) -> None:
        """Load what the checks need (places in scope, lookups)."""

    def check(self, line: int, row: Row) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Run the checks that look rows up in the database in batches."""

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

    def places(self) -> set[str]:
        """Codes of the places (at ``levels``) where the uploader holds ``perm``."""
        from wangge.regions.choices import RegionLevel
        from wangge.regions.models import Region

        scope = scope_for(self.actor)
        levels = [RegionLevel.from_code_level(level) for level in self.levels]
        qs = Region.objects.filter(level__in=levels)
        if self.actor is not None and not scope.is_global:
            roots = scope.roots_with(self.perm)
            if not roots:
                return set()
            qs = qs.filter(prefix_q("code", roots))
        if self.scope_root:
            qs = qs.filter(prefix_q("code", [self.scope_root]))
        return set(qs.values_list("code", flat=True).iterator(chunk_size=10_000))

    def allowed_everywhere(self) -> bool:
        return self.actor is None or scope_for(self.actor).is_global


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
    if number != number.to_integral_value():
        raise ValueError
    return int(number)


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
