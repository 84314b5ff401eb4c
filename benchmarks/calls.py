"""Counts AWS API calls (DynamoDB above all) made by the code under test.

Two independent counters, so neither can miss calls silently:

* the **event hook**: every botocore client created by any botocore session (boto3's default
  session, the sessions PynamoDB makes per connection, Powertools' idempotency client) gets a
  ``before-call`` handler on its own ``meta.events``; botocore emits ``before-call.<service>.<Op>``
  once per API call, before moto's ``before-send`` stub answers it;
* the **cross-check**: ``botocore.client.BaseClient._make_api_call`` is wrapped, which every
  client method and PynamoDB's ``Connection._make_api_call`` go through.

``install()`` must run before the app creates its first client: a call from a client without the
hook still shows in the cross-check and is reported as ``unhooked``."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.client
import botocore.session

HOOK_ID = "benchmarks-call-counter"
_HOOKED_ATTR = "_benchmarks_hooked"


@dataclass
class Tally:
    """What happened inside one ``measure()`` block."""

    hooked: Counter = field(default_factory=Counter)      # (service, operation) from before-call
    made: Counter = field(default_factory=Counter)        # (service, operation) from _make_api_call
    clients: Counter = field(default_factory=Counter)     # service -> botocore clients created
    unhooked: int = 0
    seconds: float = 0.0          # the whole measure() block
    client_seconds: float = 0.0   # inside Session.create_client
    call_seconds: float = 0.0     # inside _make_api_call (under moto: moto's own handling)

    def ddb(self) -> Counter:
        return Counter({op: n for (service, op), n in self.hooked.items() if service == "dynamodb"})

    @property
    def ddb_total(self) -> int:
        return sum(self.ddb().values())

    def other(self) -> Counter:
        return Counter({f"{s}:{op}": n for (s, op), n in self.hooked.items() if s != "dynamodb"})

    @property
    def consistent(self) -> bool:
        return self.hooked == self.made and self.unhooked == 0

    def breakdown(self) -> str:
        """'GetItem 2, Query 1, TransactWriteItems 1' (other services after, as 's3:PutObject 1')."""
        parts = [f"{op} {n}" for op, n in sorted(self.ddb().items(), key=lambda kv: (-kv[1], kv[0]))]
        parts += [f"{op} {n}" for op, n in sorted(self.other().items())]
        return ", ".join(parts) or "-"


_current: list[Tally] = []   # a stack: nested measure() blocks all see the calls
_installed = False


def _record(attr: str, key) -> None:
    for tally in _current:
        getattr(tally, attr)[key] += 1


def _add_time(attr: str, seconds: float) -> None:
    for tally in _current:
        setattr(tally, attr, getattr(tally, attr) + seconds)


def _on_before_call(event_name: str, **_kwargs) -> None:
    # event_name is 'before-call.<service id, hyphenized>.<OperationName>'
    _, service, operation = event_name.split(".", 2)
    _record("hooked", (service, operation))


def install() -> None:
    """Idempotent. Patches client creation (to register the hook) and _make_api_call."""
    global _installed
    if _installed:
        return
    _installed = True

    original_create = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        start = time.perf_counter()
        client = original_create(self, service_name, *args, **kwargs)
        _add_time("client_seconds", time.perf_counter() - start)
        client.meta.events.register("before-call", _on_before_call, unique_id=HOOK_ID)
        setattr(client, _HOOKED_ATTR, True)
        _record("clients", service_name)
        return client

    original_make = botocore.client.BaseClient._make_api_call

    def _make_api_call(self, operation_name, api_params):
        service_id = self.meta.service_model.service_id.hyphenize()
        _record("made", (service_id, operation_name))
        if not getattr(self, _HOOKED_ATTR, False):
            for tally in _current:
                tally.unhooked += 1
        start = time.perf_counter()
        try:
            return original_make(self, operation_name, api_params)
        finally:
            _add_time("call_seconds", time.perf_counter() - start)

    botocore.session.Session.create_client = create_client
    botocore.client.BaseClient._make_api_call = _make_api_call


@contextmanager
def measure() -> Iterator[Tally]:
    tally = Tally()
    _current.append(tally)
    start = time.perf_counter()
    try:
        yield tally
    finally:
        tally.seconds = time.perf_counter() - start
        _current.remove(tally)
