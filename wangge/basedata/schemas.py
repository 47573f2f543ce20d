"""The error body of the base-data APIs (assets, organisations, checklist), for OpenAPI."""

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every refusal: ``{code, message, fields}`` (see ``wangge.api.root``)."""

    code: str = Field(..., description="not_found, forbidden, conflict, invalid…")
    message: str = Field(..., description="For people (Chinese)")
    fields: dict[str, list[str]] = Field(..., description="Field name → messages")
