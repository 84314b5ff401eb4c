"""`make run` answers requests concurrently, as a browser sends them (several at once, on
connections it keeps open), and concurrent requests never see each other's: Chalice keeps the
request on the app object, which local/run.py makes per-thread. Many users at once each get their
own profile, and many buyers ordering at once all get their own order, with no server error (the
conftest's autouse check reads the server's log after every test)."""
from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from local.run import serve_concurrently
from local.tokens import make_token, user_id_for

USERS = [f"user{i:02d}" for i in range(16)]


def _keep_alive_calls(base_url: str, user: str, requests: list[tuple[str, str, dict | None]]) -> list[tuple[int, dict]]:
    """Several requests on one connection kept open, as a browser does."""
    url = urlparse(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    headers = {"Authorization": make_token(user), "Content-Type": "application/json"}
    out = []
    try:
        for method, path, body in requests:
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            out.append((response.status, json.loads(response.read() or b"{}")))
    finally:
        connection.close()
    return out


def test_concurrent_users_each_get_their_own_answer(base_url):
    with ThreadPoolExecutor(len(USERS)) as pool:
        answers = list(pool.map(lambda user: _keep_alive_calls(base_url, user, [("GET", "/me", None)] * 4), USERS))
    for user, calls in zip(USERS, answers, strict=True):
        assert [status for status, _ in calls] == [200] * 4, calls
        assert {body["id"] for _, body in calls} == {user_id_for(user)}


def test_concurrent_orders_are_each_placed_once(base_url):
    gigs = json.loads(urllib_get(base_url, "/gigs?limit=20"))["items"]
    gig = gigs[0]
    buyers = USERS[:8]
    with ThreadPoolExecutor(len(buyers)) as pool:
        answers = list(pool.map(lambda user: _keep_alive_calls(
            base_url, user, [("POST", "/orders", {"gig_id": gig["id"], "tier": "basic"}), ("GET", "/orders", None)]),
            buyers))
    for user, ((placed_status, placed), (listed_status, listed)) in zip(buyers, answers, strict=True):
        assert placed_status == 201, placed
        assert placed["buyer_id"] == user_id_for(user)
        assert listed_status == 200 and [o["id"] for o in listed["items"]] == [placed["id"]]


def urllib_get(base_url: str, path: str) -> bytes:
    url = urlparse(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def test_the_request_state_is_per_thread():
    class App:
        def __init__(self) -> None:
            self.current_request = "set by __init__"

    app = App()
    serve_concurrently(app)
    serve_concurrently(app)  # idempotent
    seen: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def answer(name: str) -> None:
        app.current_request = name
        barrier.wait()  # both threads have set theirs before either reads
        seen[name] = app.current_request

    threads = [threading.Thread(target=answer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": "a", "b": "b"}
    assert app.current_request is None  # the main thread set none


def test_the_live_channel_of_make_run_pushes_the_sellers_new_order(local_server, base_url):
    """The same channel as in AWS, on make run's local port: dana listens, alice orders one of
    dana's gigs over HTTP, and the dispatcher (every second locally) pushes the order.placed entry."""
    from websockets.sync.client import connect

    assert local_server.live_url, "local.run printed no live channel URL"
    status, gigs = 0, {}
    url = urlparse(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    connection.request("GET", "/me/gigs?limit=50", headers={"Authorization": make_token("dana")})
    response = connection.getresponse()
    status, gigs = response.status, json.loads(response.read())
    connection.close()
    assert status == 200
    gig = next(g for g in gigs["items"] if g["state"] == "published")
    with connect(f"{local_server.live_url}/?token={make_token('dana')}") as socket:
        ((placed_status, placed),) = _keep_alive_calls(base_url, "livebuyer",
                                                       [("POST", "/orders", {"gig_id": gig["id"], "tier": "basic"})])
        assert placed_status == 201, placed
        while True:  # frames for dana's other activity may come first; a hang is caught by the guard
            frame = json.loads(socket.recv(timeout=300))
            if frame["notification"]["stream"] == f"order:{placed['id']}":
                break
    entry = frame["notification"]
    assert frame["type"] == "notification" and (entry["kind"], entry["event"]) == ("order.placed", "order.place")
    assert entry["link"]["path"] == f"/orders/{placed['id']}"  # the same entry as GET /me/notifications
