from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    def user_roles() -> str:
        """The signed-in user's roles, for the page header (computed only if shown)."""
        from django.utils.translation import gettext

        from wangge.accounts.scope import scope_for
        from wangge.web.landing import role_labels

        # Translators: separator between role names in the page header.
        return gettext(", ").join(role_labels(scope_for(getattr(request, "user", None))))

    def event_nav() -> list[Any]:
        """Links to the event pages the user works with (computed only if shown)."""
        from wangge.events.nav import nav_items

        return nav_items(request)

    return {
        "event_nav": event_nav,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "user_roles": user_roles,
    }
