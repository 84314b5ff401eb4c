"""The live channel end to end, in process against moto: local/live.py (the stand-in for API
Gateway's WebSocket API) hands the handshake to the app's own $connect Lambda entry point, a real
WebSocket client (the `websockets` library) connects as the seller, the buyer places an order
through the HTTP API, the dispatcher runs the notifications reaction with the API Gateway sender
(boto3's apigatewaymanagementapi client, pointed at the stand-in's management API), and the
seller's socket receives the feed entry. Also: a bad token is refused at the handshake, a closed
socket is forgotten ($disconnect), and a connection API Gateway reports gone is removed."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

import app as app_module
from chalicelib.domain.live import Connection
from chalicelib.notify.live import ApiGatewayLiveSender
from chalicelib.services import reactions
from chalicelib.store import live as live_store
from local.live import LocalLiveServer
from local.tokens import make_token
from tests.integration.conftest import uid

BUYER, SELLER = "alice", "dana"
# A hang guard, not a budget: each frame is in the socket before dispatch() returns.
RECEIVE_HANG_GUARD = 120


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def live_server(api):
    server = LocalLiveServer(port=0).start(app_module)
    yield server
    server.stop()


def dispatch_with(server: LocalLiveServer, clock):
    registry = reactions.default_reactions(live=ApiGatewayLiveSender(server.management_endpoint))
    return reactions.dispatch(registry, clock)


def test_the_seller_receives_the_new_order_on_their_socket(api, published_gig, live_server, clock):
    with connect(f"{live_server.url}/?token={make_token(SELLER)}") as seller_socket:
        (kept,) = live_store.of_user(uid(SELLER), clock.now())
        placed = api.post("/orders", BUYER, body={"gig_id": published_gig["id"], "tier": "basic"})
        assert placed.status_code == 201

        report = dispatch_with(live_server, clock)

        assert report.live == 1
        frame = json.loads(seller_socket.recv(timeout=RECEIVE_HANG_GUARD))
        assert frame["type"] == "notification"
        entry = frame["notification"]
        assert entry["stream"] == f"order:{placed.json['id']}" and entry["read"] is False
        (listed,) = [e for e in api.get("/me/notifications", SELLER).json["items"] if e["id"] == entry["id"]]
        assert entry.keys() == listed.keys()  # the feed entry itself (times: the same instant)
        assert {**entry, "at": ts(entry["at"])} == {**listed, "at": ts(listed["at"])}
        assert kept.user_id == uid(SELLER)


def test_a_message_reaches_the_recipient_and_not_the_sender(api, published_gig, live_server, clock):
    with connect(f"{live_server.url}/?token={make_token(SELLER)}") as seller_socket, \
            connect(f"{live_server.url}/?token={make_token(BUYER)}") as buyer_socket:
        written = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Is next week possible?"})
        assert written.status_code in (200, 201), written.json
        dispatch_with(live_server, clock)
        frame = json.loads(seller_socket.recv(timeout=RECEIVE_HANG_GUARD))
        assert frame["notification"]["kind"].startswith("message.")
        with pytest.raises(TimeoutError):
            buyer_socket.recv(timeout=0)  # nothing is waiting for the sender


@pytest.mark.parametrize("token", ["", "not-a-jwt", make_token(SELLER, hours=-1)])
def test_a_bad_or_expired_token_is_refused_at_the_handshake(live_server, token, clock):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{live_server.url}/?token={token}")
    assert refused.value.response.status_code == 401
    assert live_store.of_user(uid(SELLER), clock.now()) == []


def test_a_closed_socket_is_forgotten(api, live_server, clock):
    with connect(f"{live_server.url}/?token={make_token(SELLER)}"):
        assert len(live_store.of_user(uid(SELLER), clock.now())) == 1
    # $disconnect runs on the server's side of the close; wait for that event, not for time.
    live_server.wait_until_closed()
    assert live_store.of_user(uid(SELLER), clock.now()) == []


def test_a_gone_connection_is_removed_by_the_push(api, published_gig, live_server, clock):
    live_store.add(Connection.open("gone-one", uid(SELLER), clock.now()))  # closed without $disconnect
    api.post("/orders", BUYER, body={"gig_id": published_gig["id"], "tier": "basic"})
    report = dispatch_with(live_server, clock)
    assert report.live == 0 and report.failed == 0
    assert live_store.of_user(uid(SELLER), clock.now()) == []


def test_connections_lapse_with_api_gateways_two_hours(api, clock):
    live_store.add(Connection.open("old", uid(SELLER), clock.now()))
    assert live_store.of_user(uid(SELLER), clock.now() + timedelta(hours=2)) == []
