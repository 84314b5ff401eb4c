"""The quick responses service (O18) unit-tested with a fake unit of work: no moto, no DynamoDB.
The runtime's ``unit_of_work`` factory hands the service a FakeUnitOfWork; the two reads it makes
are stubbed; any AWS call fails the test."""
from __future__ import annotations

from datetime import UTC, datetime

import botocore.client
import pytest

from chalicelib.config import Settings
from chalicelib.domain.accounts import SellerProfile, User
from chalicelib.domain.clock import FixedClock
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.messaging import MAX_QUICK_RESPONSES, QuickResponses
from chalicelib.root import build_runtime
from chalicelib.services import quick_responses, runtime
from chalicelib.services.payments import LocalPayments
from chalicelib.store import quick_responses as quick_response_store
from chalicelib.store import users as user_store
from chalicelib.store.quick_responses import QuickResponsesItem
from chalicelib.store.records import Record
from tests.support.fake_uow import FakeUnitsOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROFILE = SellerProfile("Dana", "Kitchens and bathrooms.", "file_1", ("tiling",), (), ())


@pytest.fixture
def units(monkeypatch):
    def no_aws(self, operation, params):
        raise AssertionError(f"unit test reached AWS: {operation}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", no_aws)
    made = FakeUnitsOfWork()
    with runtime.using(build_runtime(Settings(), clock=FixedClock(NOW), payments=LocalPayments(),
                                     unit_of_work=made)):
        yield made


@pytest.fixture
def stored(monkeypatch):
    """The seller's quick responses as the store would load them (one item per seller)."""
    users = {"u_dana": User("u_dana", "dana", None, NOW, seller=PROFILE),
             "u_bob": User("u_bob", "bob", None, NOW)}
    kept: dict[str, QuickResponses] = {}

    def get_or_new(seller_id):
        return Record(kept.get(seller_id, QuickResponses(seller_id)),
                      QuickResponsesItem(f"USER#{seller_id}", "QUICK_RESPONSES"))

    monkeypatch.setattr(user_store, "get", lambda user_id: Record(users[user_id], None) if user_id in users else None)
    monkeypatch.setattr(quick_response_store, "get_or_new", get_or_new)
    return kept


def test_o18_create_stages_one_save_of_the_sellers_item_and_commits_it(units, stored):
    response = quick_responses.create("u_dana", "Thanks", "Thank you for your order!", runtime.clock())
    assert [uow.commits for uow in units.made] == [1]
    [(operation, item, _)] = units.committed
    assert operation == "save" and (item.pk, item.sk) == ("USER#u_dana", "QUICK_RESPONSES")
    assert [r["id"] for r in item.data["responses"]] == [response.id]
    assert item.data["responses"][0]["text"] == "Thank you for your order!"


def test_o18_the_cap_and_non_sellers_commit_nothing(units, stored):
    full = QuickResponses("u_dana")
    for n in range(MAX_QUICK_RESPONSES):
        full, _ = full.add(f"Reply {n}", "Hello there.", NOW)
    stored["u_dana"] = full
    with pytest.raises(Conflict) as refused:
        quick_responses.create("u_dana", "One more", "Hello again.", runtime.clock())
    assert refused.value.rule == "O18"
    with pytest.raises(Forbidden):
        quick_responses.create("u_bob", "Hi", "Hello.", runtime.clock())
    with pytest.raises(NotFound):
        quick_responses.delete("u_dana", "qr_nope")
    assert units.committed == []


def test_o18_delete_stages_the_item_without_the_response(units, stored):
    value, kept = QuickResponses("u_dana").add("Thanks", "Thank you!", NOW)
    value, gone = value.add("Bye", "Goodbye!", NOW)
    stored["u_dana"] = value
    quick_responses.delete("u_dana", gone.id)
    [(operation, item, _)] = units.committed
    assert operation == "save"
    assert [r["id"] for r in item.data["responses"]] == [kept.id]
