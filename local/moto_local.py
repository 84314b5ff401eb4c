"""The moto server of `make run`: in this process, on 127.0.0.1, one request at a time.

moto's backends keep their state in plain dicts and lists without locks, and several of its
operations are not atomic: DynamoDB's TransactWriteItems deep-copies the table to be able to roll
back, so another request writing at the same moment raises ``RuntimeError: dictionary changed
size during iteration`` (a 500 that botocore retries), and a cancelled transaction puts back the
whole table, erasing what another request committed in between. Real DynamoDB makes every call
atomic, so, like the tests (``tests/integration/orders_under_stress.atomic_moto``), the local run
lets moto answer one request at a time: the API, the sweeper, the notification dispatcher and the
scan worker all call it concurrently.

SQS is the exception: its long polls (``ReceiveMessage`` with ``WaitTimeSeconds``) wait inside
moto for a message another request sends (S3 announces an upload on the scan queue), so they must
not hold the lock while they wait. moto guards each SQS queue with a lock of its own."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

# Services whose requests may run while another request is being answered.
CONCURRENT_SERVICES = frozenset({"sqs"})


class OneRequestAtATime:
    """WSGI middleware over moto's dispatcher: serialises every request except those of
    ``CONCURRENT_SERVICES``, including the reading of the answer (moto may build it lazily)."""

    def __init__(self, dispatcher: Any) -> None:
        self._dispatcher = dispatcher
        self._lock = threading.RLock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        backend_app = self._dispatcher.get_application(environ)
        if getattr(backend_app, "service", None) in CONCURRENT_SERVICES:
            return backend_app(environ, start_response)  # type: ignore[no-any-return]
        with self._lock:
            answer = backend_app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()


class LocalMotoServer:
    """moto's server app behind :class:`OneRequestAtATime`, served by werkzeug (a thread per
    connection) from a daemon thread. ``port=0`` picks a free port (see :attr:`port`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        app = OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                                   request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self) -> LocalMotoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
