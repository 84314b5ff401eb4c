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


class PreconditionFailed(Conflict):
    """If-Match named a version that is no longer the resource's (412): someone changed it since
    the client read it. Read it again, then write."""

    code = "precondition_failed"


class PreconditionRequired(Conflict):
    """A write that would replace a resource came without If-Match (428): without it a stale copy
    would silently overwrite a newer one."""

    code = "precondition_required"


# How long a client should wait before retrying (the Retry-After header of a 429 or 503) when the
# error does not know better.
UNAVAILABLE_RETRY_AFTER_SECONDS = 30
TRANSIENT_RETRY_AFTER_SECONDS = 1
RATE_LIMITED_RETRY_AFTER_SECONDS = 60


class Unavailable(DomainError):
    """Something the request needs is not available (payments not configured): 503, nothing written.
    ``retry_after_seconds`` becomes the answer's Retry-After."""

    code = "unavailable"
    retry_after_seconds = UNAVAILABLE_RETRY_AFTER_SECONDS

    def __init__(self, message: str, *, code: str | None = None, rule: str | None = None,
                 fields: list[FieldError] | None = None, retry_after_seconds: int | None = None) -> None:
        super().__init__(message, code=code, rule=rule, fields=fields)
        if retry_after_seconds is not None:
            self.retry_after_seconds = retry_after_seconds


class TemporarilyUnavailable(Unavailable):
    """The store failed in a way that passes (throttling, an internal error) and the SDK's own
    retries did not outlast it; the transaction wrote nothing, so the same request may be sent
    again shortly (503 with Retry-After)."""

    code = "temporarily_unavailable"
    retry_after_seconds = TRANSIENT_RETRY_AFTER_SECONDS


class Contended(TemporarilyUnavailable, Conflict):
    """Another transaction held one of the items at that moment (DynamoDB's TransactionConflict):
    a race lost without any condition failing; nothing was written and a retry will likely pass.
    Inside the back end it is a Conflict like any lost race (the sweeper, the scan retry loop read
    again); a client gets 503 with Retry-After (problems.py maps Unavailable first)."""


class RateLimited(DomainError):
    """The caller did this too often for now; nothing was written (429 with Retry-After)."""

    code = "rate_limited"
    retry_after_seconds = RATE_LIMITED_RETRY_AFTER_SECONDS

    def __init__(self, message: str, *, code: str | None = None, rule: str | None = None,
                 fields: list[FieldError] | None = None, retry_after_seconds: int | None = None) -> None:
        super().__init__(message, code=code, rule=rule, fields=fields)
        if retry_after_seconds is not None:
            self.retry_after_seconds = retry_after_seconds
