"""The sweeper: fires due deadlines through the services that own them. It reads only the due
index (each shard, ``due_at <= now``), so its cost follows what is due, not the table. A fire that
loses a race (Conflict) or fails leaves its deadline in place for the next sweep. A fire that finds
its deadline already handled (another sweep fired it, or the due index, eventually consistent,
still showed a deleted timer) returns False and counts as ``stale``, not ``fired``.

Which function fires which deadline kind is the runtime's ``timers`` map, registered by the
composition root (chalicelib/root.py); every DeadlineKind has exactly one (docs/adding-a-timer.md)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.config import settings
from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict
from chalicelib.observability import logger
from chalicelib.services import runtime
from chalicelib.store import deadlines as deadline_store
from chalicelib.store.records import Record


@dataclass
class SweepReport:
    fired: int = 0
    lost_races: int = 0
    failed: int = 0
    stale: int = 0

    def as_dict(self) -> dict:
        return {"fired": self.fired, "lost_races": self.lost_races, "failed": self.failed, "stale": self.stale}


def sweep(clock: Clock, batch: int = 100) -> SweepReport:
    report = SweepReport()
    timers = runtime.current().timers
    now = clock.now()
    for shard in range(settings().due_shards):
        try:
            for deadline in deadline_store.due(now, shard, batch):
                _fire(timers, deadline, clock, report)
        except Exception:  # the shard's due query failed (throttled): the other shards go on
            logger.exception("due query failed", extra={"shard": shard})
            report.failed += 1
    logger.info("sweep done", extra=report.as_dict())
    return report


def _fire(timers: Mapping[DeadlineKind, runtime.TimerFire], deadline: Record[Deadline], clock: Clock,
          report: SweepReport) -> None:
    try:
        if timers[deadline.value.kind](deadline, clock) is False:
            report.stale += 1
        else:
            report.fired += 1
    except Conflict:  # a failed condition, or another transaction held an item (Contended)
        report.lost_races += 1
    except Exception:  # one bad deadline must not stop the rest; it stays for next time
        logger.exception("deadline failed", extra={"kind": deadline.value.kind,
                                                   "subject": deadline.value.subject})
        report.failed += 1
