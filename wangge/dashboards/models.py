"""The dashboards' aggregates: per-event contributions and per-node daily tallies.

* ``EventFact`` — one row per event: the counters it adds (``figures.COUNTERS``)
  and the keys it adds them under (reporting day, place, category, source,
  department, state, level).  It is both what the tallies hold for that event
  (the incremental path subtracts it before adding the event's new
  contribution) and the finest aggregate, read for communities, grids and
  units through the ``(region_code, day)`` index.
* ``Tally`` — counters summed per (node, day, dimension, value) for districts and
  streets (every breakdown) and communities (the totals only, for rankings).

See docs/dashboards.md.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FactCounters(models.Model):
    """One event's counters: 0/1 flags and two durations in microseconds."""

    reported = models.SmallIntegerField(default=0)
    registered = models.SmallIntegerField(default=0)
    handled = models.SmallIntegerField(default=0)
    handled_on_time = models.SmallIntegerField(default=0)
    closed = models.SmallIntegerField(default=0)
    reworked = models.SmallIntegerField(default=0)
    overdue = models.SmallIntegerField(default=0)
    self_handled = models.SmallIntegerField(default=0)
    dispatched = models.SmallIntegerField(default=0)
    responded = models.SmallIntegerField(default=0)
    visited = models.SmallIntegerField(default=0)
    satisfied = models.SmallIntegerField(default=0)
    return_visits = models.SmallIntegerField(default=0)
    rv_contacted = models.SmallIntegerField(default=0)
    rv_solved = models.SmallIntegerField(default=0)
    rv_satisfied = models.SmallIntegerField(default=0)
    rv_rated = models.SmallIntegerField(default=0)
    accept_n = models.SmallIntegerField(default=0)
    accept_us = models.BigIntegerField(default=0)
    handle_n = models.SmallIntegerField(default=0)
    handle_us = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class TallyCounters(models.Model):
    """Summed counters."""

    reported = models.IntegerField(default=0)
    registered = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handled_on_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    self_handled = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    return_visits = models.IntegerField(default=0)
    rv_contacted = models.IntegerField(default=0)
    rv_solved = models.IntegerField(default=0)
    rv_satisfied = models.IntegerField(default=0)
    rv_rated = models.IntegerField(default=0)
    accept_n = models.IntegerField(default=0)
    accept_us = models.BigIntegerField(default=0)
    handle_n = models.IntegerField(default=0)
    handle_us = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class EventFact(FactCounters):
    """What the aggregates hold for one event (``events.Event`` id; no foreign key)."""

    event_id = models.BigIntegerField(_("event"), primary_key=True)
    day = models.DateField(_("reporting day"))
    region_code = models.CharField(_("region code"), max_length=18)
    category = models.CharField(_("category"), max_length=8, blank=True)
    subcategory = models.CharField(_("sub-category"), max_length=8)
    source = models.CharField(_("source"), max_length=16)
    department = models.CharField(_("department"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=16)
    level = models.CharField(_("handling level"), max_length=16)

    class Meta:
        verbose_name = _("event contribution")
        verbose_name_plural = _("event contributions")
        indexes = [models.Index(fields=["region_code", "day"], name="dash_fact_region_day")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.day} {self.region_code}"


class Tally(TallyCounters):
    """Counters of a node's events reported on one day, in total (``dim`` "all") or by
    the value ``item`` of one breakdown (``dim`` category, source, department…)."""

    node = models.CharField(_("node"), max_length=18)
    depth = models.PositiveSmallIntegerField(_("depth"))
    dim = models.CharField(_("breakdown"), max_length=16)
    item = models.CharField(_("value"), max_length=32, blank=True)
    day = models.DateField(_("reporting day"))

    class Meta:
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")
        permissions = [("view_dashboard", "Can view the dashboards of one's nodes")]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "dim", "day", "item"], name="dash_tally_node_dim_day_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.day} {self.dim}={self.item}"


class FeedCursor(models.Model):
    """How far the aggregates have read the events' timeline steps (see ``feed``)."""

    name = models.CharField(_("name"), max_length=32, primary_key=True)
    #: The highest ``events.EventStep`` id read.
    high = models.BigIntegerField(_("last step read"), default=0)
    #: Step ids below ``high`` not seen yet (uncommitted when ``high`` passed them): id → time.
    gaps = models.JSONField(_("missing steps"), default=dict, blank=True)

    class Meta:
        verbose_name = _("aggregate feed position")
        verbose_name_plural = _("aggregate feed positions")

    def __str__(self) -> str:
        return f"{self.name}: {self.high}"
