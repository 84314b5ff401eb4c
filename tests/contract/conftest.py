"""Contract tests: the whole back end as `make run` serves it (moto server, Chalice local, sweeper,
demo data) in a subprocess on free ports of 127.0.0.1, fuzzed through the committed OpenAPI document."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# Nothing here fails for being slow. The server's start is judged on progress (a line of output,
# then /health); only this long without either, or a request unanswered this long, is taken
# for a hang and reported as one.
HUNG_AFTER = 600.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _tail(path: Path, limit: int = 8000) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text[-limit:]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=HUNG_AFTER) as response:
            return response.status == 200 and json.loads(response.read()).get("status") == "ok"
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    live_url: str = ""  # the live channel's WebSocket URL, as local.run printed it


_SERVER_KEY = pytest.StashKey[Server]()
_LOG_OFFSET_KEY = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def local_server(tmp_path_factory, pytestconfig) -> Iterator[Server]:
    """Starts `python -m local.run` on free ports; yields it; stops it (SIGTERM, then kill) afterwards."""
    port, moto_port = free_port(), free_port()
    while moto_port == port:
        moto_port = free_port()
    log = tmp_path_factory.mktemp("local-run") / "output.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    # Nothing may leak to real AWS: local.run points every client at its moto server itself.
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "LOCAL_TARGET"):
        env.pop(key, None)
    command = [sys.executable, "-m", "local.run", "--host", HOST, "--port", str(port),
               "--moto-port", str(moto_port), "--sweep-seconds", "5", "--live-port", "0"]
    url = f"http://{HOST}:{port}"
    with log.open("wb") as out:  # a file, not a pipe: nobody drains a pipe during the run
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        printed, progressed_at = -1, time.monotonic()
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"`{' '.join(command)}` exited with {process.returncode}:\n{_tail(log)}")
            size = log.stat().st_size
            if size != printed:  # it is still starting (creating tables, loading demo data)
                printed, progressed_at = size, time.monotonic()
            elif time.monotonic() - progressed_at > HUNG_AFTER:
                pytest.fail(f"`{' '.join(command)}` hung: no output for {HUNG_AFTER:g} s and {url}/health "
                            f"does not answer:\n{_tail(log)}")
            time.sleep(0.25)
        while "Ctrl-C stops everything" not in log.read_text(errors="replace"):  # the banner is complete
            if process.poll() is not None:
                pytest.fail(f"`{' '.join(command)}` exited with {process.returncode}:\n{_tail(log)}")
            time.sleep(0.25)
        live = re.search(r"^Live\s+(ws://\S+?)/\?token", log.read_text(errors="replace"), re.MULTILINE)
        server = Server(url=url, log=log, live_url=live.group(1) if live else "")
        pytestconfig.stash[_SERVER_KEY] = server
        yield server
    finally:
        _stop(process)
    if process.returncode not in (0, -signal.SIGTERM):
        print(f"\nlocal.run exited with {process.returncode}:\n{_tail(log)}")


@pytest.fixture(scope="session")
def base_url(local_server) -> str:
    return local_server.url


_CALL_REPORT_KEY = pytest.StashKey[pytest.TestReport]()
_ACCESS_5XX = re.compile(r'"[A-Z]+ \S* HTTP/[\d.]+" 5\d\d ')


def _log_since(server: Server, offset: int) -> list[str]:
    with server.log.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace").splitlines()


def _server_errors(lines: list[str]) -> list[str]:
    """The 5xx answers in the access log, the errors (with stack traces) the app logged, and failed
    sweeper rounds (the sweeper runs every few seconds over whatever the requests left behind)."""
    return [_readable(line) for line in lines
            if _ACCESS_5XX.search(line) or '"level":"ERROR"' in line or line.startswith("Traceback")
            or line.startswith("[sweeper] failed")]


def _readable(line: str) -> str:
    """Powertools logs one JSON line per record: show its message and stack trace as text."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    return f"{record.get('message')} {record.get('method', '')} {record.get('route', '')}\n" \
           f"{record.get('exception', '')}"


@pytest.fixture(autouse=True)
def no_server_error_behind_the_checks(request, local_server):
    """Fails a test during which the server answered any 5xx, whoever sent the request (or the
    sweeper failed).

    schemathesis' own `not_a_server_error` only judges the responses it validates; a request some
    other path sends (a check's probe or control request) could hit a 500 unnoticed. The server's
    log sees every request."""
    offset = local_server.log.stat().st_size
    request.node.stash[_LOG_OFFSET_KEY] = offset
    yield
    report = request.node.stash.get(_CALL_REPORT_KEY, None)
    if report is not None and report.failed:
        return  # already failed; the report hook below shows the server's errors
    errors = _server_errors(_log_since(local_server, offset))
    if errors:
        pytest.fail("the server answered 5xx during this test:\n" + "\n".join(errors)[-20000:], pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test shows the errors (stack traces of 500s) the server logged while it ran."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT_KEY] = report
    server = item.config.stash.get(_SERVER_KEY, None)
    if report.when == "call" and report.failed and server is not None and server.log.exists():
        errors = _server_errors(_log_since(server, item.stash.get(_LOG_OFFSET_KEY, 0)))
        if errors:
            report.sections.append(("local.run errors", "\n".join(errors)[-20000:]))
    return report
