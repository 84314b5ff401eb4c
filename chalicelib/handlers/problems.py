"""RFC 9457 problem+json: the one shape every error takes."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from chalice import Response

from chalicelib.domain.errors import UNAVAILABLE_RETRY_AFTER_SECONDS as _DEFAULT_RETRY_AFTER
from chalicelib.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    Unavailable,
)
from chalicelib.gateway_responses import PROBLEM_CONTENT_TYPE

# First match wins: Unavailable before Conflict, so a transaction conflict (Contended, both) is a
# 503 a client may retry as it is.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (BadRequest, 400),
    (InvalidInput, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Unavailable, 503),
    (PreconditionFailed, 412),
    (PreconditionRequired, 428),
    (Conflict, 409),
    (RateLimited, 429),
)

RETRY_AFTER = "Retry-After"
# The statuses that tell a client to come back later: each carries Retry-After (in seconds).
RETRY_STATUSES = frozenset({429, 503})

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class HttpProblem(Exception):
    """Raised by the HTTP layer itself (bad JSON, missing identity...), never by the domain."""

    def __init__(self, status: int, code: str, detail: str, fields: Iterable[FieldError] = (),
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.fields = list(fields)
        self.headers = headers or {}


def problem_response(status: int, code: str, detail: str, fields: Iterable[FieldError] = (),
                     headers: Mapping[str, str | list[str]] | None = None, rule: str | None = None,
                     extensions: Mapping[str, object] | None = None) -> Response:
    """``extensions``: members a problem type adds (RFC 9457 §3.2), e.g. ``until`` on a W1 refusal."""
    body: dict = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if rule:
        body["rule"] = rule
    body.update(extensions or {})
    fields = list(fields)
    if fields:
        body["errors"] = [f.as_dict() for f in fields]
    out: dict[str, str | list[str]] = {"Content-Type": PROBLEM_CONTENT_TYPE, **(headers or {})}
    if status in RETRY_STATUSES and not any(k.lower() == "retry-after" for k in out):
        out[RETRY_AFTER] = str(_DEFAULT_RETRY_AFTER)
    return Response(body=json.dumps(body), status_code=status, headers=out)


def from_domain_error(error: DomainError) -> Response:
    status = next((s for cls, s in _STATUS_BY_ERROR if isinstance(error, cls)), 400)
    retry_after = getattr(error, "retry_after_seconds", None)  # Unavailable, RateLimited
    headers = {RETRY_AFTER: str(retry_after)} if retry_after is not None else None
    return problem_response(status, error.code, error.message, error.fields, headers=headers, rule=error.rule,
                            extensions=getattr(error, "extensions", None))


def from_http_problem(problem: HttpProblem) -> Response:
    return problem_response(problem.status, problem.code, problem.detail, problem.fields, problem.headers)


# Chalice's own error bodies look like {"Code": "...", "Message": "..."}; these are their codes.
_CHALICE_CODES = {
    "BadRequestError": "bad_request",
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "NotFoundError": "not_found",
    "UnauthorizedError": "unauthenticated",
    "ForbiddenError": "forbidden",
    "RequestTimeoutError": "timeout",
    "TooManyRequestsError": "throttled",
    "InternalServerError": "internal_error",
    "BadRequest": "bad_request",
}


def rewrite_chalice_error(response: Response) -> Response:
    """Turns an error Chalice answered itself (405, 415...) into problem+json."""
    if response.status_code < 400 or not isinstance(response.body, dict) or "Code" not in response.body:
        return response
    code = _CHALICE_CODES.get(response.body["Code"], "error")
    keep = {k: v for k, v in response.headers.items() if k.lower() == "allow" or k.lower().startswith("access-control")}
    return problem_response(response.status_code, code, str(response.body.get("Message", "")), headers=keep)
