"""The order: its state machine (O1–O12), timers, resolution center and money (M1, M3).

Read ``table.py`` first: the whole machine on one page. Then, as needed:

- ``states``      states, actions and the groups of states the rules name
- ``commands``    each action's input, a small frozen dataclass
- ``guards``      the conditions that pick a row and the checks that refuse one
- ``effects``     what each action changes, and what entering a finished state does
- ``timers``      how long each timer waits and when it is due
- ``resolution``  requests and the offers made inside an order (O10–O12)
- ``terms``       what an order is placed on: priced lines and payment stages
- ``money``       pay, settle and refund per stage (M1, M3)
- ``milestones``  milestone orders (C2–C5): the offer's milestones, their terms, the plan per milestone
- ``aggregate``   ``Order`` and ``Outcome``
"""
from .aggregate import TIMER_COMMANDS, Order, Outcome, new_order_number
from .commands import (
    Accept,
    AcceptRequest,
    AutoComplete,
    CancelLate,
    DeclineRequest,
    Deliver,
    ExpireNextMilestone,
    ExpireRequest,
    ExpireRequirements,
    MarkLate,
    MarkLateCancellable,
    OpenResolutionRequest,
    OperatorCancel,
    OrderCommand,
    Place,
    RequestRevision,
    SendProgressUpdate,
    StartNextMilestone,
    Stop,
    SubmitRequirements,
    WithdrawRequest,
)
from .effects import ON_ENTER, order_text
from .guards import NEEDS_INPUT, Context, Not
from .milestones import (
    MILESTONE_AMOUNT_MAX,
    MILESTONE_AMOUNT_MIN,
    MILESTONE_DAYS_MAX,
    MILESTONE_DAYS_MIN,
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_NAME_MAX,
    MILESTONE_REVISIONS_MAX,
    MILESTONE_TOTAL_MIN,
    MILESTONES_MAX,
    MILESTONES_MIN,
    Milestone,
    MilestoneView,
    StageRun,
    milestone_errors,
    milestone_state,
    milestone_terms,
    plan,
)
from .money import payments_in, settled_in
from .resolution import (
    CANCELLATION_LIFETIME,
    EXTENSION_DAYS_MAX,
    EXTENSION_LIFETIME,
    MODIFICATION_DAYS_MAX,
    OFFER_KINDS,
    OFFER_LIFETIME,
    OFFER_LINE_PRICE_MAX,
    OFFER_LINES_MAX,
    OFFER_REVISIONS_MAX,
    PROGRESS_UPDATE_LIFETIME,
    REQUEST_RULES,
    TIMING_KINDS,
    ChangeOffer,
    RequestKind,
    RequestRule,
    ResolutionRequest,
)
from .states import ACTIVE, ACTIVE_OR_COMPLETED, FINISHED, RUNNING, WORKING, MilestoneState, OrderAction, OrderState
from .table import BUYER, OPERATOR, ORDER_TRANSITIONS, PARTIES, SELLER, SUMMARIES, SYSTEM, TIMER_ACTIONS, Transition
from .terms import OrderLine, Stage, Terms
from .timers import (
    LATE_CANCEL_AFTER,
    LATE_CANCEL_HOURS,
    LATE_TIMERS,
    MILESTONE_REVIEW_PERIOD,
    NEXT_MILESTONE_WAIT,
    ORDER_TIMERS,
    REQUIREMENTS_WAIT,
    REVIEW_PERIOD,
    Timer,
    due_time,
)
from .values import TEXT_MAX, Cancellation, Delivery

__all__ = [
    "ACTIVE", "ACTIVE_OR_COMPLETED", "BUYER", "CANCELLATION_LIFETIME", "EXTENSION_DAYS_MAX", "EXTENSION_LIFETIME",
    "FINISHED", "LATE_CANCEL_AFTER", "LATE_CANCEL_HOURS", "LATE_TIMERS", "MODIFICATION_DAYS_MAX", "NEEDS_INPUT",
    "OFFER_KINDS",
    "OFFER_LIFETIME", "OFFER_LINES_MAX", "OFFER_LINE_PRICE_MAX", "OFFER_REVISIONS_MAX", "ON_ENTER", "OPERATOR",
    "ORDER_TIMERS", "ORDER_TRANSITIONS", "PARTIES", "PROGRESS_UPDATE_LIFETIME", "REQUEST_RULES",
    "REQUIREMENTS_WAIT", "REVIEW_PERIOD", "SELLER", "SUMMARIES", "SYSTEM", "TEXT_MAX", "TIMER_ACTIONS",
    "TIMER_COMMANDS", "TIMING_KINDS", "WORKING", "Accept", "AcceptRequest", "AutoComplete", "CancelLate",
    "Cancellation", "ChangeOffer", "Context", "DeclineRequest", "Deliver", "Delivery", "ExpireRequest",
    "ExpireRequirements", "MarkLate", "MarkLateCancellable", "Not", "OpenResolutionRequest", "OperatorCancel",
    "Order", "OrderAction", "OrderCommand", "OrderLine", "OrderState", "Outcome", "Place", "RequestKind",
    "RequestRevision", "RequestRule", "ResolutionRequest", "SendProgressUpdate", "Stage", "SubmitRequirements",
    "Terms", "Timer", "Transition", "WithdrawRequest", "due_time", "new_order_number", "order_text",
    "payments_in", "settled_in",
    # milestones (C2–C5)
    "MILESTONES_MAX", "MILESTONES_MIN", "MILESTONE_AMOUNT_MAX", "MILESTONE_AMOUNT_MIN", "MILESTONE_DAYS_MAX",
    "MILESTONE_DAYS_MIN", "MILESTONE_DESCRIPTION_MAX", "MILESTONE_NAME_MAX", "MILESTONE_REVIEW_PERIOD",
    "MILESTONE_REVISIONS_MAX", "MILESTONE_TOTAL_MIN", "NEXT_MILESTONE_WAIT", "RUNNING", "ExpireNextMilestone",
    "Milestone", "MilestoneState", "MilestoneView", "StageRun", "StartNextMilestone", "Stop", "milestone_errors",
    "milestone_state", "milestone_terms", "plan",
]
