"""Figure 3: one ``chalicelib.services.sweeper.sweep(clock)``: time and DynamoDB calls, with
nothing due and with due availability deadlines.

Under moto: ``sellers`` sellers get an availability period through
``chalicelib.services.accounts.set_availability`` (each writes a start and an end deadline).
The first ``due`` of them start two days from now and each has one published gig (which the start
deadline hides and the end deadline lists again); the others start in thirty days. A
``FixedClock`` is then advanced past the near starts, and later past their ends."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from benchmarks import calls
from benchmarks.report import heading, line, ms, progress, table

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "sweeper"


def _setup(sellers: int, due: int, clock) -> list[str]:
    from chalicelib.domain.accounts import Availability, AvailabilityReason
    from chalicelib.domain.levels import SellerLevel
    from chalicelib.services import accounts, catalogue, gigs
    from local import demo
    from local.tokens import user_id_for

    for category in demo.CATALOGUE:
        catalogue.put_category(category, "seed", clock)
    profile = demo.SELLERS["lior"]
    gig_fields = demo.GIGS["lior"][0]
    today = clock.now().date()
    ids = []
    for i in range(sellers):
        user_id = user_id_for(f"sweep-seller-{i:04d}")
        ids.append(user_id)
        from local.media_seed import seed_profile_photo

        accounts.activate_seller(user_id, f"sweep-seller-{i:04d}", None,
                                 replace(profile, photo=seed_profile_photo(user_id, clock)), clock)
        accounts.set_seller_level(user_id, SellerLevel.LEVEL_1)  # G9: publishes without review
        near = i < due
        if near:
            from local.media_seed import seed_gig_image

            gig = gigs.create_draft(user_id, {**gig_fields, "media": [seed_gig_image(user_id, clock)]}, clock)
            gigs.publish(user_id, gig.id, clock)
        start = today + timedelta(days=2 if near else 30)
        accounts.set_availability(user_id, Availability(id="", start_date=start, end_date=start + timedelta(days=7),
                                                        reason=AvailabilityReason.VACATION), clock)
        if (i + 1) % 50 == 0 or i + 1 == sellers:
            progress(SECTION, f"set up {i + 1}/{sellers} sellers with availability periods ({min(i + 1, due)} near)")
    return ids


def _gig_states(seller_ids: list[str]) -> Counter:
    from chalicelib.store import gigs as gig_store

    return Counter(r.value.state.value for s in seller_ids for r in gig_store.of_seller(s))


def run(sellers: int, due: int) -> dict:
    from moto import mock_aws

    from chalicelib.config import settings
    from chalicelib.domain.clock import FixedClock, iso
    from chalicelib.root import build_runtime
    from chalicelib.services import runtime, sweeper
    from local.resources import create_all

    due = min(due, sellers)
    clock = FixedClock(T0)
    previous = runtime.install(build_runtime(settings(), clock=clock))  # the composition root
    rows = []
    try:
        with mock_aws():
            create_all()
            with calls.measure() as setup:
                ids = _setup(sellers, due, clock)
            near = ids[:due]

            def one(label: str, expected_due: int) -> None:
                with calls.measure() as tally:
                    report = sweeper.sweep(clock)
                states = _gig_states(near)
                rows.append((label, iso(clock.now()), expected_due, report, tally, states))
                progress(SECTION, f"{label}: {report.as_dict()} in {ms(tally.seconds)} ms, "
                                  f"{tally.ddb_total} DynamoDB calls; gigs of the near sellers: {dict(states)}")

            one("nothing due", 0)
            clock.advance(days=2, hours=1)
            one(f"{due} start deadlines due", due)
            one("right after (nothing due)", 0)
            clock.advance(days=7)
            one(f"{due} end deadlines due", due)
    finally:
        runtime.install(previous)

    heading(f"3. Sweeper: one sweep(clock), {sellers} sellers with availability periods, {due} of them near "
            f"({settings().due_shards} due shards)")
    line(f"Setup: {setup.ddb_total} DynamoDB calls ({setup.breakdown()}), {setup.seconds:.1f}s under moto.")
    line(f"Each seller holds 2 deadlines (start, end): {2 * sellers} deadline items; the near sellers have 1 gig "
         f"each.")
    line()
    out = []
    for label, at, _expected, report, tally, states in rows:
        fired = report.fired
        per = f"{tally.ddb_total / fired:.2f}" if fired else "-"
        beyond = tally.ddb_total - settings().due_shards
        per_beyond = f"{beyond / fired:.2f}" if fired else "-"
        out.append([label, at, f"{report.fired}/{report.lost_races}/{report.failed}", ms(tally.seconds),
                    ms(tally.client_seconds), ms(tally.call_seconds), sum(tally.clients.values()), tally.ddb_total,
                    per, per_beyond,
                    tally.breakdown(), ", ".join(f"{k} {v}" for k, v in sorted(states.items()))])
    table(["SWEEP", "CLOCK", "FIRED/LOST/FAILED", "MS", "OF WHICH CLIENT", "OF WHICH CALLS", "NEW CLIENTS", "DDB",
           "DDB/DUE", "DDB/DUE EX SHARD QUERIES", "BREAKDOWN", "NEAR SELLERS' GIGS AFTER"], out,
          right=(3, 4, 5, 6, 7, 8, 9))
    line()
    line(f"DDB/DUE = all calls of the sweep / deadlines fired; the 'ex shard queries' column leaves out the "
         f"{settings().due_shards} due-index Queries")
    line("every sweep makes (one per shard) whatever is due. Times are under moto in-process; 'of which client'")
    line("is spent creating botocore clients (a new one per multi-item transaction, see section 1), 'of which calls'")
    line("inside botocore _make_api_call (moto answering; moto deep-copies the table for every item of a")
    line("TransactWriteItems, so with ~1,000 items in the table each fire's transaction is slow under moto only).")
    return {"rows": rows}
