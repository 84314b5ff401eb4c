"""The HTTP contract: problem+json for every error, Chalice's and the gateway's included, and the
Idempotency-Key semantics."""
from __future__ import annotations

import threading

import pytest

from chalicelib.handlers.problems import HttpProblem


def _is_problem(response, status, code):
    assert response.status_code == status, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == status and response.json["code"] == code
    assert {"type", "title", "detail"} <= set(response.json)


def test_unknown_route(api):
    _is_problem(api.get("/nowhere"), 404, "route_not_found")
    _is_problem(api.get("/nowhere", "alice"), 404, "route_not_found")


def test_wrong_method(api):
    _is_problem(api.request("DELETE", "/catalogue"), 405, "method_not_allowed")


def test_malformed_json(api):
    _is_problem(api.put("/me/preferences", "alice", raw=b'{"preferences": '), 400, "malformed_json")


def test_wrong_content_type(api):
    _is_problem(api.put("/me/preferences", "alice", raw=b"a=b", headers={"Content-Type": "text/plain"}),
                415, "unsupported_media_type")


def test_oversized_body(api):
    _is_problem(api.put("/me/preferences", "alice", raw=b'{"x": "' + b"a" * 300_000 + b'"}'), 413, "body_too_large")


def test_validation_lists_the_fields(api):
    response = api.put("/me/preferences", "alice", body={"preferences": {"order_placed": {"push": "maybe"}}})
    _is_problem(response, 422, "validation_failed")
    assert response.json["errors"][0]["field"] == "preferences.order_placed.push"


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "x.eyJmb28iOiAxfQ.y"])
def test_malformed_tokens_are_401(api, token):
    response = api.request("GET", "/me", headers={"Authorization": token})
    assert response.status_code == 401 and response.headers["Content-Type"] == "application/problem+json"


def test_path_parameters_are_url_decoded(api, published_gig):
    encoded = published_gig["id"].replace("_", "%5F")
    assert api.get(f"/gigs/{encoded}").status_code == 200


def test_idempotent_replay_returns_the_first_answer(api, catalogue, make_seller):
    make_seller("dana")
    key = {"Idempotency-Key": "create-1"}
    first = api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key)
    again = api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key)
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert len(api.get("/me/gigs", "dana").json["items"]) == 1


def test_same_key_with_another_body_is_a_422(api, catalogue, make_seller):
    make_seller("dana")
    api.post("/gigs", "dana", body={"title": "I will paint"}, headers={"Idempotency-Key": "k"})
    response = api.post("/gigs", "dana", body={"title": "I will tile"}, headers={"Idempotency-Key": "k"})
    _is_problem(response, 422, "idempotency_key_reused")


def test_keys_are_per_user(api, catalogue, make_seller):
    make_seller("dana")
    make_seller("omar")
    a = api.post("/gigs", "dana", body={"title": "I will paint"}, headers={"Idempotency-Key": "same"})
    b = api.post("/gigs", "omar", body={"title": "I will paint"}, headers={"Idempotency-Key": "same"})
    assert a.json["id"] != b.json["id"]


def test_failed_requests_are_not_remembered(api, catalogue, make_seller):
    key = {"Idempotency-Key": "retry"}
    assert api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key).status_code == 403
    make_seller("dana")
    assert api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key).status_code == 201


def test_invalid_key_is_a_400(api, make_seller):
    make_seller("dana")
    _is_problem(api.post("/gigs", "dana", body={}, headers={"Idempotency-Key": "x" * 300}), 400,
                "invalid_idempotency_key")


def test_concurrent_duplicate_is_a_409(aws):
    """While the first request with a key is still running, a second one gets 409."""
    from types import SimpleNamespace

    from chalicelib.handlers.api import Operation
    from chalicelib.handlers.idempotency import run_idempotent
    from chalicelib.handlers.identity import Identity

    op = Operation(path="/gigs", method="POST", operation_id="x", summary="", tag="", public=False,
                   operator_only=False, idempotent=True, status=201, request=None, query=None, response=None)
    call = SimpleNamespace(identity=Identity("u1", "dana"), request=SimpleNamespace(raw_body=b"{}"))
    # No clock: the first request is held inside its handler until the second one was answered.
    started, release, entered = threading.Event(), threading.Event(), threading.Event()
    first_error: list[BaseException] = []

    def slow():
        entered.set()
        started.set()
        release.wait()
        return 201, "{}"

    def first_request():
        try:
            run_idempotent(op, call, "k", {}, slow)
        except BaseException as exc:  # noqa: BLE001 - shown by the assertion below
            first_error.append(exc)
        finally:
            started.set()  # also when it failed before reaching the handler: nothing waits forever

    first = threading.Thread(target=first_request)
    first.start()
    started.wait()
    try:
        assert entered.is_set(), first_error
        with pytest.raises(HttpProblem) as duplicate:
            run_idempotent(op, call, "k", {}, lambda: (201, "{}"))
        assert duplicate.value.status == 409
    finally:
        release.set()
        first.join()


def test_a_route_with_a_body_refuses_an_empty_one(api, make_seller):
    make_seller("dana")
    _is_problem(api.request("POST", "/gigs", "dana", raw=b""), 400, "body_required")


def test_query_errors_name_the_query(api):
    response = api.get("/gigs?min_price=5&max_price=1")
    _is_problem(response, 422, "validation_failed")
    assert response.json["errors"][0]["field"] == "query"
    assert api.get("/gigs?limit=abc").json["errors"][0]["field"] == "limit"


def test_cors_headers_on_answers_and_problems(api):
    """Browsers call the API from other origins (tokens, no cookies)."""
    assert api.get("/catalogue").headers["Access-Control-Allow-Origin"] == "*"
    problem = api.get("/me")
    assert problem.status_code == 401 and problem.headers["Access-Control-Allow-Origin"] == "*"
    allowed = api.get("/gigs").headers["Access-Control-Allow-Headers"]
    assert "Idempotency-Key" in allowed and "Authorization" in allowed
