"""The emergency catalogue as data: which special groups each kind targets (``KindTag``)
and the outcomes of each target kind (``OutcomeOption``).

``seed_catalogue`` creates what is missing after every ``migrate`` (and after a
test database is flushed); rows an administrator changed or switched off stay
as they are.  A targeted group needs its ``people.Tag``; one that does not
exist is left out.
"""

from __future__ import annotations

from typing import Any

from wangge.emergency.choices import DEFAULT_KIND_TAGS, DEFAULT_OUTCOMES


def seed_catalogue(using: str = "default") -> int:
    """Create the missing default rows; return how many were created."""
    from wangge.emergency.models import KindTag, OutcomeOption
    from wangge.people.models import Tag

    created = 0
    tags = dict(Tag.objects.using(using).values_list("code", "pk"))
    have = set(KindTag.objects.using(using).values_list("kind", "tag_id"))
    rows = [
        KindTag(kind=kind, tag_id=tags[code])
        for kind, codes in DEFAULT_KIND_TAGS.items()
        for code in codes
        if code in tags and (kind, tags[code]) not in have
    ]
    KindTag.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    created += len(rows)
    existing = set(OutcomeOption.objects.using(using).values_list("target_kind", "code"))
    options = [
        OutcomeOption(
            target_kind=kind, code=code, label=label, is_final=final, sort_order=order * 10
        )
        for kind, found in DEFAULT_OUTCOMES.items()
        for order, (code, label, final) in enumerate(found, start=1)
        if (kind, code) not in existing
    ]
    OutcomeOption.objects.using(using).bulk_create(options, ignore_conflicts=True)
    return created + len(options)


def seed_catalogue_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "emergency":
        return
    seed_catalogue(using=using)
