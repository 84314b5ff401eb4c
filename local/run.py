"""`make run`: the whole back end on this machine.

Starts moto server on 127.0.0.1 (DynamoDB, S3, SQS, SES, SNS), creates the table, bucket, queues
and push topic (the bucket notifies the scan queue of every upload, as in AWS), starts a clamd of
its own when ClamAV is installed (signatures: the EICAR test database `make deps` builds, or the
official ones in /var/lib/clamav when present), loads demo data, serves the API with Chalice's local
server on 127.0.0.1:8000 (a thread per connection, so a browser's parallel requests are answered
concurrently), serves the live channel's WebSockets on 127.0.0.1:8001 (local/live.py), runs the
sweeper every minute and the outbox dispatcher every second, and drains
the scan queue into the app's scan consumer every second beside it (Chalice local runs no schedules
and no queue events). Ctrl-C stops all of it.

Pointing it at real AWS instead is configuration: ``--target aws`` (or LOCAL_TARGET=aws) skips moto
and the resource creation and uses the credentials, region and resource names in the environment
(TABLE_NAME, IDEMPOTENCY_TABLE_NAME, UPLOAD_BUCKET, SCAN_QUEUE_NAME, PUSH_TOPIC_ARN: the stack's
outputs; NOTIFICATION_SENDER: the verified SES sender)."""
from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
import threading

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLAMAV_DIR = os.path.join(PROJECT_DIR, ".clamav")


def _configure_environment(target: str, moto_port: int) -> None:
    os.environ.setdefault("CLAMD_SOCKET", os.path.join(CLAMAV_DIR, "run", "clamd.sock"))
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "marketplace")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    # The test clock (`POST /dev/clock`, README "Trying it"): on locally unless TEST_CLOCK=false.
    os.environ.setdefault("TEST_CLOCK", "true")
    if target == "moto":
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        os.environ["AWS_ACCESS_KEY_ID"] = "local"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "local"
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])


def start_moto(port: int, host: str = "127.0.0.1"):
    """moto's server in this process, answering one request at a time (see local/moto_local.py:
    the API, the sweeper and the scan worker call it at once, and moto is not thread-safe)."""
    import logging

    from local.moto_local import LocalMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call is noise here
    return LocalMotoServer(host, port).start()


class _RequestStatePerThread:
    """Chalice keeps the request being answered on the app object (``current_request``,
    ``lambda_context``), as a Lambda function answers one request at a time. Served by threads,
    those two become per-thread here (data descriptors win over the instance's own attributes), so
    concurrent requests never see each other's."""

    _state = threading.local()

    @property
    def current_request(self):
        return getattr(self._state, "current_request", None)

    @current_request.setter
    def current_request(self, value) -> None:
        self._state.current_request = value

    @property
    def lambda_context(self):
        return getattr(self._state, "lambda_context", None)

    @lambda_context.setter
    def lambda_context(self, value) -> None:
        self._state.lambda_context = value


def serve_concurrently(app) -> None:
    """Makes ``app`` safe to serve from several threads at once (see _RequestStatePerThread)."""
    if not isinstance(app, _RequestStatePerThread):
        app.__class__ = type(f"Threaded{type(app).__name__}", (_RequestStatePerThread, type(app)), {})


def _start_api(host: str, port: int):
    from chalice.cli.factory import CLIFactory
    from chalice.local import LocalDevServer, ThreadedHTTPServer

    from app import app
    from local.gateway import ProblemRequestHandler

    project_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    config = CLIFactory(project_dir).create_config_obj(chalice_stage_name="dev")
    # A thread per connection, as a browser needs (it keeps connections open and sends several
    # requests at once); moto still answers one AWS call at a time (local/moto_local.py).
    serve_concurrently(app)
    server = LocalDevServer(app, config, host, port, handler_cls=ProblemRequestHandler,
                            server_cls=ThreadedHTTPServer)
    thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    thread.start()
    return server


def _start_clamd():
    """A clamd of our own, or None (the scanner then falls back to the clamscan command)."""
    from local import clamav_local

    if not clamav_local.installed():
        print("    ClamAV is not installed (make deps installs it): uploads stay unscanned", flush=True)
        return None
    official = "/var/lib/clamav"
    if glob.glob(os.path.join(official, "*.c[lv]d")):
        database = official
    else:
        database = clamav_local.build_test_database(os.path.join(CLAMAV_DIR, "test-db"))
    daemon = clamav_local.LocalClamd(os.path.dirname(os.environ["CLAMD_SOCKET"]), database)
    try:
        daemon.start()
    except RuntimeError as exc:
        print(f"    clamd did not start ({exc}); the clamscan command scans instead", flush=True)
        return None
    print(f"    clamd on {daemon.socket_path} (signatures: {database})", flush=True)
    return daemon


