"""Figure 5: one ``sweep(clock)`` over ``due`` order deadlines among many live orders: time and
DynamoDB calls with 1,000 and with 50,000 live orders (``--live``). The sweep reads only the due
index's ``due_at <= now`` ranges, so its calls follow what is due, not the table.

Setup, under moto, per size: dana's demo kitchen gig (published through the services); then the
orders are built by the domain itself (``Order.place`` / ``apply``) and their items by the store's
own staging (``store/orders.stage_save``, ``stage_ledger``, ``stage_delivery``,
``store/events.stage``) into a UnitOfWork that is never committed, and written with
BatchWriteItem (placing 50,000 orders through the services would take hours under moto).

* ``due`` orders (one buyer each) are delivered at T0: their auto-complete (O8) is due at T0 + 3
  days; they carry every item a real one has (order, timer, payment, events, delivery);
* the other live orders are placed at T0, half awaiting requirements (O3 timer due at T0 + 7
  days), half in progress (late timers due at T0 + 7 and 8 days): the order item and its timers.

The clock then moves to T0 + 3 days + 1 minute and the sweep runs (then again, with nothing due).
moto's TransactWriteItems snapshot and its Query are made cheap (benchmarks/moto_fast.py: moto sorts
the whole table for every Query) and checked against unpatched moto first."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from benchmarks import calls
from benchmarks.report import heading, line, ms, progress, table

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "order_sweep"


def _gig(clock):
    from chalicelib.domain.levels import SellerLevel
    from chalicelib.services import accounts, catalogue, gigs
    from chalicelib.store import gigs as gig_store
    from local import demo
    from local.tokens import user_id_for

    for category in demo.CATALOGUE:
        catalogue.put_category(category, "seed", clock)
    seller_id = user_id_for("dana")
    from local.media_seed import seed_gig_image, seed_profile_photo

    profile = replace(demo.SELLERS["dana"], photo=seed_profile_photo(seller_id, clock))
    accounts.activate_seller(seller_id, "dana", None, profile, clock)
    accounts.set_seller_level(seller_id, SellerLevel.LEVEL_1)  # G9: publishes without review
    cover = seed_gig_image(seller_id, clock)  # G8: a gig publishes with a clean image
    draft = gigs.create_draft(seller_id, {**demo.GIGS["dana"][0], "media": [cover]}, clock)  # 2 requirements
    gigs.publish(seller_id, draft.id, clock)
    return gig_store.get(draft.id).value


def _answers(gig):
    from chalicelib.domain.requirements import Answer

    return tuple(Answer(r.id, text="About 12 square metres") if r.answer_type == "free_text"
                 else Answer(r.id, choices=(r.options[0],)) for r in gig.requirements)


def _items(gig, buyer_id: str, stage: str, answers):
    """The items one order has at ``stage``: placed | started | delivered."""
    from chalicelib.domain.events import Actor
    from chalicelib.domain.orders import Deliver, Order, SubmitRequirements
    from chalicelib.domain.pricing import Selection, gig_terms
    from chalicelib.domain.relationships import Relationship
    from chalicelib.store import events as event_store
    from chalicelib.store import orders as order_store
    from chalicelib.store.unit_of_work import UnitOfWork

    selection = Selection(tier="basic")
    order, outcome = Order.place(gig=gig, terms=gig_terms(gig, selection), buyer_id=buyer_id, seller_available=True,
                                 relationship=Relationship(seller_id=gig.seller_id, buyer_id=buyer_id), now=T0)
    outcomes = [outcome]
    if stage in ("started", "delivered"):
        outcomes.append(order.apply(SubmitRequirements(answers=answers), Actor.BUYER, buyer_id, T0))
    if stage == "delivered":
        outcomes.append(order.apply(Deliver(message="The plan is attached."), Actor.SELLER, gig.seller_id, T0))
    uow = UnitOfWork()
    order_store.stage_save(uow, order_store.new_record(order))
    if stage == "delivered":  # the due ones are complete; the others only need what the sweep could see
        for out in outcomes:
            order_store.stage_ledger(uow, order, out.ledger)
            if out.event is not None:
                event_store.stage(uow, out.event)
            if out.delivery is not None:
                order_store.stage_delivery(uow, order.id, out.delivery)
    items = [item for item, _ in uow._saves]
    for item in items:
        if getattr(item, "version", None) is None and "version" in type(item).get_attributes():
            item.version = 1  # as a first save would have written it
    return items


def _write(items: list) -> None:
    from chalicelib.store.table import TableItem

    with TableItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def _setup(live: int, due: int, clock) -> dict:
    from local.tokens import user_id_for

    gig = _gig(clock)
    answers = _answers(gig)
    started = time.perf_counter()
    counts = {"orders": 0, "items": 0}
    pending: list = []
    for i in range(live):
        stage = "delivered" if i < due else ("placed" if i % 2 else "started")
        buyer = user_id_for(f"order-sweep-buyer-{i if i < due else i % 500:05d}")
        pending.extend(_items(gig, buyer, stage, answers))
        counts["orders"] += 1
        if len(pending) >= 2000 or i + 1 == live:
            _write(pending)
            counts["items"] += len(pending)
            pending = []
            if (i + 1) % 5000 == 0 or i + 1 == live:
                rate = (i + 1) / (time.perf_counter() - started)
                progress(SECTION, f"{live} live: wrote {i + 1}/{live} orders ({counts['items']} items, "
                                  f"{rate:.0f} orders/s)")
    counts["seconds"] = time.perf_counter() - started
    return counts


def _timers_in_table() -> int:
    """Items in the due index, counted in moto's memory (a Scan under moto re-sorts the whole table
    for every page: minutes at this size); not a DynamoDB call, not measured."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.config import settings

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings().aws_region].get_table(settings().table_name)
    return sum(1 for partition in table.items.values() for item in partition.values() if "due_shard" in item.attrs)


