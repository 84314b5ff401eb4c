"""What each action takes as input: one small frozen dataclass per action, so a reader of a
service sees the contract without opening the effect. ``Order.apply(command, actor, actor_id,
now)`` reads the action from the command's class (``ACTION``). Timer commands carry nothing: the
sweeper builds them from ``table.TIMER_ACTIONS``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..requirements import Answer
from .resolution import ChangeOffer, RequestKind
from .states import OrderAction


@dataclass(frozen=True)
class Place:
    ACTION: ClassVar[OrderAction] = OrderAction.PLACE


@dataclass(frozen=True)
class SubmitRequirements:
    ACTION: ClassVar[OrderAction] = OrderAction.SUBMIT_REQUIREMENTS
    answers: tuple[Answer, ...]
    clean_files: frozenset[str] = frozenset()  # F1: the answering files a scan found clean


@dataclass(frozen=True)
class Deliver:
    ACTION: ClassVar[OrderAction] = OrderAction.DELIVER
    message: str = ""
    files: tuple[str, ...] = ()
    usable_files: int = 0  # F1: files a scan found clean (nothing is clean by default)


@dataclass(frozen=True)
class Accept:
    ACTION: ClassVar[OrderAction] = OrderAction.ACCEPT


@dataclass(frozen=True)
class RequestRevision:
    ACTION: ClassVar[OrderAction] = OrderAction.REQUEST_REVISION
    message: str


@dataclass(frozen=True)
class CancelLate:
    ACTION: ClassVar[OrderAction] = OrderAction.CANCEL_LATE
    reason: str = ""


@dataclass(frozen=True)
class OperatorCancel:
    ACTION: ClassVar[OrderAction] = OrderAction.OPERATOR_CANCEL
    reason: str
    seller_at_fault: bool = True  # O13: an operator may say it was not the seller's fault


@dataclass(frozen=True)
class OpenResolutionRequest:
    ACTION: ClassVar[OrderAction] = OrderAction.OPEN_REQUEST
    kind: RequestKind
    reason: str = ""
    days: int = 0  # extension
    offer: ChangeOffer | None = None  # extras, modification, additional revisions


@dataclass(frozen=True)
class WithdrawRequest:
    ACTION: ClassVar[OrderAction] = OrderAction.WITHDRAW_REQUEST
    request_id: str


@dataclass(frozen=True)
class DeclineRequest:
    ACTION: ClassVar[OrderAction] = OrderAction.DECLINE_REQUEST
    request_id: str


@dataclass(frozen=True)
class AcceptRequest:
    ACTION: ClassVar[OrderAction] = OrderAction.ACCEPT_REQUEST
    request_id: str


@dataclass(frozen=True)
class SendProgressUpdate:
    ACTION: ClassVar[OrderAction] = OrderAction.SEND_PROGRESS_UPDATE
    message: str


@dataclass(frozen=True)
class StartNextMilestone:
    """C2: the buyer pays the next milestone, which starts at once."""

    ACTION: ClassVar[OrderAction] = OrderAction.START_NEXT_MILESTONE


@dataclass(frozen=True)
class Stop:
    """C4: the buyer stops a milestone order after an approved milestone; the rest never starts."""

    ACTION: ClassVar[OrderAction] = OrderAction.STOP
    reason: str = ""


# -- what timers do (the system's commands) -------------------------------------------------------
@dataclass(frozen=True)
class ExpireRequirements:
    ACTION: ClassVar[OrderAction] = OrderAction.EXPIRE_REQUIREMENTS


@dataclass(frozen=True)
class AutoComplete:
    ACTION: ClassVar[OrderAction] = OrderAction.AUTO_COMPLETE


@dataclass(frozen=True)
class MarkLate:
    ACTION: ClassVar[OrderAction] = OrderAction.MARK_LATE


@dataclass(frozen=True)
class MarkLateCancellable:
    ACTION: ClassVar[OrderAction] = OrderAction.MARK_LATE_CANCELLABLE


@dataclass(frozen=True)
class ExpireRequest:
    ACTION: ClassVar[OrderAction] = OrderAction.EXPIRE_REQUEST


@dataclass(frozen=True)
class ExpireNextMilestone:
    ACTION: ClassVar[OrderAction] = OrderAction.EXPIRE_NEXT_MILESTONE


OrderCommand = (Place | SubmitRequirements | Deliver | Accept | RequestRevision | CancelLate | OperatorCancel
                | OpenResolutionRequest | WithdrawRequest | DeclineRequest | AcceptRequest | SendProgressUpdate
                | StartNextMilestone | Stop
                | ExpireRequirements | AutoComplete | MarkLate | MarkLateCancellable | ExpireRequest
                | ExpireNextMilestone)
ANSWERS_TO_REQUEST = (WithdrawRequest, DeclineRequest, AcceptRequest)  # commands naming a request id
