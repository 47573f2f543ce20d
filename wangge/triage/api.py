"""Category suggestions under /api/v1/triage."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wangge.api.errors import ApiError
from wangge.basedata.schemas import ErrorOut
from wangge.triage import selectors

router = Router(tags=["triage"])


class SuggestQuery(Schema):
    text: str = Field(..., min_length=1, max_length=1000, description="What the reporter typed")


class DepartmentOut(Schema):
    code: str
    name: str | None = Field(None, description="The department of the user's district, if any")


class SuggestionOut(Schema):
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None
    probability: float
    admitted: bool
    department: DepartmentOut | None


class SuggestOut(Schema):
    model_version: int = Field(..., description="0: the built-in model (no trained version yet)")
    suggestions: list[SuggestionOut]


@router.get(
    "/triage/suggest",
    response={200: SuggestOut, 403: ErrorOut},
    summary="Top 3 event sub-categories for a description",
)
def suggest(request: HttpRequest, query: Query[SuggestQuery]) -> dict[str, Any]:
    if not selectors.can_suggest(request.user):
        raise ApiError(403, "forbidden", "您无权上报事件")
    version, found = selectors.suggest(request.user, query.text)
    return {
        "model_version": version,
        "suggestions": [
            {
                "code": s.code,
                "name": s.name,
                "parent_code": s.parent_code,
                "parent_name": s.parent_name,
                "probability": s.probability,
                "admitted": s.admitted,
                "department": (
                    {"code": s.department_code, "name": s.department_name}
                    if s.department_code
                    else None
                ),
            }
            for s in found
        ],
    }
