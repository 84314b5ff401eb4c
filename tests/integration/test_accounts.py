"""/me, seller activation (A1), preferences (A3) and availability periods (A4) through the API."""
from __future__ import annotations

from chalicelib.domain.files import PURPOSE_MAX, Purpose
from chalicelib.services import runtime, sweeper
from tests.integration.conftest import SELLER_PROFILE, uid


def test_a1_any_user_can_buy_and_sees_a_default_profile(api):
    me = api.get("/me", "alice").json
    assert me["id"] == uid("alice") and me["is_seller"] is False and me["available"] is True


def test_a1_incomplete_seller_profile_names_every_missing_field(api):
    body = {**SELLER_PROFILE, "photo": "", "skills": [], "portfolio": []}
    response = api.put("/me/seller-profile", "alice", body=body)
    assert response.status_code == 422
    assert response.json["rule"] == "A1"
    failing = {(e["field"], e.get("rule")) for e in response.json["errors"]}
    assert {("photo", "A1"), ("skills", "A1"), ("portfolio", "A1")} <= failing
    assert api.get("/me", "alice").json["is_seller"] is False  # nothing half-written


def test_w2_contact_details_in_a_seller_description_are_refused(api):
    body = {**SELLER_PROFILE, "description": "Write me at dana at gmail dot com for a deal"}
    response = api.put("/me/seller-profile", "alice", body=body)
    assert response.status_code == 422
    assert {"field": "description", "rule": "W2"}.items() <= response.json["errors"][0].items()


def test_a1_activation_and_public_profile(api, make_seller):
    make_seller("dana")
    public = api.get(f"/sellers/{uid('dana')}").json
    assert public["display_name"] == SELLER_PROFILE["display_name"] and public["away"] is None
    assert api.get(f"/sellers/{uid('alice')}").status_code == 404  # not a seller


def test_a3_preferences_change_only_the_kinds_named(api):
    response = api.put("/me/preferences", "alice",
                       body={"preferences": {"order_placed": {"push": False, "email": True}}})
    prefs = response.json["preferences"]
    assert prefs["order.placed"] == {"push": False, "email": True}  # the first vocabulary's name is read
    assert prefs["order.delivered"] == {"push": True, "email": True}
    assert api.put("/me/preferences", "alice", body={"preferences": {"nope": {}}}).status_code == 422


def _browse_ids(api):
    return {g["id"] for g in api.get("/gigs").json["items"]}


def test_a4_a_period_starting_today_hides_gigs_at_once_and_the_sweeper_brings_them_back(api, clock, published_gig):
    gig_id = published_gig["id"]
    period = {"start_date": "2026-11-23", "end_date": "2026-11-26", "reason": "vacation",
              "message": "Back on the 26th", "allow_new_clients_contact": True}
    me = api.put("/me/availability", "dana", body=period).json
    assert me["available"] is False and me["availability"]["active"] is True
    assert gig_id not in _browse_ids(api)
    # A4: the gig page still answers, with the away notice, and says it cannot be ordered now.
    page = api.get(f"/gigs/{gig_id}")
    assert page.status_code == 200 and page.json["orderable"] is False
    assert page.json["seller"]["away"] == api.get(f"/sellers/{uid('dana')}").json["away"] == {
        "until": "2026-11-26", "message": "Back on the 26th", "allow_new_clients_contact": True}
    own = api.get(f"/me/gigs/{gig_id}", "dana").json
    assert (own["state"], own["pause_reason"]) == ("paused", "availability")

    clock.advance(days=2)
    assert sweeper.sweep(runtime.clock()).fired == 0  # nothing due yet
    assert gig_id not in _browse_ids(api)

    clock.advance(days=1)  # 2026-11-26 09:00: past the end date
    report = sweeper.sweep(runtime.clock())
    assert report.fired == 1
    assert gig_id in _browse_ids(api)
    me = api.get("/me", "dana").json
    assert me["available"] is True and me["availability"] is None
    assert sweeper.sweep(runtime.clock()).fired == 0  # a second sweep has nothing left to do