def _sweeper_loop(stop: threading.Event, every: float) -> None:
    """The sweeper schedule of the deployed app: fires the deadlines that fell due."""
    from chalicelib.services import runtime, sweeper

    while not stop.wait(every):
        try:
            report = sweeper.sweep(runtime.clock())
            if report.fired or report.failed:
                print(f"[sweeper] {report.as_dict()}", flush=True)
        except Exception as exc:  # keep sweeping; the next round retries
            print(f"[sweeper] failed: {exc!r}", flush=True)


def _dispatcher_loop(stop: threading.Event, every: float) -> None:
    """The dispatcher schedule: drains the outbox into its reactions (feed, live frames, e-mail and
    push to moto's SES and SNS). Locally it runs every second, so the feed and the live channel
    follow an action at once; each round reads only the outbox index's due entries."""
    from chalicelib.services import reactions, runtime

    registry = runtime.current().reactions
    while not stop.wait(every):
        try:
            sent = reactions.dispatch(registry, runtime.clock())
            if sent.dispatched or sent.failed or sent.deferred or sent.dead_lettered:
                print(f"[notifications] {sent.as_dict()}", flush=True)
        except Exception as exc:  # the outbox keeps what was not delivered
            print(f"[notifications] failed: {exc!r}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--sweep-seconds", type=float, default=float(os.environ.get("SWEEP_SECONDS", 60)))
    parser.add_argument("--dispatch-seconds", type=float, default=float(os.environ.get("DISPATCH_SECONDS", 1)))
    parser.add_argument("--live-port", type=int, default=int(os.environ.get("LIVE_PORT", 8001)),
                        help="the WebSocket port of the live channel (0: any free port)")
    parser.add_argument("--target", choices=["moto", "aws"], default=os.environ.get("LOCAL_TARGET", "moto"))
    parser.add_argument("--no-demo", action="store_true", help="start with empty tables")
    args = parser.parse_args(argv)

    _configure_environment(args.target, args.moto_port)
    from local.live import LocalLiveServer

    live = LocalLiveServer(args.host, args.live_port)  # binds the management API: its URL is known now
    os.environ.setdefault("LIVE_ENDPOINT", live.management_endpoint)
    import app  # (the composition root: builds and installs the runtime, chalicelib/root.py)
    moto = None
    if args.target == "moto":
        print(f"==> moto server on http://127.0.0.1:{args.moto_port}", flush=True)
        moto = start_moto(args.moto_port)
        from local.resources import create_all

        print("==> creating table, idempotency table, bucket and queues", flush=True)
        create_all()
    print("==> starting the virus scanner", flush=True)
    clamd = _start_clamd()
    tokens: dict[str, str] = {}
    if not args.no_demo:
        from local.demo import load

        print("==> loading demo data", flush=True)
        tokens = load(progress=lambda line: print(f"    {line}", flush=True),
                      scanner=clamd.scanner() if clamd else None)
    api = _start_api(args.host, args.port)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweeper_loop, args=(stop, args.sweep_seconds), name="sweeper", daemon=True)
    sweeper.start()
    dispatcher = threading.Thread(target=_dispatcher_loop, args=(stop, args.dispatch_seconds), name="dispatcher",
                                  daemon=True)
    dispatcher.start()
    live.start(app)
    from local import scan_worker

    scans = threading.Thread(target=scan_worker.loop, args=(stop,), name="scanner", daemon=True)
    scans.start()

    base = f"http://{args.host}:{args.port}"
    print(f"\nAPI        {base}\nDocs       {base}/docs\nOpenAPI    {base}/openapi.json")
    print(f"Sweeper    every {args.sweep_seconds:g} s (deadlines); outbox reactions every {args.dispatch_seconds:g} s")
    print(f"Live       {live.url}/?token=<token> (WebSocket: each new notification of that user, as a frame)")
    print(f"Scanner    {'clamd' if clamd else 'clamscan'}, uploads scanned within seconds (POST /uploads)")
    if os.environ.get("TEST_CLOCK", "").lower() in ("1", "true", "yes", "on"):
        print("Test clock POST /dev/clock {\"by\": \"P3D\"} as an operator (make -s token USER=olga) moves "
              "time forward and fires what falls due (README, \"Trying it\")")
    if tokens:
        print("\nDemo tokens (header `Authorization: <token>`):")
        for name, token in tokens.items():
            print(f"  {name:<8} {token}")
        print(f"\nTry:  TOKEN=$(make -s token USER=dana); curl -s {base}/me -H \"Authorization: $TOKEN\"")
    print("\nCtrl-C stops everything.", flush=True)

    # Ctrl-C and SIGTERM only set a flag: a KeyboardInterrupt raised inside Event.wait can leave
    # its lock broken and the shutdown half done.
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    print("\n==> stopping", flush=True)
    stop.set()
    api.shutdown()
    live.stop()
    if clamd:
        clamd.stop()
    if moto:
        moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
