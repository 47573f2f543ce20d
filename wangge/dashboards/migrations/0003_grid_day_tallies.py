"""Grids get day tallies (dim "all"): filled here from the facts, kept from now on by the
feed and the rebuild (``aggregates.TALLY_LEVELS``)."""

from django.db import migrations

COUNTERS = (
    "reported",
    "registered",
    "handled",
    "handled_on_time",
    "closed",
    "reworked",
    "overdue",
    "self_handled",
    "dispatched",
    "responded",
    "visited",
    "satisfied",
    "return_visits",
    "rv_contacted",
    "rv_solved",
    "rv_satisfied",
    "rv_rated",
    "accept_n",
    "accept_us",
    "handle_n",
    "handle_us",
)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    qn = schema_editor.connection.ops.quote_name
    tally = qn(apps.get_model("dashboards", "Tally")._meta.db_table)
    fact = qn(apps.get_model("dashboards", "EventFact")._meta.db_table)
    node = f"SUBSTR({qn('region_code')}, 1, 15)"
    columns = ", ".join(qn(c) for c in ("node", "depth", "dim", "item", "day", *COUNTERS))
    sums = ", ".join(f"SUM({qn(c)})" for c in COUNTERS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tally} WHERE {qn('depth')} = 3")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {tally} ({columns}) "  # noqa: S608 - quoted names
            f"SELECT {node}, 3, 'all', '', {qn('day')}, {sums} FROM {fact} "
            f"WHERE {qn('reported')} > 0 GROUP BY {node}, {qn('day')} "
            f"ORDER BY {node}, {qn('day')}"
        )


def empty(apps, schema_editor):  # type: ignore[no-untyped-def]
    tally = apps.get_model("dashboards", "Tally")
    tally.objects.filter(depth=3).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_feed_cursor")]

    operations = [migrations.RunPython(fill, empty)]
