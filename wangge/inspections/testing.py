"""Sample inspections for tests that walk every endpoint (the project-wide leak test).

``sample_inspections(world)`` inspects the sample restaurants of grids A, A2, B and
the other district (``wangge.testing.sample_basedata``) as the system, each with
one open hazard (hose too long), so ``{inspection_id}`` and ``{hazard_id}`` have
rows in every part of the tree.  Made once per database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from wangge.testing import World, sample_basedata


@dataclass
class SampleInspections:
    inspections: list[int]
    hazards: list[int]


def sample_inspections(world: World) -> SampleInspections:
    from wangge.inspections import actions
    from wangge.inspections.catalogue import RESTAURANT_GAS, seed_checklists
    from wangge.inspections.models import ChecklistItem, Hazard, Inspection

    enterprises = sample_basedata(world).enterprises
    existing = list(
        Inspection.objects.filter(enterprise_id__in=enterprises, note="样例检查")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not existing:
        seed_checklists()
        items = ChecklistItem.objects.filter(checklist__code=RESTAURANT_GAS, is_active=True)
        answers = [
            actions.Answer(item=i.pk, value=Decimal("2.5"))
            if i.answer_type == "number"
            else actions.Answer(item=i.pk, outcome="pass")
            for i in items
        ]
        for enterprise in enterprises:
            found = actions.do_record_inspection(
                actor=None,
                checklist=RESTAURANT_GAS,
                enterprise=enterprise,
                answers=answers,
                note="样例检查",
            )
            existing.append(found.obj.pk)
    return SampleInspections(
        inspections=existing,
        hazards=list(
            Hazard.objects.filter(inspection_id__in=existing)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    )
