"""Fast bulk inserts for imports: rows straight into a model's table, with their ids known.

``bulk_create`` builds a model instance per row and prepares every field of it;
for a million people that costs more than reading the workbook.  Here the
caller hands over rows already in database form (ciphertexts, blind indexes,
pinyin computed once), the columns it does not give take the fields' defaults,
and the ids are taken up front so that dependent rows (residence history, tags)
can point at them:

* SQLite: the write lock is held from the start of the transaction
  (``transaction_mode=IMMEDIATE``), so the ids after the largest one used are
  ours;
* PostgreSQL: ids come from the table's sequence, rows go in with ``COPY``.

Anything else falls back to ``bulk_create``.  Call inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models
from django.utils import timezone


def vendor(using: str = "default") -> str:
    return connections[using].vendor


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def defaults(
    model: type[models.Model], given: Sequence[str], using: str = "default"
) -> dict[str, Any]:
    """Database values of the fields not in ``given``: their defaults (``now`` for timestamps)."""
    connection = connections[using]
    now = timezone.now()
    values: dict[str, Any] = {}
    for f in _fields(model):
        if f.name in given or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        else:
            value = f.get_default()  # "" for text fields without a default, else None
        values[f.attname] = f.get_db_prep_save(value, connection)
    return values


def allocate_ids(model: type[models.Model], count: int, using: str = "default") -> list[int]:
    """``count`` fresh primary keys for ``model`` (inside the writing transaction)."""
    if count <= 0:
        return []
    connection = connections[using]
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every model has one
    column = pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(str(column))}) FROM {quote(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            base = max(int(top), int(row[0]) if row and row[0] is not None else 0)
            return list(range(base + 1, base + count + 1))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [int(r[0]) for r in cursor.fetchall()]
    raise NotImplementedError(connection.vendor)


def supported(using: str = "default") -> bool:
    return vendor(using) in ("sqlite", "postgresql")


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    using: str = "default",
) -> None:
    """Insert ``rows`` (database values for ``columns``, attnames, the pk first if given)."""
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = ", ".join(quote(str(by_attname[c].column)) for c in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor: COPY is not in the DB-API
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def date_value(value: Any, using: str = "default") -> Any:
    return connections[using].ops.adapt_datefield_value(value)


def datetime_value(value: Any, using: str = "default") -> Any:
    return connections[using].ops.adapt_datetimefield_value(value)
