"""The API's paging: django-ninja's ``limit``/``offset``, with an upper bound on ``offset``.

Unbounded, an offset past what a 64-bit integer holds reaches the database and fails
there (SQLite: "datatype mismatch"; PostgreSQL: "bigint out of range"), a server error
for what is a bad request.  No list holds a billion rows, so beyond that is refused (422).
"""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

#: The highest ``offset`` accepted.
MAX_OFFSET = 1_000_000_000


class Paged(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
