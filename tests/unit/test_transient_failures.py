"""Which store failures pass with time (503 with Retry-After, nothing written) and which do not
(a failed condition stays a 409; anything else a 500)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain.errors import (
    TRANSIENT_RETRY_AFTER_SECONDS,
    Conflict,
    Contended,
    TemporarilyUnavailable,
)
from chalicelib.handlers.problems import from_domain_error
from chalicelib.store.unit_of_work import _is_condition_failure, transient_failure


def _error(code: str, *reasons: str) -> Exception:
    exc = Exception(code)
    exc.cause_response_code = code  # type: ignore[attr-defined] - as PynamoDB's errors carry it
    exc.cancellation_reasons = [SimpleNamespace(code=r) if r else None for r in reasons]  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize("exc,kind", [
    (_error("ProvisionedThroughputExceededException"), TemporarilyUnavailable),
    (_error("ThrottlingException"), TemporarilyUnavailable),
    (_error("RequestLimitExceeded"), TemporarilyUnavailable),
    (_error("InternalServerError"), TemporarilyUnavailable),
    (_error("TransactionConflictException"), Contended),
    (_error("TransactionCanceledException", "None", "TransactionConflict"), Contended),
    (_error("TransactionCanceledException", None, "ThrottlingError"), TemporarilyUnavailable),
    (_error("TransactionCanceledException", "TransactionConflict", "ProvisionedThroughputExceeded"),
     TemporarilyUnavailable),
])
def test_failures_that_pass(exc, kind):
    found = transient_failure(exc)
    assert type(found) is kind and not _is_condition_failure(exc)
    answer = from_domain_error(found)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == str(TRANSIENT_RETRY_AFTER_SECONDS)


@pytest.mark.parametrize("exc", [
    _error("ConditionalCheckFailedException"),
    _error("TransactionCanceledException", "None", "ConditionalCheckFailed"),
    _error("TransactionCanceledException", "ConditionalCheckFailed", "TransactionConflict"),
])
def test_a_failed_condition_is_no_transient_failure(exc):
    assert _is_condition_failure(exc) and transient_failure(exc) is None


@pytest.mark.parametrize("exc", [_error("ValidationException"), _error("ResourceNotFoundException"),
                                 _error("TransactionCanceledException", "ValidationError"),
                                 _error("TransactionCanceledException"), ValueError("a bug")])
def test_other_failures_stay_errors(exc):
    assert transient_failure(exc) is None


def test_a_transaction_conflict_is_a_lost_race_inside_and_a_503_outside():
    """Callers inside the back end (the sweeper, the scan retry loop) read again on a Conflict as
    before; a client is told to retry after Retry-After."""
    contended = Contended("busy")
    assert isinstance(contended, Conflict)
    assert from_domain_error(contended).status_code == 503
    assert from_domain_error(Conflict("changed")).status_code == 409
