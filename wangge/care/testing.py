"""Sample care visits for tests that walk every endpoint (``/care/visits/{visit_id}/photo``).

``sample_visits(world)`` records one visit with a photo for the sample residents of grids A,
A2, B and the other district (``wangge.testing.sample_people``), once per database, and
returns their ids.  For the project-wide leak test::

    frozenset({"visit_id"}): Filler(
        lambda w: [Option({"visit_id": str(pk)}) for pk in sample_visits(w)]
    ),
"""

from __future__ import annotations

import io
from typing import Any

SAMPLE_NOTE = "样例走访"


def sample_visits(world: Any) -> list[int]:
    from PIL import Image

    from wangge.care.actions import do_record_visit
    from wangge.care.models import VisitRecord
    from wangge.care.photos import do_upload_visit_photo
    from wangge.people.models import Person
    from wangge.testing import sample_people

    existing = list(
        VisitRecord.objects.filter(note=SAMPLE_NOTE).order_by("pk").values_list("pk", flat=True)
    )
    if existing:
        return existing
    places = sample_people(world)
    ids = []
    for label in ("a", "a2", "b", "other"):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (30, 90, 160)).save(buffer, "PNG")
        buffer.seek(0)
        photo = do_upload_visit_photo(buffer, actor=None)
        person = Person.objects.get(pk=places.people[label])
        result = do_record_visit(
            person, actor=None, outcome="seen", note=SAMPLE_NOTE, photo_id=photo.pk
        )
        ids.append(result.visit.pk)
    return ids
