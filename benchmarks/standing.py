"""Figure: what W1's standing check costs per write.

Every POST/PUT/PATCH/DELETE of a signed-in user who is not an operator first reads that user's
item (one consistent GetItem) to see whether the account is suspended or blocked. The read is kept
for the request (store/users.py ``request_scope``), so a route whose service reads the caller's
user anyway pays nothing more; other routes pay that one GetItem. Each write below runs twice on the
demo data under moto, with the check on and off (``handlers.api.STANDING_CHECK``), and the
DynamoDB calls of each run are printed side by side; then the cost of a refused write."""
from __future__ import annotations

from datetime import UTC, datetime

from benchmarks import calls
from benchmarks.report import heading, line, table
from benchmarks.routes import Scenario

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "standing"


def _writes(s: Scenario) -> list[tuple[str, str, str, str, object, int]]:
    """(method, template, path, user, body, expected status): writes that can run again and again."""
    gig = s.call("GET", "/me/gigs", user="dana")["items"][0]["id"]
    draft = s.call("POST", "/gigs", user="dana", body={"title": "I will paint your hallway"}, expect=201)["id"]
    conversation = s.call("GET", "/conversations", user="bob")["items"][0]["id"]
    return [
        ("PUT", "/me/preferences", "/me/preferences", "dana",
         {"preferences": {"order_placed": {"push": False, "email": True}}}, 200),
        ("POST", "/gigs", "/gigs", "dana", {"title": "I will paint your hallway"}, 201),
        ("PATCH", "/gigs/{gig_id}", f"/gigs/{draft}", "dana", {"title": "I will paint your staircase"}, 200),
        ("POST", "/conversations/{conversation_id}/messages", f"/conversations/{conversation}/messages", "bob",
         {"text": "Still free on Tuesday?"}, 201),
        ("POST", "/orders", "/orders", "bob", {"gig_id": gig, "tier": "basic"}, 201),
        ("POST", "/me/notifications/read-all", "/me/notifications/read-all", "alice", None, 200),
    ]


def run() -> list[tuple[str, int, int]]:
    from benchmarks.routes import demo_world
    from chalicelib.domain.clock import FixedClock
    from chalicelib.handlers.api import STANDING_CHECK
    from local.tokens import user_id_for

    rows: list[tuple[str, int, int]] = []
    with demo_world(SECTION, FixedClock(START)) as s:
        for method, template, path, user, body, expect in _writes(s):
            tallies = {}
            for enabled in (True, False):
                STANDING_CHECK.enabled = enabled
                try:
                    s.call(method, template, path, user=user, body=body, expect=expect)
                finally:
                    STANDING_CHECK.enabled = True
                tallies[enabled] = s.results[-1].tally
            rows.append((f"{method} {template}", tallies[True].ddb_total, tallies[False].ddb_total))
        # A refused write: the suspended user's one read, nothing else.
        s.call("POST", "/users/{user_id}/warnings", f"/users/{user_id_for('lior')}/warnings", user="olga",
               body={"type": "spam", "reason": "Bench", "severe": True}, expect=201)
        refused = s.call("POST", "/gigs", user="lior", body={"title": "I will paint your hallway"}, expect=403)
        assert refused["code"] == "account_blocked", refused
        blocked = s.results[-1].tally
    _print(rows, blocked)
    return rows


def _print(rows: list[tuple[str, int, int]], refused: calls.Tally) -> None:
    heading("W1 standing check: DynamoDB calls per write, with the check and without (moto, demo data)")
    table(["WRITE", "WITH CHECK", "WITHOUT", "EXTRA"], [[w, a, b, a - b] for w, a, b in rows], right=(1, 2, 3))
    free = [w for w, a, b in rows if a == b]
    line()
    line(f"{len(free)} of {len(rows)} writes pay nothing for the check (their service reads the caller's user, "
         "and gets the check's read); the others pay one GetItem.")
    line(f"a refused write (blocked user): {refused.ddb_total} DynamoDB call(s): {refused.breakdown()}")
