"""The import template of a kind for a user: the columns, drop-down lists, the instructions, and
reference sheets of what the user may use (their minimal units, special groups, types…)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wangge.accounts.scope import prefix_q, scope_for
from wangge.ledgers import workbooks
from wangge.ledgers.choices import ImportKind
from wangge.ledgers.columns import SHEETS
from wangge.ledgers.importers import IMPORTERS
from wangge.lib.language import data_language
from wangge.regions.choices import RegionLevel

#: Units listed in a template at most (a district has a few thousand).
MAX_PLACES = 20_000


def _places(user: Any, perm: str, levels: list[RegionLevel]) -> list[tuple[str, str]]:
    from wangge.regions.models import Region

    scope = scope_for(user)
    qs = Region.objects.filter(level__in=levels)
    if not scope.is_global:
        roots = scope.roots_with(perm)
        if not roots:
            return []
        qs = qs.filter(prefix_q("code", roots))
    return list(qs.order_by("code").values_list("code", "name")[:MAX_PLACES])


def _departments(districts: set[str]) -> list[tuple[str, str]]:
    from wangge.accounts.models import Department

    return [
        (code, name if len(districts) == 1 else f"{name}（{district}）")
        for code, name, district in Department.objects.filter(district__code__in=districts)
        .order_by("district__code", "code")
        .values_list("code", "name", "district__name")
    ]


def template_for(user: Any, kind: str, path: Path) -> str:
    """Write the template to ``path``; its download name."""
    sheet = SHEETS[kind]
    importer = IMPORTERS[ImportKind(kind)]
    levels = [RegionLevel.from_code_level(level) for level in importer.levels]
    lists: dict[str, list[str]] = {}
    places = _places(user, importer.perm, levels)
    references: dict[str, list[tuple[str, str]]] = {
        "最小单元" if levels == [RegionLevel.UNIT] else "网格与最小单元": places
    }
    if kind == ImportKind.PEOPLE:
        from wangge.people.selectors import active_tags

        references["特殊人群"] = [(t.code, t.name) for t in active_tags()]
    elif kind == ImportKind.ASSETS:
        from wangge.assets.selectors import active_asset_types

        types = [(t.code, t.name) for t in active_asset_types()]
        lists["type"] = [f"{code} {name}" for code, name in types]
        references["部件类型"] = types
        references["部门"] = _departments({code[:6] for code, _name in places})
    with data_language():
        workbooks.template(sheet, lists, references, path)
    return f"{sheet.title}导入模板.xlsx"
