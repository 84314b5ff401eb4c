"""The test clock's one item (``DEVCLOCK / SHIFT``): how far the server's clock runs ahead."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.dev_clock import ClockShift
from chalicelib.store.models import DevClockItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

KEY = ("DEVCLOCK", "SHIFT")


def get() -> Record[ClockShift, DevClockItem]:
    """The stored shift, or none yet (a new item to save)."""
    try:
        item = DevClockItem.get(*KEY, consistent_read=True)
    except DevClockItem.DoesNotExist:
        return Record(ClockShift(), DevClockItem(*KEY))
    return Record(from_primitive(ClockShift, item.data), item)


def offset() -> timedelta:
    """What ``ShiftedClock`` loads: one consistent GetItem."""
    return get().value.offset


def stage_save(uow: UnitOfWork, record: Record[ClockShift, DevClockItem], shift: ClockShift) -> None:
    """Conditioned on the version read (VersionAttribute): two advances at once cannot both apply
    to the same starting offset; the loser retries on the new one."""
    record.item.data = to_primitive(shift)
    record.value = shift
    uow.save(record.item)
