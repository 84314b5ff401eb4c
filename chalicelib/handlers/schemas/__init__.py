"""Request and response models (pydantic). The OpenAPI document is generated from these."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RequestModel(BaseModel):
    """Bodies and queries refuse unknown fields, so a typo is a 422, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


PartyRole = Literal["buyer", "seller", "operator"]  # how the caller stands to a resource


class ActionLinkOut(BaseModel):
    """An action the caller may take now, and the route that takes it."""

    method: Literal["POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(description="The route to call, relative to the server URL, its parameters filled in.")


class FieldErrorOut(BaseModel):
    field: str
    message: str
    code: str
    rule: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, plus a stable ``code`` and, for validation, the failing fields."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    rule: str | None = None
    errors: list[FieldErrorOut] | None = None
    until: str | None = Field(None, description="W1 (`account_suspended`): when the suspension ends; null on "
                                                "`account_blocked` (without end).")


class PageQuery(RequestModel):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(None, max_length=2048, description="Opaque; from a previous page's next_cursor.")
