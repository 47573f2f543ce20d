"""Database helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def preparing_cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor whose statements PostgreSQL may keep prepared (elsewhere, a plain cursor).

    Django's PostgreSQL cursors bind parameters on the client, so the server parses and
    plans every statement afresh; for a statement that reads a few index rows, planning
    is most of its time.  This cursor binds on the server, and psycopg prepares a
    statement once it has run ``prepare_threshold`` times on the connection
    (``WANGGE_DATABASE_URL``'s ``?prepare_threshold=``; default 5, empty: never, for a
    pooler in transaction mode that does not keep prepared statements).  It goes through
    Django's wrappers like any cursor (errors, query logging, ``execute_wrapper``)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql import base

    factory: Any = base.ServerBindingCursor  # the stubs do not know its psycopg signature
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = factory(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)
