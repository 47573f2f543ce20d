"""Background work: the monthly assessment of grid workers."""

from __future__ import annotations

from django.tasks import task

from wangge.workforce import months
from wangge.workforce.actions import do_compute_scorecards


@task()
def compute_monthly_scorecards(month: str = "", district_code: str = "") -> int:
    """Compute and store the scorecards of a month (``YYYY-MM``; default: last month)."""
    parsed = months.parse_month(month) if month else months.previous_month(months.this_month())
    if parsed is None:
        raise ValueError(f"bad month {month!r}")
    return do_compute_scorecards(
        month=parsed, actor=None, district_code=district_code or None
    ).computed