def _one(live: int, due: int) -> dict:
    from moto import mock_aws

    from benchmarks.moto_fast import cheap_transaction_snapshots, fast_queries, self_check
    from chalicelib.config import settings
    from chalicelib.domain.clock import FixedClock
    from chalicelib.root import build_runtime
    from chalicelib.services import runtime, sweeper
    from local.resources import create_all

    clock = FixedClock(T0)
    previous = runtime.install(build_runtime(settings(), clock=clock))  # the composition root
    try:
        with mock_aws(), cheap_transaction_snapshots(), fast_queries():
            create_all()
            self_check()
            with calls.measure() as setup_tally:
                counts = _setup(live, due, clock)
            in_index = _timers_in_table()
            clock.advance(days=3, minutes=1)
            progress(SECTION, f"{live} live: sweeping ({in_index} timers in the due index, {due} due)")
            with calls.measure() as tally:
                report = sweeper.sweep(clock)
            with calls.measure() as idle_tally:
                idle = sweeper.sweep(clock)
            left = _timers_in_table()
            progress(SECTION, f"{live} live: {report.as_dict()} in {ms(tally.seconds)} ms, "
                              f"{tally.ddb_total} DynamoDB calls; then {idle.as_dict()} with {idle_tally.ddb_total}")
    finally:
        runtime.install(previous)
    return {"live": live, "due": due, "counts": counts, "setup": setup_tally, "in_index": in_index,
            "report": report, "tally": tally, "idle": idle, "idle_tally": idle_tally, "left": left}


def run(lives: list[int], due: int) -> dict:
    from chalicelib.config import settings

    rows = [_one(live, due) for live in lives]
    heading(f"5. Sweeper over order deadlines: {due} due auto-completes (O8) among N live orders "
            f"({settings().due_shards} due shards)")
    for r in rows:
        c = r["counts"]
        line(f"Setup for {r['live']:,} live orders: {c['items']:,} items written in {c['seconds']:.1f}s "
             f"({r['setup'].breakdown()}); {r['in_index']:,} timers in the due index before the sweep.")
    line()
    out = []
    for r in rows:
        for label, report, tally in (("due", r["report"], r["tally"]), ("right after", r["idle"], r["idle_tally"])):
            fired = report.fired
            beyond = tally.ddb_total - settings().due_shards
            out.append([f"{r['live']:,}", label, f"{report.fired}/{report.lost_races}/{report.failed}/{report.stale}",
                        ms(tally.seconds), ms(tally.call_seconds), tally.ddb_total,
                        f"{tally.ddb_total / fired:.2f}" if fired else "-",
                        f"{beyond / fired:.2f}" if fired else "-", tally.breakdown()])
    table(["LIVE ORDERS", "SWEEP", "FIRED/LOST/FAILED/STALE", "MS", "OF WHICH CALLS", "DDB", "DDB/DUE",
           "DDB/DUE EX SHARD QUERIES", "BREAKDOWN"], out, right=(3, 4, 5, 6, 7))
    if len(rows) >= 2:
        small, big = rows[0], rows[-1]
        line()
        line(f"Ratio {big['live']:,} / {small['live']:,} live orders: DynamoDB calls "
             f"{big['tally'].ddb_total / small['tally'].ddb_total:.2f}, time "
             f"{big['tally'].seconds / small['tally'].seconds:.2f} (even patched, moto filters every item with a "
             "due_shard for an index Query; DynamoDB reads only the key range).")
        fires = [r["tally"].seconds - r["idle_tally"].seconds for r in (small, big)]
        line(f"The fires alone (due sweep - the sweep right after, i.e. without the {settings().due_shards} index "
             f"Queries): {ms(fires[0])} ms and {ms(fires[1])} ms, ratio {fires[1] / fires[0]:.2f}.")
    line(f"Timers left in the due index after the sweeps: {', '.join(str(r['left']) for r in rows)} "
         f"(the not-yet-due ones of the other live orders).")
    line("DDB/DUE = the sweep's calls / deadlines fired; 'ex shard queries' leaves out the one due-index Query per")
    line("shard every sweep makes. Times are under moto in-process: relative only.")
    return {"rows": rows}
