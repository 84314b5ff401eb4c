"""``allowed_actions`` as links a client can follow: each action a caller may take now, with the
method and path that take it (HTTP conventions, issue 13). The tables map the domain's actions to
this API's routes; the domain decides which actions are allowed, these only say where they live.
tests/integration/test_http_conventions.py proves every route named here exists and every action
a person can take has one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.buyer_requests import RequestAction
from chalicelib.domain.custom_offers import OfferAction
from chalicelib.domain.orders import OrderAction
from chalicelib.domain.reviews import ReviewAction


@dataclass(frozen=True)
class ActionRoute:
    method: str
    path: str  # a route template of this API, e.g. /orders/{order_id}/acceptance


ORDER_ACTION_ROUTES: dict[OrderAction, ActionRoute] = {
    OrderAction.SUBMIT_REQUIREMENTS: ActionRoute("POST", "/orders/{order_id}/requirements"),
    OrderAction.DELIVER: ActionRoute("POST", "/orders/{order_id}/deliveries"),
    OrderAction.ACCEPT: ActionRoute("POST", "/orders/{order_id}/acceptance"),
    OrderAction.REQUEST_REVISION: ActionRoute("POST", "/orders/{order_id}/revision-requests"),
    OrderAction.CANCEL_LATE: ActionRoute("POST", "/orders/{order_id}/late-cancellation"),
    OrderAction.OPERATOR_CANCEL: ActionRoute("POST", "/orders/{order_id}/operator-cancellation"),
    OrderAction.OPEN_REQUEST: ActionRoute("POST", "/orders/{order_id}/requests"),
    OrderAction.WITHDRAW_REQUEST: ActionRoute("POST", "/orders/{order_id}/requests/{request_id}/withdrawal"),
    OrderAction.DECLINE_REQUEST: ActionRoute("POST", "/orders/{order_id}/requests/{request_id}/decline"),
    OrderAction.ACCEPT_REQUEST: ActionRoute("POST", "/orders/{order_id}/requests/{request_id}/acceptance"),
    OrderAction.SEND_PROGRESS_UPDATE: ActionRoute("POST", "/orders/{order_id}/progress-updates"),
    OrderAction.START_NEXT_MILESTONE: ActionRoute("POST", "/orders/{order_id}/next-milestone"),
    OrderAction.STOP: ActionRoute("POST", "/orders/{order_id}/stop"),
}

OFFER_ACTION_ROUTES: dict[OfferAction, ActionRoute] = {
    OfferAction.ACCEPT: ActionRoute("POST", "/custom-offers/{offer_id}/acceptance"),
    OfferAction.DECLINE: ActionRoute("POST", "/custom-offers/{offer_id}/decline"),
    OfferAction.WITHDRAW: ActionRoute("POST", "/custom-offers/{offer_id}/withdrawal"),
}

REQUEST_ACTION_ROUTES: dict[RequestAction, ActionRoute] = {
    RequestAction.CLOSE: ActionRoute("POST", "/buyer-requests/{request_id}/closure"),
}

# R1: hiding names the review (``author``: buyer or seller); one link per review an operator may hide.
REVIEW_ACTION_ROUTES: dict[ReviewAction, ActionRoute] = {
    ReviewAction.SUBMIT: ActionRoute("POST", "/orders/{order_id}/reviews"),
    ReviewAction.REPLY: ActionRoute("POST", "/orders/{order_id}/reviews/reply"),
    ReviewAction.HIDE: ActionRoute("POST", "/orders/{order_id}/reviews/{author}/hide"),
}


def link(action: Any, route: ActionRoute, **params: str) -> dict[str, Any]:
    """The answer's form of one allowed action: its name, method and filled-in path."""
    return {"action": action.value, "method": route.method, "path": route.path.format(**params)}
