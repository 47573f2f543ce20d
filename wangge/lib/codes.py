"""Hierarchy codes: materialised paths of digits.

``440704`` district (GB/T 2260) → ``440704001`` street → ``440704001001``
community → ``440704001001001`` grid → ``440704001001001001`` minimal unit.

A subtree is every code that starts with its root's code.  Because codes are
made of digits only, "starts with X" is the half-open range ``[X, next(X))``
where ``next`` increments the prefix.  A range is served by the ordinary
b-tree index on SQLite and PostgreSQL alike, whatever the collation, which a
``LIKE 'X%'`` is not.
"""

from __future__ import annotations

import re
from enum import IntEnum

CODE_RE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,4}")


class Level(IntEnum):
    DISTRICT = 0
    STREET = 1
    COMMUNITY = 2
    GRID = 3
    UNIT = 4


#: Length of the code at each level.
CODE_LENGTH = {
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
    Level.UNIT: 18,
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


def is_valid(code: str) -> bool:
    return bool(CODE_RE.fullmatch(code))


def level_of(code: str) -> Level:
    if not is_valid(code):
        raise ValueError(f"not a hierarchy code: {code!r}")
    return LEVEL_BY_LENGTH[len(code)]


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level is Level.DISTRICT:
        return None
    return code[: CODE_LENGTH[Level(level - 1)]]


def ancestors_of(code: str) -> list[str]:
    """Codes of every ancestor, from the district down, excluding ``code``."""
    level = level_of(code)
    return [code[: CODE_LENGTH[Level(i)]] for i in range(level)]


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with ``prefix``.

    ``None`` when no such bound exists (``prefix`` is empty or all nines).
    """
    stripped = prefix.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def is_within(code: str, root: str) -> bool:
    """True if ``code`` is ``root`` or lies under it."""
    return code.startswith(root)


def child_code(parent: str, number: int) -> str:
    """The code of the ``number``-th child (1-based) of ``parent``."""
    if not 1 <= number <= 999:
        raise ValueError("child number must be in 1..999")
    return f"{parent}{number:03d}"


def minimal_roots(codes: list[str] | set[str]) -> list[str]:
    """Drop every code that lies under another in the list (a user's scope roots)."""
    result: list[str] = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(code.startswith(root) for root in result):
            result.append(code)
    return sorted(result)
