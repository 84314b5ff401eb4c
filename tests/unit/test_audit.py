"""The audit entry (W1): what an operator action records."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.audit import REASON_MAX, AuditAction, ObjectKind, record
from chalicelib.domain.clock import FixedClock
from chalicelib.domain.errors import InvalidInput

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_an_entry_records_who_what_which_object_why_and_when():
    entry = record("usr_olga", AuditAction.GIG_REMOVED, ObjectKind.GIG, "gig_1", "  Counterfeit  ",
                   FixedClock(NOW), {"by": "report"})
    assert (entry.operator_id, entry.action, entry.object_kind, entry.object_id, entry.reason, entry.at) == (
        "usr_olga", AuditAction.GIG_REMOVED, ObjectKind.GIG, "gig_1", "Counterfeit", NOW)
    assert entry.details == {"by": "report"} and entry.id.startswith("aud_")
    other = record("usr_olga", AuditAction.GIG_REMOVED, ObjectKind.GIG, "gig_1", "x", FixedClock(NOW))
    assert other.id != entry.id  # two actions in the same instant are two entries


def test_a_reason_has_a_bound():
    record("o", AuditAction.GIG_REMOVED, ObjectKind.GIG, "g", "x" * REASON_MAX, FixedClock(NOW))
    with pytest.raises(InvalidInput) as refused:
        record("o", AuditAction.GIG_REMOVED, ObjectKind.GIG, "g", "x" * (REASON_MAX + 1), FixedClock(NOW))
    assert refused.value.code == "reason_too_long"


def test_every_action_names_a_kind_of_object_it_acts_on():
    prefixes = {k.value for k in ObjectKind} | {"dead_letter", "clock", "cancellation", "account", "suspension",
                                                "warning", "seller"}
    for action in AuditAction:
        assert action.value.split(".")[0] in prefixes, action
