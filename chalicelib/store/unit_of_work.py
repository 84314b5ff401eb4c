"""One use case, one DynamoDB transaction. Services stage saves, deletes and condition checks
here and commit once; PynamoDB's TransactWrite adds the version conditions, so a concurrent change
to any item makes the whole commit fail as a Conflict with nothing half-written. A failure that
passes (throttling, a transaction conflict, an internal error) that outlasted botocore's retries
is TemporarilyUnavailable (503 with Retry-After): it too wrote nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, Contended, TemporarilyUnavailable
from chalicelib.store.table import TableItem

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit


@lru_cache(maxsize=1)
def _connection() -> Connection:
    """One connection (and botocore client) per process: creating one costs ~100 ms."""
    return Connection(region=settings().aws_region)


@dataclass
class UnitOfWork:
    _saves: list[tuple[TableItem, Any]] = field(default_factory=list)
    _deletes: list[tuple[TableItem, Any]] = field(default_factory=list)
    _checks: list[tuple[TableItem, Any]] = field(default_factory=list)
    _updates: list[tuple[TableItem, list, Any]] = field(default_factory=list)

    def save(self, item: TableItem, condition: Any = None) -> None:
        self._saves.append((item, condition))

    def delete(self, item: TableItem, condition: Any = None) -> None:
        self._deletes.append((item, condition))

    def update(self, item: TableItem, actions: list, condition: Any = None) -> None:
        """Update expressions for counters (``ADD``) and removing attributes, where a whole-item
        save would need a read first."""
        self._updates.append((item, actions, condition))

    def check(self, item: TableItem, condition: Any) -> None:
        """Asserts something about an item that is not written (e.g. the gig is still published)."""
        self._checks.append((item, condition))

    @property
    def size(self) -> int:
        return len(self._saves) + len(self._deletes) + len(self._checks) + len(self._updates)

    def commit(self) -> None:
        if self.size == 0:
            return
        if self.size > MAX_TRANSACTION_ITEMS:
            raise Conflict(f"This change touches {self.size} items; at most {MAX_TRANSACTION_ITEMS} fit "
                           "in one transaction.", code="too_many_items")
        try:
            if self.size == 1 and not self._checks:
                # A lone write needs no transaction (and costs half as much); the version condition
                # still applies.
                if self._saves:
                    item, condition = self._saves[0]
                    item.save(condition=condition)
                elif self._updates:
                    item, actions, condition = self._updates[0]
                    item.update(actions=actions, condition=condition)
                else:
                    item, condition = self._deletes[0]
                    item.delete(condition=condition)
                return
            with TransactWrite(connection=_connection()) as tx:
                for item, condition in self._checks:
                    tx.condition_check(type(item), item.pk, item.sk, condition=condition)
                for item, condition in self._saves:
                    tx.save(item, condition=condition)
                for item, condition in self._deletes:
                    tx.delete(item, condition=condition)
                for item, actions, condition in self._updates:
                    tx.update(item, actions=actions, condition=condition)
        except (TransactWriteError, PutError, DeleteError, UpdateError) as exc:
            if _is_condition_failure(exc):
                raise Conflict("Someone changed this at the same time; read it again and retry.",
                               code="concurrent_update") from None
            transient = transient_failure(exc)
            if transient is not None:
                raise transient from exc
            raise
        finally:
            self._saves.clear()
            self._deletes.clear()
            self._checks.clear()
            self._updates.clear()


# DynamoDB error codes for failures that pass: the request may be sent again as it is.
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                              "RequestLimitExceeded", "ThrottlingError", "ProvisionedThroughputExceeded"})
INTERNAL_CODES = frozenset({"InternalServerError", "ServiceUnavailable"})
CONTENTION_CODES = frozenset({"TransactionConflictException", "TransactionConflict",
                              "TransactionInProgressException"})
_BUSY_MESSAGE = "The store is busy right now; nothing was written. Retry after the time given."


def _is_condition_failure(exc: Exception) -> bool:
    """A condition failed: someone else's write got there first (409). A cancelled transaction is
    one when any item's condition failed, whatever the others' reasons."""
    code = getattr(exc, "cause_response_code", None)
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        return "ConditionalCheckFailed" in _reason_codes(exc)
    return False


def _reason_codes(exc: Exception) -> set[str]:
    return {r.code for r in (getattr(exc, "cancellation_reasons", None) or []) if r is not None and r.code}


def transient_failure(exc: Exception) -> TemporarilyUnavailable | None:
    """The 503 a store error becomes when it is not a condition failure and passes with time:
    throttling, an internal error, or a transaction conflict (another transaction held an item,
    no condition failed). None for anything else (a bug, a validation error: those stay 500s)."""
    code = getattr(exc, "cause_response_code", None)
    if code in CONTENTION_CODES:
        return Contended(_BUSY_MESSAGE)
    if code in THROTTLING_CODES or code in INTERNAL_CODES:
        return TemporarilyUnavailable(_BUSY_MESSAGE)
    if code == "TransactionCanceledException":
        reasons = _reason_codes(exc) - {"None"}
        if reasons and reasons <= CONTENTION_CODES:
            return Contended(_BUSY_MESSAGE)
        if reasons and reasons <= CONTENTION_CODES | THROTTLING_CODES | INTERNAL_CODES:
            return TemporarilyUnavailable(_BUSY_MESSAGE)
    return None
