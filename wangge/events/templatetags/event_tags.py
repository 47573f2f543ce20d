"""Template helpers of the event pages."""

from __future__ import annotations

from django import template

from wangge.events.choices import EventState

register = template.Library()


@register.filter
def state_label(code: str) -> str:
    """The Chinese name of a state code (timeline steps store codes)."""
    return str(EventState(code).label) if code in EventState.values else code
