"""Sample campaigns for tests that walk every endpoint (the API leak test).

``sample_campaigns(world)`` makes, once per database: a running campaign over
the test district with imported targets in grids A, A2 and B, a draft over
street 001, a running campaign in the other district with a target there, and
a photo answer recorded on the target in grid A.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER

SAMPLE_NAME = "样例摸排"


@dataclass
class SampleCampaigns:
    campaigns: list[int]
    targets: list[int]
    photos: list[int]


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def sample_campaigns(world: Any) -> SampleCampaigns:
    from wangge.campaigns import actions
    from wangge.campaigns.importing import ListRow
    from wangge.campaigns.models import Campaign, Photo, Target
    from wangge.campaigns.outcomes import seed_outcomes

    existing = list(
        Campaign.objects.filter(name__startswith=SAMPLE_NAME)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if existing:
        return SampleCampaigns(
            campaigns=existing,
            targets=list(
                Target.objects.filter(campaign_id__in=existing)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            photos=list(
                Photo.objects.filter(attempt__campaign_id__in=existing)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
        )
    seed_outcomes()
    deadline = timezone.localdate() + timedelta(days=7)
    photo_question = actions.QuestionSpec("photo", "现场照片", "photo")

    def rows(*units: str) -> list[ListRow]:
        return [
            ListRow(line=i + 2, name=f"{SAMPLE_NAME}对象{i + 1}", address="", phone="", unit_code=u)
            for i, u in enumerate(units)
        ]

    district = actions.do_create_campaign(
        actor=None,
        name=f"{SAMPLE_NAME}（全区）",
        area_code="440704",
        target_kind="imported",
        deadline=deadline,
        questions=[photo_question],
        rows=rows(GRID_A + "001", GRID_A2 + "001", GRID_B + "001"),
        launch=True,
    )
    draft = actions.do_create_campaign(
        actor=None,
        name=f"{SAMPLE_NAME}（草稿）",
        area_code="440704001",
        target_kind="imported",
        deadline=deadline,
        rows=rows(GRID_A + "002"),
    )
    other = actions.do_create_campaign(
        actor=None,
        name=f"{SAMPLE_NAME}（邻区）",
        area_code="440703",
        target_kind="imported",
        deadline=deadline,
        rows=rows(GRID_OTHER + "001"),
        launch=True,
    )
    photo, _created = actions.do_upload_photo(io.BytesIO(_png()), actor=None)
    first = Target.objects.filter(campaign=district, region_code=GRID_A + "001").get()
    actions.do_record_attempt(
        actor=None,
        request_id=uuid.uuid4(),
        target_id=first.pk,
        channel="visit",
        outcome="registered",
        answers={"photo": photo.pk},
    )
    assert draft.pk and other.pk  # noqa: S101 - made above
    return sample_campaigns(world)
