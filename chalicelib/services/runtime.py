"""The runtime: everything services are handed from outside, in one object.

- ``clock``: what time it is (tests and simulations install a FixedClock);
- ``payments``: the payment port (services/payments.py);
- ``unit_of_work``: a factory of units of work (store/unit_of_work.UnitOfWork against DynamoDB; a
  fake in unit tests);
- ``thread_kinds``: thread kind -> who may see a thread of that kind (messaging: spam reports, O5);
- ``stream_kinds``: stream kind -> who may see what a file attached to such a stream belongs to
  (files, F1);
- ``timers``: deadline kind -> the one function the sweeper fires it with;
- ``reactions``: what runs after an event leaves its transaction, by event kind (the outbox's
  handlers: notifications, invitation e-mail, ...; services/reactions.py).

The composition root (chalicelib/root.py) builds it once: app.py for the deployed Lambda functions,
local/run.py for ``make run``, the tests' conftest and the benchmarks for themselves. It installs it
here, and services and handlers read it through ``current()`` (``clock()`` is its shortcut for the
handlers). Nothing is installed, and nothing is registered, by importing a module: until a root
installs a runtime, ``current()`` raises.

Why an installed object rather than a parameter of every service function: the clock already
travels as an argument where the domain needs the time, and threading a runtime through every
handler, service and test signature would change every call for no gain in what a reader learns.
The dependencies are still explicit: they are the fields of ``Runtime``, built in one place, with no
module-level default behind them (no silent SystemClock, no payment port that accepts everything)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline, DeadlineKind

if TYPE_CHECKING:
    from chalicelib.services.payments import PaymentPort
    from chalicelib.services.reactions import Reactions
    from chalicelib.store.records import Record
    from chalicelib.store.unit_of_work import UnitOfWork

Visibility = Callable[[str, str], bool]  # (id within the kind, user id) -> may this user see it?
TimerFire = Callable[["Record[Deadline]", Clock], "bool | None"]  # False: nothing was left to do
UnitOfWorkFactory = Callable[[], "UnitOfWork"]


class DuplicateRegistration(ValueError):
    """A kind registered twice: each kind has exactly one home."""


@dataclass
class Registrations:
    """What the root registers: who may see each thread kind and stream kind, and which function
    fires each deadline kind. Registering a kind twice is refused."""

    thread_kinds: dict[str, Visibility] = field(default_factory=dict)
    stream_kinds: dict[str, Visibility] = field(default_factory=dict)
    timers: dict[DeadlineKind, TimerFire] = field(default_factory=dict)

    def thread_kind(self, kind: str, may_see: Visibility) -> Registrations:
        """A message thread kind. Who may see a thread may also see the files attached to it (F1),
        so the kind is a stream kind as well."""
        _add(self.thread_kinds, kind, may_see, "thread kind")
        return self.stream_kind(kind, may_see)

    def stream_kind(self, kind: str, may_see: Visibility) -> Registrations:
        """A kind of stream files attach to (``"<kind>:<id>"``): who may see what it is."""
        _add(self.stream_kinds, kind, may_see, "stream kind")
        return self

    def timer(self, kind: DeadlineKind, fire: TimerFire) -> Registrations:
        """The function the sweeper fires deadlines of ``kind`` with (docs/adding-a-timer.md)."""
        _add(self.timers, kind, fire, "deadline kind")
        return self


def _add(registry: dict, kind, value, what: str) -> None:
    if kind in registry:
        raise DuplicateRegistration(f"{what} {kind!r} is registered twice")
    registry[kind] = value


@dataclass(frozen=True)
class Runtime:
    clock: Clock
    payments: PaymentPort
    unit_of_work: UnitOfWorkFactory
    thread_kinds: Mapping[str, Visibility]
    stream_kinds: Mapping[str, Visibility]
    timers: Mapping[DeadlineKind, TimerFire]
    reactions: Reactions

    @classmethod
    def of(cls, clock: Clock, payments: PaymentPort, unit_of_work: UnitOfWorkFactory,
           registrations: Registrations, reactions: Reactions) -> Runtime:
        return cls(clock=clock, payments=payments, unit_of_work=unit_of_work,
                   thread_kinds=MappingProxyType(dict(registrations.thread_kinds)),
                   stream_kinds=MappingProxyType(dict(registrations.stream_kinds)),
                   timers=MappingProxyType(dict(registrations.timers)), reactions=reactions)

    def with_stream_kind(self, kind: str, may_see: Visibility) -> Runtime:
        """This runtime with another visibility check for ``kind`` (tests)."""
        return replace(self, stream_kinds=MappingProxyType({**self.stream_kinds, kind: may_see}))


_installed: Runtime | None = None


class NoRuntime(RuntimeError):
    pass


def current() -> Runtime:
    if _installed is None:
        raise NoRuntime("No runtime is installed: the composition root (chalicelib/root.py: "
                        "runtime.install(build_runtime(settings()))) has not run in this process.")
    return _installed


def installed() -> Runtime | None:
    return _installed


def install(runtime: Runtime | None) -> Runtime | None:
    """Installs ``runtime`` (None uninstalls) and returns the previous one, to be put back."""
    global _installed
    previous, _installed = _installed, runtime
    return previous


@contextmanager
def using(runtime: Runtime) -> Iterator[Runtime]:
    previous = install(runtime)
    try:
        yield runtime
    finally:
        install(previous)


def clock() -> Clock:
    """The installed runtime's clock: how handlers read the time."""
    return current().clock


def use_clock(new: Clock) -> Clock:
    """Installs the current runtime with ``new`` as its clock and returns the previous clock (so a
    test or a simulation can put it back)."""
    runtime = current()
    install(replace(runtime, clock=new))
    return runtime.clock
