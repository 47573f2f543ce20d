"""Coverage figures of care visits for a node and each of its children.

For a period (default: the current month up to today):

* **tagged** — people living here (在住) in a special group with a visit rule;
* **visited** — of them, those met (见到本人 or 需要帮助) in the period;
* **visited on time** — those met in the period by a visit made on or before the due day
  of the task it closed (or with no visit due);
* **overdue** — open visit tasks whose due day has passed (one per person at most);
* **rate** — visited on time / tagged.

Each figure is one grouped query over the node's code range (the rows are the
code prefixes of the children), whatever the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.scope import prefix_q, scope_for
from wangge.care import selectors
from wangge.care.actions import INVALID, CareError, CareForbidden
from wangge.care.choices import VISITED_OUTCOMES, TaskStatus
from wangge.care.models import VisitRecord, VisitTask
from wangge.lib import codes
from wangge.people.choices import PersonStatus
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

#: The longest period one table covers.
MAX_PERIOD_DAYS = 366


@dataclass
class CoverageRow:
    code: str
    name: str
    level: str
    tagged: int = 0
    visited: int = 0
    visited_on_time: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """Share of the tagged people visited on time (0–1); ``None`` with nobody tagged."""
        return self.visited_on_time / self.tagged if self.tagged else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "tagged": self.tagged,
            "visited": self.visited,
            "visited_on_time": self.visited_on_time,
            "overdue": self.overdue,
            "rate": None if self.rate is None else round(self.rate, 4),
        }


@dataclass
class Coverage:
    #: The node asked for; ``None``: the user's whole area (their nodes are the rows).
    node: str | None
    name: str
    start: date
    end: date
    today: date
    total: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)
    #: Where "up" leads: a node code, "" for the whole area, ``None`` for nowhere.
    up: str | None = None


def _level(code: str) -> str:
    return (
        str(RegionLevel.from_code_level(codes.level_of(code)).value) if codes.is_valid(code) else ""
    )


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end.replace(day=1)
    errors: dict[str, str] = {}
    if start > end:
        errors["start"] = _("The start cannot be later than the end")
    elif (end - start).days >= MAX_PERIOD_DAYS:
        errors["start"] = _("The period can be at most %(days)s days") % {"days": MAX_PERIOD_DAYS}
    if errors:
        raise CareError(INVALID, errors)
    return start, end


def _figures(
    roots: list[str], key_len: int, start: date, end: date, today: date
) -> dict[str, dict[str, int]]:
    """The four figures under ``roots`` grouped by the first ``key_len`` digits of the place."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    found: dict[str, dict[str, int]] = defaultdict(dict)
    memberships = selectors.rule_memberships().filter(
        prefix_q("person__region_code", roots), person__status=PersonStatus.ACTIVE
    )
    for key, n in (
        memberships.annotate(key=Substr("person__region_code", 1, key_len))
        .order_by()
        .values("key")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("key", "n")
    ):
        found[key]["tagged"] = n
    for key, n, on_time in (
        VisitRecord.objects.filter(
            person_id__in=memberships.values("person_id"),
            outcome__in=VISITED_OUTCOMES,
            visited_at__gte=since,
            visited_at__lt=until,
        )
        .annotate(key=Substr("person__region_code", 1, key_len))
        .order_by()
        .values("key")
        .annotate(
            n=Count("person_id", distinct=True),
            on_time=Count("person_id", distinct=True, filter=Q(on_time=True)),
        )
        .values_list("key", "n", "on_time")
    ):
        found[key]["visited"] = n
        found[key]["visited_on_time"] = on_time
    for key, n in (
        VisitTask.objects.filter(
            prefix_q("region_code", roots),
            status=TaskStatus.OPEN,
            due_on__lt=today,
            person__status=PersonStatus.ACTIVE,
        )
        .annotate(key=Substr("region_code", 1, key_len))
        .order_by()
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    ):
        found[key]["overdue"] = n
    return found


def coverage_for(
    user: Any,
    *,
    under: str | None = None,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> Coverage:
    """The figures of ``under`` (default: the user's whole area) and of each child.

    404 for a node that does not exist or where the user does not see visits; 403 for
    a user who sees visits nowhere.
    """
    today = timezone.localdate(now or timezone.now())
    start, end = period(start, end, today)
    scope = scope_for(user)
    roots = selectors.view_roots(user)
    if roots is not None and not roots:
        raise CareForbidden(_("You may not see care visits"))
    up: str | None = None
    if under:
        if not codes.is_valid(under) or not scope.can(selectors.VIEW, under):
            raise Http404("no such node")
        node = Region.objects.filter(code=under).values_list("name", "level").first()
        if node is None:
            raise Http404("no such node")
        name = node[0]
        level = codes.level_of(under)
        children = list(
            Region.objects.filter(parent__code=under).order_by("code").values_list("code", "name")
        )
        if level is codes.Level.UNIT or not children:
            rows = [(under, name)]
            key_lengths = {len(under)}
        else:
            rows = children
            key_lengths = {codes.CODE_LENGTH[codes.Level(level + 1)]}
        groups = {next(iter(key_lengths)): [under]}
        parent = codes.parent_of(under)
        if roots is not None and under in roots:
            up = ""
        elif parent is not None and scope.can(selectors.VIEW, parent):
            up = parent
        elif roots is None:
            up = ""
    else:
        name = ""
        if roots is None:
            wanted = list(
                Region.objects.filter(level=RegionLevel.DISTRICT)
                .order_by("code")
                .values_list("code", "name")
            )
        else:
            names = dict(Region.objects.filter(code__in=roots).values_list("code", "name"))
            wanted = [(code, names.get(code, code)) for code in roots]
        rows = wanted
        by_length: dict[int, list[str]] = defaultdict(list)
        for code, _name in wanted:
            by_length[len(code)].append(code)
        groups = dict(by_length)
    figures: dict[str, dict[str, int]] = {}
    for key_len, group_roots in groups.items():
        figures.update(_figures(group_roots, key_len, start, end, today))
    result_rows = [CoverageRow(code, row_name, _level(code)) for code, row_name in rows]
    listed = {row.code for row in result_rows}
    # People attached to the grid itself when its units are the rows (no unit known).
    extra = sorted(key for key in figures if key not in listed)
    if extra:
        extra_names = dict(Region.objects.filter(code__in=extra).values_list("code", "name"))
        result_rows += [CoverageRow(k, extra_names.get(k, k), _level(k)) for k in extra]
    total = CoverageRow(under or "", name, _level(under) if under else "")
    for row in result_rows:
        values = figures.get(row.code, {})
        row.tagged = values.get("tagged", 0)
        row.visited = values.get("visited", 0)
        row.visited_on_time = values.get("visited_on_time", 0)
        row.overdue = values.get("overdue", 0)
        total.tagged += row.tagged
        total.visited += row.visited
        total.visited_on_time += row.visited_on_time
        total.overdue += row.overdue
    return Coverage(
        node=under or None,
        name=name,
        start=start,
        end=end,
        today=today,
        total=total,
        rows=result_rows,
        up=up,
    )
