"""W2 through the HTTP API: contact details in fields the old detector missed (gig tags,
requirement answers, delivery messages) are refused with 422, problem code ``contact_details``,
rule W2 and the field, and the message names the kind found without echoing it. Ordinary numbers
in the same fields pass.

dana sells (the ``published_gig``, one mandatory free-text requirement); alice buys."""
from __future__ import annotations

import pytest

from tests.integration.conftest import gig_body

BUYER, SELLER = "alice", "dana"


def _w2(response, field: str, kind: str, text: str, code: str = "contact_details") -> None:
    assert response.status_code == 422, response.json
    assert response.json["code"] == code
    errors = [e for e in response.json["errors"] if e["rule"] == "W2"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, "contact_details")]
    assert kind in errors[0]["message"] and text not in str(response.json)


@pytest.fixture
def seller(api, catalogue, make_seller):
    make_seller("dana")


def test_w2_a_phone_number_in_a_gig_tag_is_refused_at_publish(api, seller):
    gig = api.post("/gigs", SELLER, body=gig_body(tags=["home photos", "0 5 2 1 2 3 4 5 6 7"])).json
    response = api.post(f"/gigs/{gig['id']}/publish", SELLER)
    _w2(response, "tags.1", "phone number", "0 5 2 1 2 3 4 5 6 7", code="gig_incomplete")
    assert api.get(f"/me/gigs/{gig['id']}", SELLER).json["state"] == "draft"


def test_w2_ordinary_numbers_in_gig_tags_pass(api, seller):
    gig = api.post("/gigs", SELLER, body=gig_body(tags=["4k video", "2024 2025 2026 2027"])).json
    assert api.post(f"/gigs/{gig['id']}/publish", SELLER).status_code == 200


def _place(api, published_gig) -> str:
    response = api.post("/orders", BUYER, body={"gig_id": published_gig["id"], "tier": "basic"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def _answer(api, published_gig, order_id: str, text: str):
    requirement = published_gig["requirements"][0]["id"]
    return api.post(f"/orders/{order_id}/requirements", BUYER,
                    body={"answers": [{"requirement_id": requirement, "text": text}]})


def test_w2_a_spelled_out_address_in_a_requirement_answer_is_refused(api, published_gig):
    order_id = _place(api, published_gig)
    text = "dana (at) gmail . com"
    _w2(_answer(api, published_gig, order_id, text), "answers.0.text", "e-mail address", text, code="invalid_answers")
    assert api.get(f"/orders/{order_id}", BUYER).json["state"] == "awaiting_requirements"


def test_w2_a_handle_in_a_delivery_message_is_refused_and_a_zip_code_passes(api, published_gig):
    order_id = _place(api, published_gig)
    assert _answer(api, published_gig, order_id, "zip 10001-1234, 85 m2").status_code == 200
    text = "all files are on ig danabuilds"
    response = api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": text})
    _w2(response, "message", "social media or messenger handle", text)
    assert api.get(f"/orders/{order_id}", BUYER).json["state"] == "in_progress"
    delivered = api.post(f"/orders/{order_id}/deliveries", SELLER,
                         body={"message": "Plans v2.1.3, ISBN 978-3-16-148410-0 for the book cover"})
    assert delivered.status_code == 201, delivered.json
