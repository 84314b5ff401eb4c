"""Helpers for the race and fault tests of the order lifecycle (test_order_races.py,
test_sweeper_faults.py): orders set up through the services, a look at everything an order
wrote, moto made atomic per call, and botocore hooks that hold or fail chosen DynamoDB calls.

moto answers in-process and shares one backend between threads, but its TransactWriteItems is
not atomic: it snapshots the table, applies the items one by one and, on a failed condition,
puts the *whole table* back from the snapshot, erasing whatever another thread committed in
between. Real DynamoDB makes each call atomic (and transactions serializable), so the tests make
moto answer one request at a time (``atomic_moto``). Threads still interleave between calls:
the read-then-conditional-write races of the services stay real."""
from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError
from moto.core.botocore_stubber import BotocoreStubber

from chalicelib.domain.errors import Conflict, DomainError
from chalicelib.domain.ledger import SELLER_SHARE_PERCENT
from chalicelib.domain.orders import REVIEW_PERIOD, Order, OrderState
from chalicelib.domain.pricing import Selection
from chalicelib.domain.requirements import Answer
from chalicelib.services import orders
from chalicelib.services.orders import Viewer
from chalicelib.store import events as event_store
from chalicelib.store import orders as order_store
from chalicelib.store.orders import OrderTimerItem
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import _connection

_ids = itertools.count()
PRICE = 10000  # the basic package of conftest.gig_body()
SELLER_SHARE = PRICE * SELLER_SHARE_PERCENT // 100


# -- moto, one request at a time ------------------------------------------------------------------
@contextlib.contextmanager
def atomic_moto() -> Iterator[None]:
    lock = threading.RLock()
    original = BotocoreStubber.__call__

    def locked(self, event_name, request, **kwargs):
        with lock:
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = locked
    try:
        yield
    finally:
        BotocoreStubber.__call__ = original


# -- hooks on the DynamoDB clients the app uses ---------------------------------------------------
def dynamodb_clients() -> list[Any]:
    """Every botocore client the store may call through: the unit of work's connection and each
    PynamoDB model's own (PynamoDB keeps one connection per model class)."""
    clients = {id(c): c for c in [_connection().client]}
    pending = [TableItem]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        client = cls._get_connection().connection.client
        clients.setdefault(id(client), client)
    return list(clients.values())


@contextlib.contextmanager
def on_call(operation: str, handler: Callable[..., Any], when: str = "before-call") -> Iterator[None]:
    """Runs ``handler`` on every DynamoDB ``operation`` call of the app: ``before-call`` (with
    ``params=``: the call is not sent if it raises) or ``after-call`` (with ``parsed=``: DynamoDB
    has done the work, the caller sees what the handler raises)."""
    unique = f"orders-under-stress-{next(_ids)}"
    event = f"{when}.dynamodb.{operation}"
    clients = dynamodb_clients()
    for client in clients:
        client.meta.events.register(event, handler, unique_id=unique)
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister(event, unique_id=unique)


def before_call(operation: str, handler: Callable[..., Any]):
    return on_call(operation, handler, "before-call")


def client_error(operation: str, code: str, reasons: list[dict] | None = None) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": f"injected {code}"},
                                "ResponseMetadata": {"HTTPStatusCode": 400}}
    if reasons is not None:
        response["CancellationReasons"] = reasons
    return ClientError(response, operation)


@dataclass
class Faults:
    """Fails chosen calls of one operation: the calls (1-based) among those ``matching`` their
    parameters, with a botocore ClientError, as DynamoDB answers when a condition fails or
    throttling outlasts the retries. ``after=True`` raises after DynamoDB did the work (a lost
    response: the caller cannot tell whether it happened)."""

    operation: str
    fail_on: set[int]
    code: str
    reasons: list[dict] | None = None
    matching: Callable[[dict], bool] = lambda params: True
    after: bool = False
    calls: int = 0
    injected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _params: threading.local = field(default_factory=threading.local)

    def _before(self, params: dict, **_kwargs) -> None:
        params = json.loads(params.get("body") or b"{}")  # the request as sent: the API's parameters
        self._params.value = params
        if not self.after:
            self._count_and_maybe_fail(params)

    def _after(self, **_kwargs) -> None:
        self._count_and_maybe_fail(self._params.value)

    def _count_and_maybe_fail(self, params: dict) -> None:
        if not self.matching(params):
            return
        with self._lock:
            self.calls += 1
            if self.calls not in self.fail_on:
                return
            self.injected += 1
        raise client_error(self.operation, self.code, self.reasons)

    @contextlib.contextmanager
    def installed(self) -> Iterator[Faults]:
        with before_call(self.operation, self._before):
            if self.after:
                with on_call(self.operation, self._after, "after-call"):
                    yield self
            else:
                yield self


# -- orders through the services ------------------------------------------------------------------
@dataclass(frozen=True)
class Parties:
    seller_id: str
    buyer_id: str
    gig: dict

    @property
    def seller(self) -> Viewer:
        return Viewer(self.seller_id)

    @property
    def buyer(self) -> Viewer:
        return Viewer(self.buyer_id)


def answers_for(gig: dict) -> list[Answer]:
    return [Answer(r["id"], text="About 12 square metres") for r in gig["requirements"]]


