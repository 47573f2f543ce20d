"""Task generation at district scale: 300,000 residents (run on demand, not in the suite).

    WANGGE_CARE_SCALE=300000 .venv/bin/pytest wangge/care/tests/test_scale.py -s -n 0

Residents are bulk-inserted over the test world's minimal units, every fifth one in a
special group (a worst case: real districts tag a few per cent); half of those were
visited at some point in the last 40 days.  The figures printed are the ones in the
app's README; nothing here is timed against a threshold.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.care.actions import generate_visit_tasks
from wangge.care.choices import TaskStatus
from wangge.care.coverage import coverage_for
from wangge.care.models import VisitRecord, VisitTask
from wangge.people.models import Person, PersonTag, Tag
from wangge.testing import GRID_A, GRID_A2, GRID_B

SIZE = int(os.environ.get("WANGGE_CARE_SCALE", "0") or 0)
UNITS = [g + u for g in (GRID_A, GRID_A2, GRID_B) for u in ("001", "002")]

pytestmark = pytest.mark.skipif(not SIZE, reason="set WANGGE_CARE_SCALE to run")


def test_it_generates_tasks_for_a_district(world):
    rng = random.Random(1)
    started = time.monotonic()
    Person.objects.bulk_create(
        (
            Person(
                name=f"居民{i}",
                id_number="44070419400101001X",
                gender="male",
                birth_date=date(1940, 1, 1),
                region_code=UNITS[i % len(UNITS)],
            )
            for i in range(SIZE)
        ),
        batch_size=5000,
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    tags = list(Tag.objects.filter(visit_frequency_days__gt=0))
    tagged = ids[::5]
    PersonTag.objects.bulk_create(
        (PersonTag(person_id=pk, tag=rng.choice(tags)) for pk in tagged), batch_size=5000
    )
    now = timezone.now()
    visited = tagged[::2]
    VisitRecord.objects.bulk_create(
        (
            VisitRecord(
                person_id=pk,
                region_code=UNITS[0],
                outcome="seen",
                visited_at=now - timedelta(days=rng.uniform(0, 40)),
            )
            for pk in visited
        ),
        batch_size=5000,
    )
    loaded = time.monotonic() - started
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        first = generate_visit_tasks(now=now)
        took = time.monotonic() - started
    started = time.monotonic()
    again = generate_visit_tasks(now=now)
    took_again = time.monotonic() - started
    started = time.monotonic()
    figures = coverage_for(world["district"], under="440704", now=now)
    took_coverage = time.monotonic() - started
    reads = [q for q in queries.captured_queries if not q["sql"].lstrip().startswith("INSERT")]
    print(
        f"\n{SIZE:,} people, {len(tagged):,} tagged, {len(visited):,} visited "
        f"(loaded in {loaded:.1f}s)\n"
        f"generate: {first.created:,} tasks in {took:.2f}s, {len(queries)} queries "
        f"({len(reads)} not inserts)\n"
        f"again: {again.created} new in {took_again:.2f}s\n"
        f"coverage of the district: {took_coverage:.2f}s, "
        f"tagged {figures.total.tagged:,}, overdue {figures.total.overdue:,}"
    )
    assert again.created == 0
    assert first.people == len(tagged) == figures.total.tagged
    open_count = VisitTask.objects.filter(status=TaskStatus.OPEN).count()
    assert open_count == first.created
    assert len(reads) < 25
