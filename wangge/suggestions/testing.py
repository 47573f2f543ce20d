"""Sample suggestions, drafts and opinions for tests that walk every endpoint.

``sample_suggestions(world)`` stores, once per database, a suggestion in a community of
each street of the test district and one in the other district; a published draft of the
test district sent to a point in each street, and one of the other district; an opinion
at each point.  For the project-wide leak test::

    frozenset({"suggestion_id"}): Filler(
        lambda w: [Option({"suggestion_id": str(pk)}) for pk in sample_suggestions(w).suggestions]
    ),
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

SAMPLE_TITLE = "样例建议"
#: Communities of street A, street B and the other district (``wangge.testing``).
COMMUNITY_A = "440704001001"
COMMUNITY_B = "440704002001"
COMMUNITY_OTHER = "440703001001"


@dataclass
class Samples:
    suggestions: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    points: list[int] = field(default_factory=list)
    opinions: list[int] = field(default_factory=list)


def sample_suggestions(world: Any) -> Samples:
    from django.utils import timezone

    from wangge.suggestions import actions
    from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion

    found = Samples(
        suggestions=list(
            Suggestion.objects.filter(title=SAMPLE_TITLE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )
    if found.suggestions:
        found.drafts = list(
            Draft.objects.filter(title=SAMPLE_TITLE).order_by("pk").values_list("pk", flat=True)
        )
        found.points = list(
            LiaisonPoint.objects.filter(name__startswith=SAMPLE_TITLE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        found.opinions = list(
            Opinion.objects.filter(draft_id__in=found.drafts)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return found
    for code in (COMMUNITY_A, COMMUNITY_B, COMMUNITY_OTHER):
        result = actions.do_submit_suggestion(
            actor=None, title=SAMPLE_TITLE, content="样例内容", topic="other", node=code
        )
        found.suggestions.append(result.suggestion.pk)
    deadline = timezone.now() + timedelta(days=30)
    for district, codes in (("440704", [COMMUNITY_A, COMMUNITY_B]), ("440703", [COMMUNITY_OTHER])):
        points = [
            actions.do_create_liaison_point(
                actor=None,
                name=f"{SAMPLE_TITLE}联系点{code}",
                node=code,
                contact_phone="13812345678",
            )
            for code in codes
        ]
        found.points += [p.pk for p in points]
        draft = actions.do_create_draft(
            actor=None,
            title=SAMPLE_TITLE,
            body="样例草案",
            issuing_body="样例人大常委会",
            deadline=deadline,
            points=[p.pk for p in points],
            node=district,
        )
        actions.do_publish_draft(draft, actor=None)
        found.drafts.append(draft.pk)
        for p in points:
            opinion = actions.do_submit_opinion(
                draft, actor=None, point=p.pk, content="样例意见", author_name="样例居民"
            )
            found.opinions.append(opinion.opinion.pk)
    return found