def started_order(p: Parties, clock) -> Order:
    """Placed (basic: 5 days, 1 revision) and its requirements submitted: in progress."""
    order = orders.place(p.buyer_id, p.gig["id"], Selection(tier="basic"), clock)
    return orders.submit_requirements(order.id, p.buyer, answers_for(p.gig), clock)


def delivered_order(p: Parties, clock) -> Order:
    order = started_order(p, clock)
    return orders.deliver(order.id, p.seller, "The plan is attached.", (), False, clock)


def past_review_period(clock) -> None:
    """The clock just past O8's auto-complete time of orders delivered now."""
    clock.advance(seconds=(REVIEW_PERIOD + timedelta(minutes=1)).total_seconds())


# -- what an order wrote ------------------------------------------------------------------------
@dataclass
class Written:
    order: Order
    ledger: Counter  # entry kind -> entries
    ledger_seqs: list[int]
    events: Counter  # event kind -> events
    timer_items: list[str]  # TIMER#<kind> items still in the partition
    deliveries: int


def written(order_id: str) -> Written:
    record = order_store.get(order_id)
    assert record is not None
    entries = order_store.ledger_of(order_id)
    events = event_store.history(f"order:{order_id}")
    timers = [i.sk for i in OrderTimerItem.query(f"ORDER#{order_id}", OrderTimerItem.sk.startswith("TIMER#"),
                                                 consistent_read=True)]
    delivered, _ = order_store.deliveries(order_id, 100, None)
    return Written(record.value, Counter(e["kind"] for e in entries), [e["seq"] for e in entries],
                   Counter(e.kind for e in events), timers, len(delivered))


def assert_completed_once(order_id: str) -> None:
    """O7/O8 and M1: completed, settled once (80/20 of what was paid), one completion event."""
    w = written(order_id)
    assert w.order.state is OrderState.COMPLETED
    assert w.ledger == Counter({"payment": 1, "seller_earning": 1, "platform_fee": 1})
    assert w.ledger_seqs == [1, 2, 3]  # numbered without a gap
    assert w.order.balance.seller_earnings == SELLER_SHARE and w.order.balance.held == 0
    completions = w.events["order.accept"] + w.events["order.auto_complete"]
    assert completions == 1, w.events
    assert w.timer_items == []


def assert_earnings(seller_id: str, completed: int) -> None:
    """M1: the seller's totals and entries count each settlement once."""
    summary, entries, _ = orders.earnings(seller_id, 100, None)
    assert summary == {"earned": completed * SELLER_SHARE, "settlements": completed}
    assert len(entries) == completed


def due_index_items() -> list[Any]:
    """Everything left in the due index, every shard (a scan of the index: tests only)."""
    return list(TableItem.due.scan())


# -- threads ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def conflict(self) -> bool:
        return isinstance(self.error, Conflict)


def run_together(*fns: Callable[[], Any]) -> list[Outcome]:
    """Runs each function in its own thread, released together by a barrier; returns what each
    returned or raised (a DomainError or anything else), in the order given.

    Nothing here waits on a clock: a loaded machine only makes it slower. The threads are
    joined without a timeout (every function returns or raises: each call to moto does); a
    thread that truly hangs is reported by pytest's faulthandler (``faulthandler_timeout`` in
    pytest.ini dumps every thread's stack), never guessed from how long a join took."""
    barrier = threading.Barrier(len(fns))
    outcomes = [Outcome() for _ in fns]

    def worker(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[i].value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test to judge
            outcomes[i].error = exc
        finally:
            for gate in list(_OPEN_GATES):
                gate.finished()

    threads = [threading.Thread(target=worker, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


class CommitGate:
    """Holds the first TransactWriteItems of each racing thread until ``parties`` threads have
    either reached theirs or finished without one; then lets every commit through.

    It waits on progress, not on a clock: a side that returns (or raises) before committing
    counts as arrived, so the other is never left waiting for a commit that will not come."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self._ready = threading.Condition()
        self._arrived: set[int] = set()  # threads holding a commit, or finished
        self._open = False

    def _count(self, thread: int) -> None:
        self._arrived.add(thread)
        if len(self._arrived) >= self.parties:
            self._open = True
            self._ready.notify_all()

    def hold(self, **_kwargs) -> None:
        with self._ready:
            if self._open:
                return
            self._count(threading.get_ident())
            self._ready.wait_for(lambda: self._open)

    def finished(self) -> None:
        with self._ready:
            self._count(threading.get_ident())


_OPEN_GATES: list[CommitGate] = []


@contextlib.contextmanager
def commits_held_until_all_have_read(parties: int) -> Iterator[CommitGate]:
    """Holds every TransactWriteItems until ``parties`` threads have reached theirs, so each read
    the order before any commit: the interleaving where exactly one commit can win. The racing
    threads must be started by ``run_together`` (which tells the gate when one finishes)."""
    gate = CommitGate(parties)
    _OPEN_GATES.append(gate)
    try:
        with before_call("TransactWriteItems", gate.hold):
            yield gate
    finally:
        _OPEN_GATES.remove(gate)


def refused(outcome: Outcome) -> bool:
    """A loser that was told so: a Conflict (409), never anything else."""
    return outcome.error is not None and isinstance(outcome.error, DomainError) and outcome.conflict
