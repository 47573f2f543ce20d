"""``{% load notification_tags %}{% notification_bell %}``: the bell with the unread count.

For the top bar of ``base.html``; renders nothing for anonymous visitors.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from wangge.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context: Any) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return mark_safe("")  # noqa: S308  # an empty string
    return mark_safe(  # noqa: S308  # rendered by the template engine (escaped)
        render_to_string(
            "notifications/_bell.html", {"unread": unread_count(user)}, request=request
        )
    )
