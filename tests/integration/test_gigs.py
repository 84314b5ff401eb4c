"""Gigs through the API: drafts, publishing (G1–G7, G9), the G2 lock, browsing by index, quotes."""
from __future__ import annotations

import pytest

from tests.integration.conftest import gig_body, usd


@pytest.fixture
def seller(api, catalogue, make_seller):
    make_seller("dana")
    make_seller("omar")


def _publish(api, user, **overrides):
    gig = api.post("/gigs", user, body=gig_body(seller=user, **overrides)).json
    response = api.post(f"/gigs/{gig['id']}/publish", user)
    assert response.status_code == 200, response.json
    return response.json


def test_a1_only_sellers_create_gigs(api, catalogue):
    response = api.post("/gigs", "alice", body=gig_body())
    assert response.status_code == 403 and response.json["code"] == "seller_profile_required"


def test_g1_an_over_long_title_is_refused_even_in_a_draft(api, seller):
    response = api.post("/gigs", "dana", body=gig_body(title="x" * 81))
    assert response.status_code == 422
    assert {"field": "title", "rule": "G1"}.items() <= response.json["errors"][0].items()


def test_publish_names_every_broken_rule(api, seller):
    body = gig_body(title="", tags=[], description="Call me on +1 (555) 123-4567",
                    packages=[{"tier": "basic", "name": "B", "description": "d", "delivery_days": 5,
                               "revisions": 1, "price": usd(100)}])
    gig = api.post("/gigs", "dana", body=body).json
    response = api.post(f"/gigs/{gig['id']}/publish", "dana")
    assert response.status_code == 422 and response.json["code"] == "gig_incomplete"
    rules = {(e["field"], e["rule"]) for e in response.json["errors"]}
    assert {("title", "G1"), ("tags", "G3"), ("description", "W2"), ("packages.0.price", "G4")} <= rules
    assert api.get(f"/me/gigs/{gig['id']}", "dana").json["state"] == "draft"


def test_g2_unknown_category_is_refused_at_publish(api, seller):
    gig = api.post("/gigs", "dana", body=gig_body(category="gardening")).json
    errors = api.post(f"/gigs/{gig['id']}/publish", "dana").json["errors"]
    assert any(e["field"] == "category" and e["rule"] == "G2" for e in errors)


def test_g2_category_is_locked_after_publishing(api, seller):
    gig = _publish(api, "dana")
    response = api.patch(f"/gigs/{gig['id']}", "dana", body={"subcategory": "painting", "service_type": "interior"})
    assert response.status_code == 422
    assert {e["rule"] for e in response.json["errors"]} == {"G2"}
    assert api.patch(f"/gigs/{gig['id']}", "dana", body={"title": "I will plan your dream kitchen"}).status_code == 200


def test_g6_w2_contact_details_are_refused_in_faq(api, seller):
    gig = api.post("/gigs", "dana", body=gig_body(
        faq=[{"question": "How to reach you?", "answer": "dana dot b at yahoo dot com"}])).json
    errors = api.post(f"/gigs/{gig['id']}/publish", "dana").json["errors"]
    assert {"field": "faq.0.answer", "rule": "W2"}.items() <= errors[0].items()


def test_g9_pause_unlists_and_resume_relists(api, seller):
    gig = _publish(api, "dana")
    assert api.post(f"/gigs/{gig['id']}/pause", "dana").json["state"] == "paused"
    assert api.get(f"/gigs/{gig['id']}").status_code == 404
    assert api.post(f"/gigs/{gig['id']}/pause", "dana").status_code == 409  # already paused
    assert api.post(f"/gigs/{gig['id']}/resume", "dana").json["state"] == "published"
    assert api.get(f"/gigs/{gig['id']}").status_code == 200


def test_g9_removed_gigs_disappear_and_cannot_be_edited(api, seller):
    gig = _publish(api, "dana")
    removed = api.op("POST", f"/gigs/{gig['id']}/remove", "olga", body={"reason": "Stolen photos"})
    assert removed.json["state"] == "removed"
    assert gig["id"] not in {g["id"] for g in api.get("/gigs").json["items"]}
    assert api.patch(f"/gigs/{gig['id']}", "dana", body={"title": "I will try again"}).status_code == 409
    assert api.op("POST", f"/gigs/{gig['id']}/remove", "olga", body={"reason": "again"}).status_code == 409


def test_browse_filters_by_category_subcategory_tag_price_and_days(api, seller):
    cheap = _publish(api, "dana", title="I will paint one room", subcategory="painting", service_type="interior",
                     tags=["painting"], packages=[{"tier": "basic", "name": "Room", "description": "One room",
                                                   "delivery_days": 2, "revisions": 1, "price": usd(5000)}],
                     extras={})
    dear = _publish(api, "omar")  # kitchen-remodel, from 10000, 5 days
    ids = lambda query: [g["id"] for g in api.get(f"/gigs?{query}").json["items"]]  # noqa: E731
    assert ids("category=renovation") == [cheap["id"], dear["id"]]
    assert ids("category=renovation&sort=price_desc") == [dear["id"], cheap["id"]]
    assert ids("category=renovation&subcategory=painting") == [cheap["id"]]
    assert ids("tag=remodel") == [dear["id"]]
    assert ids("min_price=6000") == [dear["id"]]
    assert ids("max_price=5000") == [cheap["id"]]
    assert ids("max_delivery_days=3") == [cheap["id"]]
    assert ids("tag=painting&category=renovation&max_price=9000") == [cheap["id"]]
    item = api.get("/gigs?tag=painting").json["items"][0]
    assert item["starting_price"] == usd(5000) and item["min_delivery_days"] == 2