def test_a4_a_future_period_hides_gigs_when_it_starts(api, clock, published_gig):
    gig_id = published_gig["id"]
    api.put("/me/availability", "dana", body={"start_date": "2026-11-25", "end_date": "2026-11-27",
                                               "reason": "overbooked"})
    assert gig_id in _browse_ids(api)
    clock.advance(days=2)  # 2026-11-25 09:00
    assert sweeper.sweep(runtime.clock()).fired == 1
    assert gig_id not in _browse_ids(api)
    clock.advance(days=2)
    assert sweeper.sweep(runtime.clock()).fired == 1
    assert gig_id in _browse_ids(api)


def test_a4_replacing_or_ending_a_period_leaves_no_stale_deadline(api, clock, published_gig):
    gig_id = published_gig["id"]
    api.put("/me/availability", "dana", body={"start_date": "2026-11-25", "end_date": "2026-11-27",
                                               "reason": "overbooked"})
    ended = api.delete("/me/availability", "dana").json
    assert ended["availability"] is None
    clock.advance(days=3)
    assert sweeper.sweep(runtime.clock()).fired == 0
    assert gig_id in _browse_ids(api)


def test_a4_ending_early_relists_at_once(api, clock, published_gig):
    api.put("/me/availability", "dana", body={"start_date": "2026-11-23", "end_date": "2026-11-30",
                                               "reason": "out_of_office"})
    assert published_gig["id"] not in _browse_ids(api)
    assert api.delete("/me/availability", "dana").json["available"] is True
    assert published_gig["id"] in _browse_ids(api)


def test_a4_seller_paused_gigs_stay_paused_after_the_period(api, clock, published_gig):
    gig_id = published_gig["id"]
    api.post(f"/gigs/{gig_id}/pause", "dana")
    api.put("/me/availability", "dana", body={"start_date": "2026-11-23", "end_date": "2026-11-24",
                                               "reason": "other"})
    clock.advance(days=1)
    sweeper.sweep(runtime.clock())
    assert api.get(f"/me/gigs/{gig_id}", "dana").json["pause_reason"] == "seller"


def test_a4_publishing_while_away_lands_paused(api, clock, catalogue, make_seller):
    from tests.integration.conftest import gig_body

    make_seller("dana")
    api.put("/me/availability", "dana", body={"start_date": "2026-11-23", "end_date": "2026-11-24",
                                               "reason": "vacation"})
    gig = api.post("/gigs", "dana", body=gig_body()).json
    published = api.post(f"/gigs/{gig['id']}/publish", "dana").json
    assert (published["state"], published["pause_reason"]) == ("paused", "availability")
    clock.advance(days=1)
    sweeper.sweep(runtime.clock())
    assert gig["id"] in _browse_ids(api)


def test_a4_invalid_periods_are_refused_with_nothing_written(api, make_seller):
    make_seller("dana")
    past = api.put("/me/availability", "dana", body={"start_date": "2026-11-20", "end_date": "2026-11-24",
                                                      "reason": "vacation"})
    assert past.status_code == 422 and past.json["errors"][0]["rule"] == "A4"
    backwards = api.put("/me/availability", "dana", body={"start_date": "2026-11-25", "end_date": "2026-11-24",
                                                           "reason": "vacation"})
    assert backwards.status_code == 422 and backwards.json["errors"][0]["field"] == "end_date"
    assert api.put("/me/availability", "dana", body={"start_date": "2026-11-25", "end_date": "2026-11-26",
                                                      "reason": "holiday"}).status_code == 422
    assert api.get("/me", "dana").json["availability"] is None


