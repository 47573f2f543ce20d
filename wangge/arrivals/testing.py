"""Sample arrival reports for tests that walk every endpoint (``/arrivals/{report_id}``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wangge.testing import GRID_A, GRID_B, GRID_OTHER, World, make_id_number

#: Reporters' ID numbers start with neither district's code: a masked number names no
#: place of the hierarchy.
SAMPLE_ARRIVALS: tuple[tuple[str, str, str, str], ...] = (
    (GRID_A + "001", "样例报备甲", make_id_number("110101", "19900101", "101"), "13700000001"),
    (GRID_B + "001", "样例报备乙", make_id_number("310101", "19910202", "102"), "13700000002"),
    (GRID_OTHER + "001", "样例报备丙", make_id_number("510104", "19920303", "103"), "13700000003"),
)


def sample_arrivals(world: World) -> list[int]:
    """Ids of three reports (grid A, grid B, the other district), made once."""
    from wangge.arrivals.actions import do_report_arrival
    from wangge.arrivals.models import ArrivalReport

    names = [name for _unit, name, _id, _phone in SAMPLE_ARRIVALS]
    existing = list(
        ArrivalReport.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True)
    )
    if existing:
        return existing
    now = timezone.now()
    ids = []
    for unit, name, id_number, phone in SAMPLE_ARRIVALS:
        result = do_report_arrival(
            actor=None,
            name=name,
            id_number=id_number,
            phone=phone,
            unit_code=unit,
            address="样例路1号",
            arrival_at=now - timedelta(hours=2),
            origin="北京市",
            travel_mode="train",
        )
        ids.append(result.report.pk)
    return ids
