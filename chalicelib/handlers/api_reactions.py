"""The outbox's dead letters, for operators: list them, put one back (replay). Thin: each view calls
one service function and shapes the answer."""
from __future__ import annotations

from chalicelib.domain.codec import to_primitive
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.reactions import DeadLetterOut, DeadLetterPage, ReplayOut
from chalicelib.services import reactions, runtime

api = Api(__name__, tag="operations")


def dead_letter_out(letter: reactions.DeadLetter) -> DeadLetterOut:
    e, s = letter.event, letter.status
    return DeadLetterOut(event_id=e.id, kind=e.kind, stream=e.stream, at=e.at, summary=e.summary,
                         attempts=s.attempts, failed_handlers=list(s.failed_handlers), last_error=s.last_error,
                         last_failed_at=s.last_failed_at, dead_lettered_at=s.dead_lettered_at,
                         replays=[ReplayOut(**to_primitive(r)) for r in s.replays])


@api.route("/operator/dead-letters", "GET",
           summary="Outbox events whose reactions kept failing, newest first (operators)",
           query=PageQuery, response=DeadLetterPage, operator_only=True)
def list_dead_letters(call: Call) -> DeadLetterPage:
    items, cursor = reactions.dead_letters(call.query.limit, call.query.cursor)
    return DeadLetterPage(items=[dead_letter_out(i) for i in items], next_cursor=cursor)


@api.route("/operator/dead-letters/{event_id}/replay", "POST",
           summary="Put a dead letter back in the outbox, attempts reset; reactions that succeeded do not "
                   "run again (operators)",
           response=DeadLetterOut, operator_only=True, idempotent=True)
def replay_dead_letter(call: Call, event_id: str) -> DeadLetterOut:
    return dead_letter_out(reactions.replay(event_id, call.user.user_id, runtime.clock()))
