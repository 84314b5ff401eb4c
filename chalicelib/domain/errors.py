"""Domain errors. Each carries a stable machine-readable ``code``; the HTTP layer maps the class
to a status (see chalicelib/handlers/problems.py) and never has to parse messages."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One failing field. ``field`` is a dotted path into the request body (``packages.0.price``);
    ``rule`` names the rule id from shared/spec/rules.md when a business rule failed."""

    field: str
    message: str
    code: str = "invalid"
    rule: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message, "code": self.code}
        if self.rule:
            out["rule"] = self.rule
        return out


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, rule: str | None = None,
                 fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.rule = rule
        self.fields: list[FieldError] = list(fields or [])


class BadRequest(DomainError):
    """The request cannot be understood (a forged cursor, a malformed id): 400."""

    code = "bad_request"


class InvalidInput(DomainError):
    """The request is well-formed but breaks a rule (422)."""

    code = "validation_failed"


class NotFound(DomainError):
    """Missing, or not visible to the caller: both answer the same (404)."""

    code = "not_found"


class Forbidden(DomainError):
    """The caller may see the thing but not do this to it (403)."""

    code = "forbidden"


class Conflict(DomainError):
    """The thing is not in a state that allows this, or it changed meanwhile (409)."""

    code = "conflict"


class Unavailable(DomainError):
    """Something the request needs is not available (payments not configured): 503, nothing written."""

    code = "unavailable"


class RateLimited(DomainError):
    """The caller did this too often for now; nothing was written (429)."""

    code = "rate_limited"
