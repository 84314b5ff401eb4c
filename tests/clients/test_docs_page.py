"""/docs works offline (issue 13): Swagger UI's files come from this server (aws-lambda-powertools
ships them), the page runs no inline script under its Content-Security-Policy, and in headless
Chromium (Debian's, `make clients` installs it) it lists every operation of the served document.

Chromium is driven through the DevTools protocol: the test waits on the DOM condition itself (a
MutationObserver in the page resolves once Swagger UI has rendered `GET /health`), and sees every
request the page sent, every CSP violation and every uncaught error."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.clients.conftest import HUNG_AFTER

# Chromium as root needs --no-sandbox; the rest keeps it off the network it would otherwise try
# (this machine has none but loopback).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]
# Before the page's own scripts: records CSP violations, files that failed to load and uncaught
# errors, and settles the wait below at the first of them (a broken page fails at once).
RECORD_FAILURES = """window.__failures = [];
window.__settle = () => {};
const failed = (what) => { window.__failures.push(what); window.__settle(); };
document.addEventListener("securitypolicyviolation", (e) => failed(`CSP ${e.violatedDirective} ${e.blockedURI}`));
window.addEventListener("error", (e) => failed(e.target && e.target !== window
  ? `failed to load ${e.target.src || e.target.href}` : `error ${e.message}`), true);"""
# Resolves once Swagger UI has rendered the operation `GET /health` (or something failed), with
# what the page lists and what failed.
LISTED = """new Promise((resolve) => {
  const rendered = () => document.querySelector('.opblock-summary-path[data-path="/health"]')
    || document.querySelector(".errors-wrapper");
  const answer = () => resolve({
    operations: [...document.querySelectorAll(".opblock-summary")].map((summary) => [
      summary.querySelector(".opblock-summary-method").textContent,
      summary.querySelector(".opblock-summary-path").dataset.path]),
    errors: [...document.querySelectorAll(".errors-wrapper")].map((e) => e.textContent),
    failures: window.__failures,
  });
  window.__settle = answer;
  if (rendered() || window.__failures.length) { answer(); return; }
  new MutationObserver((_, observer) => {
    if (rendered()) { observer.disconnect(); answer(); }
  }).observe(document, { childList: true, subtree: true });
})"""


class DevTools:
    """The DevTools protocol over one page's WebSocket: commands answered in order, events kept."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = self.wait_for(lambda m: m.get("id") == self._next_id)
            if "error" in message:
                raise AssertionError(f"{method}: {message['error']}")
            return message["result"]

    def wait_for(self, wanted) -> dict[str, Any]:
        """Reads messages until one is wanted (events are kept on the way); a page that says
        nothing for HUNG_AFTER seconds is taken for hung."""
        while True:
            message = json.loads(self.socket.recv(timeout=HUNG_AFTER))
            if "method" in message:
                self.events.append(message)
            if wanted(message):
                return message

    def named(self, method: str) -> list[dict[str, Any]]:
        return [event["params"] for event in self.events if event["method"] == method]


def _debugger_port(profile: Path, browser: subprocess.Popen) -> int:
    """Chromium writes the port it listens on to DevToolsActivePort once it is up."""
    port_file = profile / "DevToolsActivePort"
    while not port_file.exists() or not port_file.read_text().strip():
        if browser.poll() is not None:
            pytest.fail(f"chromium exited with {browser.returncode}: {browser.stderr.read() if browser.stderr else ''}")
        time.sleep(0.1)  # polling for the file, not a budget: no limit but the browser's own exit
    return int(port_file.read_text().splitlines()[0])


@pytest.fixture
def page(tmp_path) -> Iterator[DevTools]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: `make clients` installs Debian's package")
    profile = tmp_path / "profile"
    browser = subprocess.Popen([executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = _debugger_port(profile, browser)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=HUNG_AFTER) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=HUNG_AFTER) as socket:
            yield DevTools(socket)
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=30)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()


def served_operations(base_url: str) -> set[tuple[str, str]]:
    with urllib.request.urlopen(f"{base_url}/openapi.json", timeout=HUNG_AFTER) as answer:
        document = json.load(answer)
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item
            if method in {"get", "put", "post", "delete", "patch"}}


def test_docs_lists_every_operation_offline(page, base_url):
    page.send("Network.enable")
    page.send("Runtime.enable")
    page.send("Page.enable")
    page.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_FAILURES)
    page.send("Page.navigate", url=f"{base_url}/docs")
    page.wait_for(lambda m: m.get("method") == "Page.loadEventFired")
    listed = page.send("Runtime.evaluate", expression=LISTED, awaitPromise=True, returnByValue=True)
    assert "exceptionDetails" not in listed, listed
    shown = listed["result"]["value"]

    assert shown["failures"] == [] and shown["errors"] == []
    assert ["GET", "/health"] in shown["operations"]
    assert {tuple(op) for op in shown["operations"]} == served_operations(base_url)
    assert page.named("Runtime.exceptionThrown") == []
    requested = {event["request"]["url"].split("?")[0] for event in page.named("Network.requestWillBeSent")}
    assert requested == {f"{base_url}/docs", f"{base_url}/openapi.json", f"{base_url}/docs/assets/swagger-ui.css",
                         f"{base_url}/docs/assets/swagger-ui-bundle.js", f"{base_url}/docs/assets/docs.js"}, \
        "the page loads only this server's files (offline; no CDN)"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HUNG_AFTER) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_docs_page_has_a_strict_csp_and_no_inline_script(base_url):
    status, headers, body = _get(f"{base_url}/docs")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    html = body.decode()
    assert "<script>" not in html and "https://" not in html and "http://" not in html
    assert html.count("<script src=") == 2


@pytest.mark.parametrize("name,content_type", [("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                                               ("swagger-ui.css", "text/css; charset=utf-8"),
                                               ("docs.js", "text/javascript; charset=utf-8")])
def test_assets_are_served_with_their_type_and_cached_by_version(base_url, name, content_type):
    _, _, page = _get(f"{base_url}/docs")
    link = next(part.split('"', 1)[0] for part in page.decode().split(f"docs/assets/{name}")[1:2])
    status, headers, body = _get(f"{base_url}/docs/assets/{name}{link}")
    assert status == 200 and headers["Content-Type"] == content_type and body
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"  # the page links this version
    assert headers["X-Content-Type-Options"] == "nosniff"

    status, headers, _ = _get(f"{base_url}/docs/assets/{name}")  # unversioned: revalidated
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    status, _, body = _get(f"{base_url}/docs/assets/{name}", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


@pytest.mark.parametrize("name", ["index.html", "html.py", "swagger-ui-bundle.min.js", "..%2F__init__.py"])
def test_only_the_pages_files_are_served(base_url, name):
    status, headers, body = _get(f"{base_url}/docs/assets/{name}")
    assert status == 404 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "not_found"
