"""The request pipeline every route goes through, and the registry the OpenAPI document is made
from. A route is declared once, with its pydantic request/query/response models, and this module
registers it with Chalice, parses and validates input, checks identity and role, applies the
Idempotency-Key, calls the view, and turns every failure into problem+json. Views stay thin.

HTTP conventions it applies to every answer: ``Location`` on a 201 (from the route's ``location``
template, filled from the path parameters and the answer), ``Idempotent-Replayed: true`` on an
answer replayed for an Idempotency-Key, ``Retry-After`` on 429 and 503 (problems.py), ``ETag`` on
resources people edit with ``If-Match`` honoured on their writes (412 stale, 428 missing where a
write replaces the resource; domain/preconditions.py), and CORS that exposes all of them to
browsers."""
from __future__ import annotations

import functools
import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, CognitoUserPoolAuthorizer, CORSConfig, Response
from pydantic import BaseModel, ValidationError

from chalicelib.config import settings
from chalicelib.domain.errors import DomainError, FieldError
from chalicelib.domain.preconditions import IfMatch, etag
from chalicelib.domain.warnings import is_w2_refusal
from chalicelib.gateway_responses import CORS_ALLOW_ORIGIN
from chalicelib.handlers.identity import Identity, identity_from_context
from chalicelib.handlers.problems import (
    RETRY_AFTER,
    HttpProblem,
    from_domain_error,
    from_http_problem,
    problem_response,
)
from chalicelib.observability import logger
from chalicelib.services import runtime
from chalicelib.services import warnings as standing
from chalicelib.store.unit_of_work import transient_failure

AUTHORIZER_NAME = "MarketplaceUsers"
AUTHORIZER = CognitoUserPoolAuthorizer(AUTHORIZER_NAME, provider_arns=[settings().user_pool_arn])
IDEMPOTENCY_HEADER = "idempotency-key"
LOCATION = "Location"
REPLAYED = "Idempotent-Replayed"
CORRELATION = "X-Correlation-Id"
ETAG = "ETag"
# Every response header a browser client reads: CORS hides all but a few safelisted ones unless
# they are named here.
EXPOSED_HEADERS = (LOCATION, RETRY_AFTER, REPLAYED, CORRELATION, ETAG)
# W1: the methods that change something; a suspended or blocked user may send none of them.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CORS = CORSConfig(allow_origin=CORS_ALLOW_ORIGIN, allow_headers=["Idempotency-Key", CORRELATION, "If-Match"],
                  expose_headers=list(EXPOSED_HEADERS), max_age=600)


@dataclass(frozen=True)
class Operation:
    """One route as the OpenAPI document describes it."""

    path: str
    method: str
    operation_id: str
    summary: str
    tag: str
    public: bool
    operator_only: bool
    idempotent: bool
    status: int
    request: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    description: str = ""
    # Where a created resource lives (201 only): a path template filled from the path parameters
    # and the answer's fields, e.g. "/orders/{id}" or "/files/{file[id]}".
    location: str | None = None
    # May answer 429 (a per-caller limit): documented with Retry-After.
    rate_limited: bool = False
    # The answer carries the resource's ETag; a write honours If-Match (412 when stale).
    etag: bool = False
    # A write that replaces the whole resource: without If-Match over an existing one, 428.
    if_match_required: bool = False


OPERATIONS: list[Operation] = []


@dataclass
class _StandingCheck:
    """W1's check on writes; ``make bench`` turns it off to measure what it costs."""

    enabled: bool = True


STANDING_CHECK = _StandingCheck()


@dataclass
class Call:
    """What a view receives: who calls, the validated body and query, the raw request."""

    identity: Identity | None
    body: Any
    query: Any
    request: Any = field(repr=False, default=None)
    if_match: IfMatch = field(default_factory=IfMatch)
    version: int | None = None  # set by the view (``tag``): the answer's ETag

    def tag(self, version: int | None) -> None:
        """The version of the resource the answer shows (an ETag route's view calls this)."""
        self.version = version

    @property
    def user(self) -> Identity:
        assert self.identity is not None  # guaranteed on non-public routes
        return self.identity


def _field_errors(error: ValidationError, whole: str) -> list[FieldError]:
    """``whole`` names the field of an error about the body or query as a whole."""
    return [FieldError(field=".".join(str(p) for p in e["loc"]) or whole, message=e["msg"], code=e["type"])
            for e in error.errors()]