def test_a4_the_scheduled_sweeper_function_fires_deadlines(api, clock, published_gig):
    """The Lambda the EventBridge rule invokes, called as Lambda would call it."""
    from app import app
    from local.gateway import ProblemTestClient

    api.put("/me/availability", "dana", body={"start_date": "2026-11-24", "end_date": "2026-11-25",
                                               "reason": "vacation"})
    clock.advance(days=1)
    with ProblemTestClient(app) as client:
        result = client.lambda_.invoke("sweeper", client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
    assert result.payload == {"fired": 1, "lost_races": 0, "failed": 0, "stale": 0}
    assert published_gig["id"] not in _browse_ids(api)


def test_a4_gig_page_shows_the_away_notice_before_and_after_the_sweeper_hides_the_gig(api, clock, published_gig):
    api.put("/me/availability", "dana", body={"start_date": "2026-11-24", "end_date": "2026-11-26",
                                               "reason": "vacation", "message": "Back on the 26th"})
    assert api.get(f"/gigs/{published_gig['id']}").json["seller"]["away"] is None
    clock.advance(days=1)  # started, not yet swept
    away = api.get(f"/gigs/{published_gig['id']}").json["seller"]["away"]
    assert away == {"until": "2026-11-26", "message": "Back on the 26th", "allow_new_clients_contact": False}
    sweeper.sweep(runtime.clock())
    hidden = api.get(f"/gigs/{published_gig['id']}")  # A4: hidden from browsing, its page still answers
    assert hidden.status_code == 200 and hidden.json["seller"]["away"] == away and hidden.json["orderable"] is False


def test_a4_a_hidden_gig_page_shows_the_away_notice_and_orders_are_still_refused(api, clock, published_gig):
    gig_id = published_gig["id"]
    assert api.get(f"/gigs/{gig_id}").json["orderable"] is True
    period = {"start_date": "2026-11-23", "end_date": "2026-11-26", "reason": "vacation", "message": "Back soon"}
    assert api.put("/me/availability", "dana", body=period).status_code == 200
    page = api.get(f"/gigs/{gig_id}", "bob")
    assert page.status_code == 200, page.json
    assert page.json["id"] == gig_id and page.json["orderable"] is False
    assert page.json["seller"]["away"]["message"] == "Back soon"
    assert api.get(f"/gigs/{gig_id}/media/{published_gig['media'][0]}/download").status_code == 200
    assert api.post("/orders", "bob", body={"gig_id": gig_id, "tier": "basic"}).status_code in (404, 409)
    assert gig_id not in _browse_ids(api)
    clock.advance(days=3)
    sweeper.sweep(runtime.clock())
    page = api.get(f"/gigs/{gig_id}").json
    assert page["orderable"] is True and page["seller"]["away"] is None


def test_a4_only_gigs_hidden_for_availability_show_drafts_and_paused_gigs_stay_404(api, published_gig):
    gig_id = published_gig["id"]
    assert api.post(f"/gigs/{gig_id}/pause", "dana").status_code == 200
    period = {"start_date": "2026-11-23", "end_date": "2026-11-26", "reason": "vacation"}
    assert api.put("/me/availability", "dana", body=period).status_code == 200
    assert api.get(f"/gigs/{gig_id}", "bob").status_code == 404  # paused by the seller: not shown


# -- A1: the profile photo is the seller's own clean profile-photo upload --------------------------
def _photo_upload(api, user: str, purpose: str = "profile_photo") -> str:
    response = api.post("/uploads", user, body={"purpose": purpose, "name": "me.png", "content_type": "image/png",
                                                "size": 1000})
    assert response.status_code == 201, response.json
    return response.json["file"]["id"]


def _photo_error(api, user: str, photo: str) -> dict:
    response = api.put("/me/seller-profile", user, body={**SELLER_PROFILE, "photo": photo})
    assert response.status_code == 422, response.json
    (error,) = [e for e in response.json["errors"] if e["field"] == "photo"]
    assert api.get("/me", user).json["is_seller"] is False  # nothing written
    return error


def test_a1_any_string_is_no_photo(api):
    assert _photo_error(api, "alice", "file_demo_photo")["code"] == "unknown_file"


def test_a1_another_users_photo_is_refused_like_a_missing_one(api, clock):
    from local.media_seed import seed_profile_photo

    bobs = seed_profile_photo(uid("bob"), clock)
    error = _photo_error(api, "alice", bobs)
    assert error["code"] == "unknown_file" and error == _photo_error(api, "alice", "file_nothing_here")


def test_a1_the_photo_must_be_a_clean_profile_photo_upload(api, clock):
    from local.media_seed import GeneratedImageScanner, png_bytes, upload_and_scan

    assert _photo_error(api, "alice", _photo_upload(api, "alice"))["code"] == "file_not_clean"  # never uploaded
    message_image = upload_and_scan(uid("alice"), clock, png_bytes(400, 400), "me.png", "image/png",
                                    Purpose.MESSAGE, GeneratedImageScanner())
    assert _photo_error(api, "alice", message_image)["code"] == "wrong_purpose"


def test_a1_profile_photo_uploads_take_images_only(api):
    response = api.post("/uploads", "alice", body={"purpose": "profile_photo", "name": "cv.pdf",
                                                   "content_type": "application/pdf", "size": 1000})
    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == "type_not_allowed"
    cap = PURPOSE_MAX[Purpose.PROFILE_PHOTO]["image/png"]
    too_big = api.post("/uploads", "alice", body={"purpose": "profile_photo", "name": "me.png",
                                                  "content_type": "image/png", "size": cap + 1})
    assert too_big.status_code == 422 and too_big.json["errors"][0]["code"] == "too_large"


def test_a1_a_clean_own_photo_is_attached_to_the_profile_and_seen_by_others(api, clock):
    from local.media_seed import seed_profile_photo

    first = seed_profile_photo(uid("alice"), clock)
    response = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": first})
    assert response.status_code == 200, response.json
    assert response.json["seller"]["photo"] == first
    assert api.get(f"/sellers/{uid('alice')}").json["photo"] == first
    assert api.get(f"/files/{first}", "alice").json["attached_to"] == f"seller:{uid('alice')}"
    assert api.get(f"/files/{first}/download", "bob").status_code == 200  # as public as the profile
    # Saving again with the same photo is fine; a new photo takes its place and the old one is the
    # owner's alone again.
    again = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": first},
                    headers={"If-Match": response.headers["ETag"]})
    assert again.status_code == 200, again.json
    second = seed_profile_photo(uid("alice"), clock)
    assert api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": second},
                   headers={"If-Match": again.headers["ETag"]}).status_code == 200
    assert api.get(f"/files/{first}", "alice").json["attached_to"] is None
    assert api.get(f"/files/{first}", "bob").status_code == 404
    assert api.get(f"/files/{second}", "bob").status_code == 200


