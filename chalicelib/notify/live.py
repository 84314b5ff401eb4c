"""Frames to open WebSockets through API Gateway's management API (``POST /@connections/{id}``).

In AWS the endpoint is the stage of the stack's WebSocket API (CDK sets ``LIVE_ENDPOINT``); under
``make run`` it is local/live.py's stand-in for that API, on a local port, which boto3 talks to the
same way. With no endpoint configured (the tests, a stage without the channel) nothing is sent."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
from botocore.exceptions import ClientError

from chalicelib.config import settings


class LiveSender(Protocol):
    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        """True when sent; False when the connection is gone (the caller forgets it)."""


class ApiGatewayLiveSender:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("apigatewaymanagementapi", endpoint_url=self.endpoint,
                                        region_name=settings().aws_region)
        return self._client

    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        try:
            self.client.post_to_connection(ConnectionId=connection_id,
                                           Data=json.dumps(frame, ensure_ascii=False).encode())
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "GoneException":
                return False
            raise
        return True


@dataclass
class RecordingLiveSender:
    """For tests: keeps what it sent; ``gone`` lists connections to report closed."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)

    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        if connection_id in self.gone:
            return False
        self.sent.append((connection_id, frame))
        return True


def configured_sender() -> LiveSender | None:
    endpoint = settings().live_endpoint
    return ApiGatewayLiveSender(endpoint) if endpoint else None
