"""The live channel under `make run`: a stand-in for API Gateway's WebSocket API, on local ports.

- WebSockets on ``ws://127.0.0.1:<port>/?token=<id token>``: the handshake becomes the ``$connect``
  event API Gateway would send, handed to the app's own Lambda entry point (``app.live_connect``);
  a refusal there refuses the handshake (401). Frames a client sends become ``$default`` events and
  a close becomes ``$disconnect``, as in AWS.
- API Gateway's management API on ``http://127.0.0.1:<management port>``: ``POST``, ``GET`` and
  ``DELETE /@connections/{id}``, answering ``410 GoneException`` for a connection that is not open.
  ``LIVE_ENDPOINT`` points the app's sender (chalicelib/notify/live.py, boto3's
  ``apigatewaymanagementapi`` client) here, so the notifications reaction pushes exactly as in AWS.

Each connection is served by the server's own event loop; the app's handlers (which call DynamoDB)
run in worker threads so one slow call does not hold the others."""
from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
from concurrent.futures import Future
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

API_ID, STAGE = "local", "local"
_CONNECTION_PATH = re.compile(r"^/@connections/([^/]+)$")
SEND_TIMEOUT = 30  # seconds; a client that reads nothing for this long is treated as gone


def _event(route_key: str, connection_id: str, *, query: dict[str, str] | None = None,
           headers: dict[str, str] | None = None, body: str | None = None) -> dict[str, Any]:
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    return {
        "requestContext": {"routeKey": route_key, "eventType": event_type, "connectionId": connection_id,
                           "apiId": API_ID, "stage": STAGE, "domainName": "127.0.0.1"},
        "queryStringParameters": query or None,
        "headers": headers or {},
        "body": body,
        "isBase64Encoded": False,
    }


class LocalLiveServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 8001) -> None:
        self._app: Any = None  # the module whose live_connect / live_disconnect / live_message are the Lambdas
        self.host = host
        self.port = port
        self.connections: dict[str, ServerConnection] = {}
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._ready = threading.Event()
        self._closed = threading.Condition()
        self.disconnects = 0  # $disconnect events handled so far
        self._thread = threading.Thread(target=self._run, name="live", daemon=True)
        self._management = ThreadingHTTPServer((host, 0), _management_handler(self))
        self._management.daemon_threads = True
        self._management_thread = threading.Thread(target=self._management.serve_forever, name="live-api",
                                                   daemon=True)

    @property
    def management_endpoint(self) -> str:
        return f"http://{self.host}:{self._management.server_address[1]}"

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self, app_module: Any) -> LocalLiveServer:
        """The management endpoint is bound (and ``management_endpoint`` known) from construction, so
        ``LIVE_ENDPOINT`` can be set before the app is imported; WebSockets are served from here on."""
        self._app = app_module
        self._management_thread.start()
        self._thread.start()
        self._ready.wait()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._management.shutdown()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_until_complete(self._server.wait_closed())  # type: ignore[union-attr]

    async def _start(self) -> None:
        self._server = await serve(self._serve, self.host, self.port, process_request=self._handshake)
        self.port = self._server.sockets[0].getsockname()[1]  # port 0 picks a free one

    # -- API Gateway's side -------------------------------------------------------------------------
    async def _handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        connection_id = secrets.token_urlsafe(12)
        query = dict(parse_qsl(urlsplit(request.path).query))
        answer = await asyncio.to_thread(self._app.live_connect,
                                         _event("$connect", connection_id, query=query,
                                                headers=dict(request.headers.raw_items())), None)
        status = int((answer or {}).get("statusCode", 200))
        if status != 200:
            return connection.respond(HTTPStatus(status), f"{HTTPStatus(status).phrase}\n")
        connection.connection_id = connection_id  # type: ignore[attr-defined]
        return None

    async def _serve(self, connection: ServerConnection) -> None:
        connection_id: str = connection.connection_id  # type: ignore[attr-defined]
        self.connections[connection_id] = connection
        try:
            async for message in connection:
                body = message if isinstance(message, str) else message.decode("utf-8", "replace")
                await asyncio.to_thread(self._app.live_message, _event("$default", connection_id, body=body), None)
        finally:
            self.connections.pop(connection_id, None)
            await asyncio.to_thread(self._app.live_disconnect, _event("$disconnect", connection_id), None)
            with self._closed:
                self.disconnects += 1
                self._closed.notify_all()

    def wait_until_closed(self, count: int = 1) -> None:
        """Blocks until ``count`` $disconnect events in all were handled (tests wait on the event)."""
        with self._closed:
            self._closed.wait_for(lambda: self.disconnects >= count)

    # -- the management API -------------------------------------------------------------------------
    def post(self, connection_id: str, data: bytes) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        sent: Future = asyncio.run_coroutine_threadsafe(connection.send(data.decode("utf-8")), self._loop)
        try:
            sent.result(timeout=SEND_TIMEOUT)
        except Exception:  # closed meanwhile, or a client that reads nothing
            return False
        return True

    def close(self, connection_id: str) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        asyncio.run_coroutine_threadsafe(connection.close(), self._loop).result(timeout=SEND_TIMEOUT)
        return True


def _management_handler(server: LocalLiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def _answer(self, status: int, body: dict[str, Any] | None = None, error: str | None = None) -> None:
            payload = json.dumps(body or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if error:
                self.send_header("x-amzn-ErrorType", error)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _connection_id(self) -> str | None:
            match = _CONNECTION_PATH.match(urlsplit(self.path).path)
            return match.group(1) if match else None

        def _gone(self) -> None:
            self._answer(410, {"message": "GoneException"}, error="GoneException")

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            connection_id = self._connection_id()
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if connection_id is None:
                self._answer(404, {"message": "Not found"}, error="NotFoundException")
            elif server.post(connection_id, data):
                self._answer(200)
            else:
                self._gone()

        def do_GET(self) -> None:  # noqa: N802
            connection_id = self._connection_id()
            if connection_id is not None and connection_id in server.connections:
                self._answer(200, {"identity": {"sourceIp": "127.0.0.1"}})
            else:
                self._gone()

        def do_DELETE(self) -> None:  # noqa: N802
            connection_id = self._connection_id()
            if connection_id is not None and server.close(connection_id):
                self._answer(204)
            else:
                self._gone()

    return Handler