# --- ETag and If-Match (HTTP conventions, issue 13) ---------------------------------------------
def test_the_profile_carries_an_etag_and_a_stale_or_missing_if_match_writes_nothing(api, clock):
    from local.media_seed import seed_profile_photo

    photo = seed_profile_photo(uid("alice"), clock)
    first = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo})
    assert first.status_code == 200 and first.headers["ETag"] == api.get("/me", "alice").headers["ETag"]
    stale = first.headers["ETag"]
    # another tab changes the profile
    newer = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo, "skills": ["tiling"]},
                    headers={"If-Match": stale})
    assert newer.status_code == 200 and newer.headers["ETag"] != stale
    # the first tab's stale copy is refused, and so is a blind overwrite
    refused = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo, "skills": ["paint"]},
                      headers={"If-Match": stale})
    assert refused.status_code == 412 and refused.json["code"] == "precondition_failed"
    blind = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo, "skills": ["paint"]})
    assert blind.status_code == 428 and blind.json["code"] == "precondition_required"
    for tag in ('W/' + newer.headers["ETag"], '"banana"', newer.headers["ETag"].strip('"')):  # weak, foreign, bare
        odd = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo, "skills": ["paint"]},
                      headers={"If-Match": tag})
        assert odd.status_code == 412, tag
    assert api.get("/me", "alice").json["seller"]["skills"] == ["tiling"]  # nothing refused was written
    listed = api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo, "skills": ["paint"]},
                     headers={"If-Match": f'"0", {newer.headers["ETag"]}'})
    assert listed.status_code == 200
    assert api.put("/me/seller-profile", "alice", body={**SELLER_PROFILE, "photo": photo},
                   headers={"If-Match": "*"}).status_code == 200


def test_a_browser_may_send_if_match_and_read_the_etag(api):
    from chalicelib.handlers.api import CORS

    # the preflight API Gateway answers (Chalice renders it from this configuration)
    assert "If-Match" in CORS.get_access_control_headers()["Access-Control-Allow-Headers"]
    got = api.get("/me", "alice")
    assert "ETag" not in got.headers  # never written: nothing to be stale against
    assert "ETag" in got.headers["Access-Control-Expose-Headers"]