def test_browse_pages_with_cursors(api, seller):
    made = {_publish(api, "dana", title=f"I will remodel kitchen number {i}")["id"] for i in range(5)}
    seen, cursor = [], None
    while True:
        page = api.get("/gigs?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        assert len(page["items"]) <= 2
        seen += [g["id"] for g in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == made and len(seen) == len(made)


@pytest.mark.parametrize("cursor", ["garbage!", "eyJwayI6eyJTIjoiTElTVElORyNjYXQ6eCJ9fQ", "e30"])
def test_forged_or_foreign_cursors_are_a_400(api, seller, cursor):
    response = api.get(f"/gigs?cursor={cursor}")
    assert response.status_code == 400 and response.json["code"] == "invalid_cursor"


def test_browse_query_is_validated(api):
    assert api.get("/gigs?min_price=10&max_price=5").status_code == 422
    assert api.get("/gigs?limit=0").status_code == 422
    assert api.get("/gigs?subcategory=painting").status_code == 422
    assert api.get("/gigs?colour=red").status_code == 422


def test_quote_uses_the_one_price_function(api, seller):
    gig = _publish(api, "dana")
    extra_id = gig["extras"]["custom"][0]["id"]
    quote = api.post(f"/gigs/{gig['id']}/quote", body={
        "tier": "basic", "quantity": 2, "fast_delivery": True, "extra_revisions": 1,
        "custom_extras": [{"id": extra_id, "quantity": 1}]}).json
    # 2 x 100.00 + fast 2 x 30.00 + revision 15.00 + rendering 50.00
    assert quote["total"] == usd(20000 + 6000 + 1500 + 5000)
    assert quote["delivery_days"] == 2 + 1 + 2
    assert sum(line["amount"]["amount"] for line in quote["lines"]) == quote["total"]["amount"]
    bad = api.post(f"/gigs/{gig['id']}/quote", body={"tier": "basic", "custom_extras": [{"id": "nope"}]})
    assert bad.status_code == 422


def test_own_gigs_list_every_state_newest_first(api, seller):
    first = api.post("/gigs", "dana", body={"title": "I will draft one"}).json
    second = _publish(api, "dana")
    page = api.get("/me/gigs", "dana").json
    assert [g["id"] for g in page["items"]] == [second["id"], first["id"]] or \
        {g["id"] for g in page["items"]} == {first["id"], second["id"]}
    assert api.get("/me/gigs", "omar").json["items"] == []


def test_money_must_be_minor_units_with_currency(api, seller):
    body = gig_body(packages=[{"tier": "basic", "name": "B", "description": "d", "delivery_days": 5,
                               "revisions": 1, "price": 99.5}])
    response = api.post("/gigs", "dana", body=body)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "packages.0.price"


def test_nested_defaults_apply_when_fields_are_omitted(api, seller):
    """Found by schemathesis: a requirement without ``mandatory`` was a 500."""
    gig = api.post("/gigs", "dana", body={"requirements": [{"question": "Size?", "answer_type": "free_text"}]})
    assert gig.status_code == 201 and gig.json["requirements"][0]["mandatory"] is False
    patched = api.patch(f"/gigs/{gig.json['id']}", "dana",
                        body={"extras": {"custom": [{"title": "Rendering", "price": usd(100)}]}})
    assert patched.status_code == 200 and patched.json["extras"]["custom"][0]["added_days"] == 0


def test_integral_float_amounts_are_minor_units_too(api, seller):
    """JSON Schema's integer admits 100.0; 100.5 is a fraction of a cent and refused."""
    ok = gig_body(packages=[{"tier": "basic", "name": "B", "description": "d", "delivery_days": 5,
                             "revisions": 1, "price": {"amount": 10000.0, "currency": "USD"}}])
    created = api.post("/gigs", "dana", body=ok)
    assert created.status_code == 201 and created.json["packages"][0]["price"] == usd(10000)
    ok["packages"][0]["price"]["amount"] = 10000.5
    assert api.post("/gigs", "dana", body=ok).status_code == 422


def test_a_gig_edit_from_a_stale_copy_is_refused_and_writes_nothing(api, catalogue, make_seller):
    """HTTP conventions (issue 13): the owner's gig carries its version; PATCH honours If-Match."""
    make_seller("dana")
    draft = api.post("/gigs", "dana", body=gig_body()).json
    read = api.get(f"/me/gigs/{draft['id']}", "dana")
    etag = read.headers["ETag"]
    edited = api.patch(f"/gigs/{draft['id']}", "dana", body={"title": "I will plan your kitchen"},
                       headers={"If-Match": etag})
    assert edited.status_code == 200 and edited.headers["ETag"] != etag
    stale = api.patch(f"/gigs/{draft['id']}", "dana", body={"title": "I will plan your bathroom"},
                      headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
    assert api.get(f"/me/gigs/{draft['id']}", "dana").json["title"] == "I will plan your kitchen"
    # a PATCH changes only what it names: without If-Match it still goes through
    assert api.patch(f"/gigs/{draft['id']}", "dana", body={"title": "I will plan your attic"}).status_code == 200
