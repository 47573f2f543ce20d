from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_default_tags(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Create the default special groups that are missing (after migrate, and after a flush)."""
    if getattr(sender, "label", None) != "people":
        return
    from wangge.people.choices import DEFAULT_TAGS
    from wangge.people.models import Tag

    existing = set(Tag.objects.using(using).values_list("code", flat=True))
    Tag.objects.using(using).bulk_create(
        [
            Tag(
                code=code,
                name=name,
                visit_frequency_days=days,
                description=description,
                sort_order=order * 10,
            )
            for order, (code, name, days, description) in enumerate(DEFAULT_TAGS, start=1)
            if code not in existing
        ]
    )


class PeopleConfig(AppConfig):
    name = "wangge.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        post_migrate.connect(ensure_default_tags, dispatch_uid="wangge-people-default-tags")
