"""Idempotency-Key on POSTs that create or transition, through Powertools' idempotency utility
with its DynamoDB persistence layer. A replay returns the first answer; the same key with another
request is a 422; a duplicate that arrives while the first is still running is a 409. Failures are
not stored, so a request that failed may be retried with the same key. A replayed answer says so
(the pipeline sends ``Idempotent-Replayed: true``)."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.config import settings
from chalicelib.handlers.problems import HttpProblem

MAX_KEY_LENGTH = 255


@lru_cache(maxsize=1)
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=settings().idempotency_table_name)


@lru_cache(maxsize=1)
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="key",
        # The whole request (route, path parameters, body) must match for a replay.
        payload_validation_jmespath="request",
        expires_after_seconds=settings().idempotency_days * 86400,
        raise_on_no_idempotency_key=True,
    )


def run_idempotent(op, call, key: str, path_params: dict,
                   execute: Callable[[], tuple[int, str]]) -> tuple[int, str, bool]:
    """The answer (status, body) and whether it is a replay of an earlier one."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise HttpProblem(400, "invalid_idempotency_key",
                          f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.")
    raw = call.request.raw_body or b""
    data = {
        # Keys are per user: two users may pick the same key without colliding.
        "key": f"{call.identity.user_id if call.identity else 'public'}|{key}",
        "request": {"method": op.method, "route": op.path, "params": path_params,
                    "body": raw.decode("utf-8", "replace")},
    }

    if getattr(call.request, "lambda_context", None) is not None:
        # Lets Powertools expire an in-progress record with the invocation, not after a day.
        _config().register_lambda_context(call.request.lambda_context)

    executed: list[bool] = []  # empty after the call: Powertools answered from its record

    @idempotent_function(data_keyword_argument="data", persistence_store=_persistence(), config=_config())
    def api_request(data: dict) -> dict:
        executed.append(True)
        status, body = execute()
        return {"status": status, "body": body}

    try:
        stored = api_request(data=data)
    except IdempotencyValidationError:
        raise HttpProblem(422, "idempotency_key_reused",
                          "This Idempotency-Key was already used with a different request.") from None
    except IdempotencyAlreadyInProgressError:
        raise HttpProblem(409, "idempotency_in_progress",
                          "A request with this Idempotency-Key is still being processed.") from None
    return int(stored["status"]), str(stored["body"]), not executed
