"""The live channel's WebSocket routes (domain/live.py): ``$connect`` checks the caller's Cognito
ID token (``?token=<id token>`` — browsers cannot set headers on a WebSocket — or an
``Authorization`` header) and keeps the connection; ``$disconnect`` forgets it. The channel is
one-way: frames come from the notifications reaction (services/live.py); what a client sends is
ignored. app.py registers these functions (Chalice wraps WebSocket handlers only on the app
object, not on a Blueprint). In AWS they run behind an API Gateway WebSocket API (``chalice package`` makes it);
under ``make run`` local/live.py serves the same routes on a local port."""
from __future__ import annotations

from chalice import Response

from chalicelib.handlers.tokens import InvalidToken, identity_from_token
from chalicelib.observability import logger
from chalicelib.services import live, runtime


def token_of(event: dict) -> str:
    query = event.get("queryStringParameters") or {}
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return str(query.get("token") or headers.get("authorization") or "")


def live_connect(event) -> Response | dict:
    try:
        identity = identity_from_token(token_of(event.to_dict()))
    except InvalidToken as refused:
        logger.info("live connection refused", extra={"reason": str(refused)})
        return Response(status_code=401, body="")
    live.connect(event.connection_id, identity.user_id, runtime.clock().now())
    return {"statusCode": 200}


def live_disconnect(event) -> dict:
    live.disconnect(event.connection_id)
    return {"statusCode": 200}


def live_message(event) -> dict:
    return {"statusCode": 200}  # one-way: nothing a client sends changes anything
