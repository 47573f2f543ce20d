"""Field types shared by the API's schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: A row id: positive and within a 64-bit column, so a bad one is refused (422) by the schema
#: instead of failing in the database (SQLite cannot bind a larger integer).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