def _parse_body(request, model: type[BaseModel]) -> BaseModel:
    raw = request.raw_body or b""
    if len(raw) > settings().max_body_bytes:
        raise HttpProblem(413, "body_too_large", f"The body may be at most {settings().max_body_bytes} bytes.")
    try:
        if not raw.strip():
            raise HttpProblem(400, "body_required", "This route needs a JSON body.")
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpProblem(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HttpProblem(422, "validation_failed", "The body has invalid fields.",
                          _field_errors(exc, "body")) from None


def _parse_query(request, model: type[BaseModel]) -> BaseModel:
    params = dict(request.query_params or {})
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise HttpProblem(422, "validation_failed", "The query has invalid parameters.",
                          _field_errors(exc, "query")) from None


class _PathFormatter(string.Formatter):
    """Fills a location template, URL-encoding each value as one path segment."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return quote(str(value), safe="")


def location_of(op: Operation, path_params: Mapping[str, str], body: str) -> str:
    """The created resource's path: the route's template filled from the answer's fields and the
    path parameters (the same answer gives the same path, so a replay gets it too)."""
    assert op.location is not None
    answer = json.loads(body) if body else {}
    return _PathFormatter().vformat(op.location, (), {**(answer if isinstance(answer, dict) else {}),
                                                     **path_params})


def base_path(op: Operation, context: Mapping[str, Any] | None) -> str:
    """What precedes the API's own paths in the URL the client called: the stage (``/dev``) on an
    execute-api URL, a base path mapping on a custom domain, nothing locally. API Gateway's request
    context has the whole path; the route's path has as many segments as the called path's tail."""
    called = str((context or {}).get("path") or "")
    segments = len(op.path.strip("/").split("/"))
    parts = called.rstrip("/").split("/")
    return "/".join(parts[:-segments]) if len(parts) > segments else ""


def _response(op: Operation, path_params: Mapping[str, str], status: int, body: str,
              replayed: bool = False, prefix: str = "", version: int | None = None) -> Response:
    headers: dict[str, str | list[str]] = {REPLAYED: "true"} if replayed else {}
    if op.etag and version is not None:
        headers[ETAG] = etag(version)
    if status == 204:
        return Response(body="", status_code=204, headers=headers)
    headers["Content-Type"] = "application/json"
    if status == 201 and op.location:
        headers[LOCATION] = prefix + location_of(op, path_params, body)
    return Response(body=body, status_code=status, headers=headers)


class Api:
    """A Chalice blueprint whose routes are declared with their models."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(self, path: str, method: str, *, summary: str, request: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
              status: int = 200, public: bool = False, operator_only: bool = False,
              idempotent: bool = False, description: str = "", location: str | None = None,
              rate_limited: bool = False, etag: bool = False, if_match_required: bool = False) -> Callable:
        """``location``: for a 201, where the created resource lives (see Operation.location);
        by default the route's path plus the answer's ``id``."""
        if status == 201 and location is None:
            location = path.rstrip("/") + "/{id}"

        def decorate(view: Callable) -> Callable:
            op = Operation(path=path, method=method.upper(), operation_id=view.__name__, summary=summary,
                           tag=self.tag, public=public, operator_only=operator_only, idempotent=idempotent,
                           status=status, request=request, query=query, response=response,
                           description=description or (view.__doc__ or "").strip(), location=location,
                           rate_limited=rate_limited, etag=etag, if_match_required=if_match_required)
            OPERATIONS.append(op)

            @functools.wraps(view)
            def chalice_view(**path_params: str) -> Response:
                return self._handle(op, view, path_params)

            self.blueprint.route(path, methods=[op.method], authorizer=None if public else AUTHORIZER,
                                 cors=CORS)(chalice_view)
            return view

        return decorate

    def _handle(self, op: Operation, view: Callable, path_params: dict[str, str]) -> Response:
        # One request: a user read for the standing check is reused by the route's service.
        with standing.request_scope():
            return self._handle_in_scope(op, view, path_params)

    def _handle_in_scope(self, op: Operation, view: Callable, path_params: dict[str, str]) -> Response:
        request = self.blueprint.current_request
        identity = None
        try:
            identity = identity_from_context(request.context)
            if not op.public and identity is None:
                raise HttpProblem(401, "unauthenticated", "This route needs a valid token.")
            if op.operator_only and not (identity and identity.is_operator):
                raise HttpProblem(403, "operators_only", "Only operators may do this.")
            if STANDING_CHECK.enabled and op.method in WRITE_METHODS and identity and not op.public \
                    and not identity.is_operator:
                standing.ensure_may_write(identity.user_id, runtime.clock())  # W1: 403 while suspended
            # Path parameters arrive URL-encoded from API Gateway (a Chalice pitfall).
            params = {k: unquote(v) for k, v in path_params.items()}
            call = Call(identity=identity,
                        body=_parse_body(request, op.request) if op.request else None,
                        query=_parse_query(request, op.query) if op.query else None,
                        request=request,
                        if_match=IfMatch.parse(request.headers.get("if-match"), op.if_match_required)
                        if op.etag and op.method != "GET" else IfMatch())
            key = request.headers.get(IDEMPOTENCY_HEADER) if op.idempotent else None
            prefix = base_path(op, request.context)
            if key is None:
                return _response(op, params, *self._run(op, view, call, params), prefix=prefix,
                                 version=call.version)
            # Imported on first use: Powertools' idempotency utility is not needed by most calls.
            from chalicelib.handlers.idempotency import run_idempotent

            status, body, replayed = run_idempotent(op, call, key, params, lambda: self._run(op, view, call, params))
            return _response(op, params, status, body, replayed, prefix=prefix)
        except HttpProblem as problem:
            return from_http_problem(problem)
        except DomainError as error:
            if identity is not None and is_w2_refusal(error.rule, [f.rule for f in error.fields]):
                standing.note_w2_refusal(identity.user_id, runtime.clock())  # W1/W2: counted toward a report
            return from_domain_error(error)
        except Exception as exc:  # a 500 is always a bug: log it with the stack, answer problem+json
            transient = transient_failure(exc)
            if transient is not None:  # a read the store throttled past botocore's retries: 503
                logger.warning("store busy", extra={"route": op.path, "method": op.method,
                                                    "error": type(exc).__name__})
                return from_domain_error(transient)
            logger.exception("unhandled error", extra={"route": op.path, "method": op.method})
            return problem_response(500, "internal_error", "Something went wrong on our side.")

    @staticmethod
    def _run(op: Operation, view: Callable, call: Call, params: dict[str, str]) -> tuple[int, str]:
        result = view(call, **params)
        if result is None:
            return 204, ""
        if isinstance(result, BaseModel):
            return op.status, result.model_dump_json()
        return op.status, json.dumps(result)
