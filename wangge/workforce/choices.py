"""Kinds of "553" items, roles counted on a grid's roster and the assessment components."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class MethodKind(models.TextChoices):
    """The "553" work method: 五必知、五必访、三必到."""

    KNOW = "know", pgettext_lazy("553 kind", "Five to know")
    VISIT = "visit", pgettext_lazy("553 kind", "Five to visit")
    ATTEND = "attend", pgettext_lazy("553 kind", "Three to attend")


#: Roles on a grid's roster (一格两员), by slug of the role table.
FULL_TIME = "grid_worker"
PART_TIME = "part_time_worker"
DEPT_MEMBER = "dept_member"
LIAISON = "liaison_leader"
ROSTER_ROLES = (FULL_TIME, PART_TIME, DEPT_MEMBER, LIAISON)
#: Roles whose holders count as a grid's members for the 一格两员 check (a liaison leader
#: oversees the grid but does not work it).
MEMBER_ROLES = (FULL_TIME, PART_TIME, DEPT_MEMBER)


class Component(models.TextChoices):
    """The figures a grid worker's monthly score is made of."""

    REPORTED = "reported", pgettext_lazy("assessment component", "Events reported")
    SELF_HANDLED = "self_handled", pgettext_lazy("assessment component", "Handled on the spot")
    VERIFICATION = "verification", pgettext_lazy("assessment component", "Verification on time")
    VISITS = "visits", pgettext_lazy("assessment component", "Visits on time")
    CAMPAIGNS = "campaigns", pgettext_lazy("assessment component", "Canvassing coverage")
    FRESHNESS = "freshness", pgettext_lazy("assessment component", "Base data freshness")
    SATISFACTION = "satisfaction", pgettext_lazy("assessment component", "Resident satisfaction")
