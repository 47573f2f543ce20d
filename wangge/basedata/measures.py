"""How a checklist item is counted: ``app_label.Model?lookup=value&other__in=a,b``.

The model must be installed (``people.Person`` counts once the people registry
exists); its rows belong to a place through ``region_code`` unless the model
names another path in ``BASEDATA_REGION_FIELD`` (a property company counts in
every grid where it manages a place).  Values ``true``/``false`` are booleans and
``__in`` lookups take comma-separated lists.  A model with ``verified_at`` also
reports how many of the counted rows are stale.

Counts for many grids take one grouped query over one index range per model (the
items of a model counted side by side, ``COUNT(…) FILTER (WHERE …)``), and one per
item that counts through a relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db.models import Count, Model, Q
from django.db.models.functions import Substr

from wangge.lib import codes

GRID_LENGTH = codes.CODE_LENGTH[codes.Level.GRID]


@dataclass(frozen=True)
class Measure:
    model: type[Model]
    filters: dict[str, Any]
    region_field: str
    has_verified_at: bool

    @property
    def distinct(self) -> bool:
        """Counting through a relation (a company's places, a person's tags) needs DISTINCT."""
        return "__" in self.region_field or any(
            "__" in key.removesuffix("__in") for key in self.filters
        )


@dataclass(frozen=True)
class Tally:
    count: int
    stale: int | None


def _value(key: str, value: str) -> Any:
    if key.endswith("__in"):
        return [part for part in value.split(",") if part]
    if value in ("true", "false"):
        return value == "true"
    return value


def parse(spec: str) -> Measure | None:
    """The measure, or ``None`` if it is empty or names a model or field that does not exist."""
    label, _sep, query = (spec or "").strip().partition("?")
    if not label:
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    filters = {key: _value(key, value) for key, value in parse_qsl(query, keep_blank_values=True)}
    region_field = str(getattr(model, "BASEDATA_REGION_FIELD", "region_code"))
    try:
        model._meta.get_field("verified_at")
        has_verified_at = True
    except FieldDoesNotExist:
        has_verified_at = False
    try:  # builds the WHERE clause without running it: unknown fields fail here
        model._default_manager.filter(**filters).filter(**{f"{region_field}__gte": ""})
    except (FieldError, ValidationError, ValueError, TypeError):
        return None
    return Measure(model, filters, region_field, has_verified_at)


def tally_by_grid(
    measure: Measure, grid_codes: Iterable[str], stale_before: datetime
) -> dict[str, Tally]:
    """Rows per grid of ``grid_codes`` (one grouped query over the range the grids span)."""
    return tally_many([measure], grid_codes, stale_before)[0]


def tally_many(
    measures: Sequence[Measure], grid_codes: Iterable[str], stale_before: datetime
) -> list[dict[str, Tally]]:
    """``tally_by_grid`` of each measure: the measures of one model that count its own rows
    (no relation, no DISTINCT) in one grouped query, each through its own ``FILTER``."""
    wanted = sorted(set(grid_codes))
    results: list[dict[str, Tally]] = [{} for _ in measures]
    if not wanted:
        return results
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, m in enumerate(measures):
        key = (m.model, m.region_field) if not m.distinct else (m.model, m.region_field, i)
        groups.setdefault(key, []).append(i)
    stale = Q(verified_at__lt=stale_before) | Q(verified_at__isnull=True)
    keep = set(wanted)
    for members in groups.values():
        first = measures[members[0]]
        field = first.region_field
        bounds: dict[str, Any] = {f"{field}__gte": wanted[0]}
        upper = codes.prefix_upper_bound(wanted[-1])
        if upper is not None:
            bounds[f"{field}__lt"] = upper
        qs = first.model._default_manager.all()
        if len(members) == 1:  # its filters in the WHERE clause (and its joins, if any)
            qs, filters = qs.filter(**first.filters), [Q()]
        else:
            filters = [Q(**measures[i].filters) for i in members]
        qs = qs.filter(**bounds).annotate(_grid=Substr(field, 1, GRID_LENGTH)).values("_grid")
        aggregates: dict[str, Any] = {}
        for n, (i, where) in enumerate(zip(members, filters, strict=True)):
            distinct = measures[i].distinct
            aggregates[f"_n{n}"] = Count("pk", filter=where or None, distinct=distinct)
            if measures[i].has_verified_at:
                aggregates[f"_s{n}"] = Count("pk", filter=where & stale, distinct=distinct)
        for row in qs.order_by().annotate(**aggregates):
            grid = row["_grid"]
            if grid not in keep:
                continue
            for n, i in enumerate(members):
                count = int(row[f"_n{n}"])
                if count or len(members) == 1:
                    results[i][grid] = Tally(count, row.get(f"_s{n}"))
    return results
