"""W1 through the routes: warnings and the ladder, suspensions that refuse every write and hide
the seller's gigs, ending by themselves through the sweeper, blocks that disable the Cognito user,
lifting and unblocking, the report queue and its actions, and W2 refusals that file a report."""
from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.clock import iso
from chalicelib.domain.warnings import SUSPENSION_DAYS, W2_REFUSALS_FOR_REPORT, WARNING_ACTIVE_DAYS
from chalicelib.notify.email import RecordingEmailSender
from chalicelib.notify.push import RecordingPushSender
from chalicelib.services import reactions, runtime, sweeper
from chalicelib.services.identity import CognitoIdentity, LoggingIdentity
from chalicelib.store import audit as audit_store
from tests.integration.conftest import gig_body, uid

OPERATOR = "olga"


def warn(api, user: str, type_: str = "spam", severe: bool = False, reason: str = "Mass messages to buyers"):
    return api.op("POST", f"/users/{uid(user)}/warnings", OPERATOR,
                  body={"type": type_, "reason": reason, "severe": severe})


def audit_actions(object_kind: ObjectKind, object_id: str) -> list[AuditAction]:
    entries, _ = audit_store.page(operator_id=None, object_kind=object_kind, object_id=object_id, action=None,
                                  since=None, until=None, limit=50, cursor=None)
    return [e.action for e in entries]


def dispatch(identity=None):
    email, push = RecordingEmailSender(), RecordingPushSender()
    registry = reactions.default_reactions(email=email, push=push, identity=identity or LoggingIdentity())
    reactions.dispatch(registry, runtime.clock())
    return email


def listed_gig_ids(api) -> set[str]:
    return {g["id"] for g in api.get("/gigs").json["items"]}


# -- warnings ---------------------------------------------------------------------------------------
def test_w1_a_first_warning_is_a_reminder_e_mailed_shown_and_audited(api, published_gig):
    # dana turned e-mail off for account notices: a warning is e-mailed anyway (W1).
    assert api.put("/me/preferences", "dana",
                   body={"preferences": {"account_standing": {"push": False, "email": False}}}).status_code == 200
    issued = warn(api, "dana")
    assert issued.status_code == 201, issued.json
    assert issued.json["outcome"] == "reminder" and issued.json["active"] is True
    assert issued.headers["Location"] == f"/users/{uid('dana')}/warnings"
    mine = api.get("/me/warnings", "dana").json
    assert [w["id"] for w in mine["items"]] == [issued.json["id"]]
    assert mine["standing"] == {"user_id": uid("dana"), "active_warnings": 1, "restriction": None, "demotions": 0}
    # Warnings themselves restrict nothing.
    assert api.post("/gigs", "dana", body={"title": "I will paint your hallway"}).status_code == 201
    email = dispatch()
    assert [to for to, _ in email.sent] == ["dana@example.test"]
    assert "Mass messages to buyers" in email.sent[0][1].body
    assert audit_actions(ObjectKind.USER, uid("dana")) == [AuditAction.WARNING_ISSUED]
    # Someone else's warnings are not in one's own list.
    assert api.get("/me/warnings", "bob").json["items"] == []


def test_w1_a_second_warning_of_another_type_demotes_a_seller(api, published_gig):
    warn(api, "dana", "spam")
    second = warn(api, "dana", "misleading_profile")
    assert second.json["outcome"] == "demotion"
    assert api.get("/me/warnings", "dana").json["standing"]["demotions"] == 1
    # A2: dana was Level 1 (the fixture's seller): now a new seller, whose gigs go to review (G9)
    assert api.get("/me", "dana").json["seller"]["level"] == "new_seller"
    assert api.post("/gigs", "dana", body={"title": "I will paint your hallway"}).status_code == 201


# -- suspension ---------------------------------------------------------------------------------------
@pytest.fixture
def suspended_world(api, clock, published_gig, make_seller):
    """Before dana is suspended: alice's order of dana's gig is in progress; carol wrote to dana
    and dana sent her a custom offer; dana has a complete draft. Then a second spam warning."""
    gig = published_gig
    order = api.post("/orders", "alice", body={"gig_id": gig["id"], "tier": "basic"}).json
    answers = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    assert api.post(f"/orders/{order['id']}/requirements", "alice", body=answers).status_code == 200
    first = api.post("/conversations", "carol", body={"seller_id": uid("dana"), "text": "Hi there"}).json
    offer = api.post(f"/conversations/{first['conversation_id']}/custom-offers", "dana", body={
        "gig_id": gig["id"], "description": "Two kitchens", "price": {"amount": 20000, "currency": "USD"},
        "delivery_days": 7, "revisions": 2}).json
    draft = api.post("/gigs", "dana", body=gig_body(title="I will tile your backsplash")).json
    assert warn(api, "dana").json["outcome"] == "reminder"
    second = warn(api, "dana")
    assert second.json["outcome"] == "suspension", second.json
    return {"gig": gig, "order": order["id"], "conversation": first["conversation_id"], "offer": offer["id"],
            "draft": draft["id"]}


def test_w1_a_suspended_seller_cannot_publish_message_deliver_or_be_ordered_from(api, clock, suspended_world):
    w = suspended_world
    until = iso(clock.now() + timedelta(days=SUSPENSION_DAYS))
    refused = [
        api.post(f"/gigs/{w['draft']}/publish", "dana"),
        api.post(f"/conversations/{w['conversation']}/messages", "dana", body={"text": "Hello"}),
        api.post(f"/orders/{w['order']}/deliveries", "dana", body={"message": "Here it is"}),
        api.put("/me/preferences", "dana", body={"preferences": {"order_placed": {"push": False, "email": True}}}),
        api.delete(f"/gigs/{w['draft']}", "dana"),
    ]
    for response in refused:
        assert response.status_code in (403, 405), response.json
    for response in refused[:4]:
        assert response.status_code == 403
        assert response.json["code"] == "account_suspended" and response.json["rule"] == "W1"
        assert response.json["until"] == until
        assert until in response.json["detail"]
    # Reads still work.
    assert api.get(f"/orders/{w['order']}", "dana").status_code == 200
    assert api.get("/me/gigs", "dana").status_code == 200
    # The gigs vanish from browsing and take no orders.
    assert w["gig"]["id"] not in listed_gig_ids(api)
    assert api.get(f"/gigs/{w['gig']['id']}").json["orderable"] is False
    assert api.post("/orders", "bob", body={"gig_id": w["gig"]["id"], "tier": "basic"}).status_code == 404
    accepted = api.post(f"/custom-offers/{w['offer']}/acceptance", "carol")
    assert accepted.status_code == 409 and accepted.json["code"] == "seller_suspended", accepted.json
    # The active order keeps its timers and stays open to operators.
    order = api.op("GET", f"/orders/{w['order']}", OPERATOR).json
    assert order["state"] == "in_progress" and order["timers"]
    # Others write as before; so do operators.
    written = api.post(f"/conversations/{w['conversation']}/messages", "carol", body={"text": "Any news?"})
    assert written.status_code == 201


def test_w1_the_suspension_ends_by_itself_through_the_sweeper(api, clock, suspended_world):
    w = suspended_world
    clock.advance(days=SUSPENSION_DAYS, minutes=-1)
    sweeper.sweep(clock)
    assert api.post(f"/gigs/{w['draft']}/publish", "dana").status_code == 403
    assert w["gig"]["id"] not in listed_gig_ids(api)
    clock.advance(minutes=2)
    report = sweeper.sweep(clock)
    assert report.fired >= 1
    assert api.get("/me/warnings", "dana").json["standing"]["restriction"] is None
    assert w["gig"]["id"] in listed_gig_ids(api)
    assert api.post(f"/gigs/{w['draft']}/publish", "dana").status_code == 200
    email = dispatch()
    assert any("suspension has ended" in m.body for to, m in email.sent if to == "dana@example.test")


def test_w1_an_operator_lifts_a_suspension_with_a_reason(api, clock, suspended_world):
    w = suspended_world
    assert api.post(f"/users/{uid('dana')}/suspension-lift", "dana", body={"reason": "x"}).status_code == 403
    no_reason = api.op("POST", f"/users/{uid('dana')}/suspension-lift", OPERATOR, body={"reason": "  "})
    assert no_reason.status_code == 422
    lifted = api.op("POST", f"/users/{uid('dana')}/suspension-lift", OPERATOR, body={"reason": "Appeal accepted"})
    assert lifted.status_code == 200 and lifted.json["restriction"] is None, lifted.json
    assert w["gig"]["id"] in listed_gig_ids(api)
    assert api.post(f"/gigs/{w['draft']}/publish", "dana").status_code == 200
    again = api.op("POST", f"/users/{uid('dana')}/suspension-lift", OPERATOR, body={"reason": "Again"})
    assert again.status_code == 409 and again.json["code"] == "not_suspended"
    assert AuditAction.SUSPENSION_LIFTED in audit_actions(ObjectKind.USER, uid("dana"))
    # The end deadline went with the suspension: nothing fires at its time.
    clock.advance(days=SUSPENSION_DAYS, minutes=1)
    assert api.get("/me/warnings", "dana").json["standing"]["restriction"] is None


def test_w1_warnings_lapse_after_their_active_period(api, clock, published_gig):
    warn(api, "dana")
    clock.advance(days=WARNING_ACTIVE_DAYS, minutes=1)
    sweeper.sweep(clock)
    mine = api.get("/me/warnings", "dana").json
    assert mine["items"][0]["active"] is False and mine["items"][0]["lapsed_at"]
    assert mine["standing"]["active_warnings"] == 0
    # Only active warnings count: the same type again is a reminder, not a suspension.
    assert warn(api, "dana").json["outcome"] == "reminder"


# -- blocks -----------------------------------------------------------------------------------------
@pytest.fixture
def cognito(aws):
    client = boto3.client("cognito-idp", region_name="us-east-1")
    pool = client.create_user_pool(PoolName="marketplace-users")["UserPool"]["Id"]
    client.admin_create_user(UserPoolId=pool, Username="dana")
    return client, pool


def test_w1_a_severe_violation_blocks_and_disables_the_cognito_user(api, clock, published_gig, cognito):
    client, pool = cognito
    identity = CognitoIdentity(pool, "us-east-1")
    blocked = warn(api, "dana", "off_platform", severe=True)
    assert blocked.json["outcome"] == "block"
    refused = api.post("/gigs", "dana", body={"title": "I will paint your hallway"})
    assert refused.status_code == 403 and refused.json["code"] == "account_blocked" and refused.json["until"] is None
    assert published_gig["id"] not in listed_gig_ids(api)
    dispatch(identity)
    assert client.admin_get_user(UserPoolId=pool, Username="dana")["Enabled"] is False
    # No end by itself: a year on, still blocked.
    clock.advance(days=365)
    sweeper.sweep(clock)
    assert api.post("/gigs", "dana", body={"title": "x"}).json["code"] == "account_blocked"
    lift = api.op("POST", f"/users/{uid('dana')}/suspension-lift", OPERATOR, body={"reason": "Appeal"})
    assert lift.status_code == 409
    unblocked = api.op("POST", f"/users/{uid('dana')}/unblock", OPERATOR, body={"reason": "Identity verified"})
    assert unblocked.status_code == 200, unblocked.json
    dispatch(identity)
    assert client.admin_get_user(UserPoolId=pool, Username="dana")["Enabled"] is True
    assert published_gig["id"] in listed_gig_ids(api)
    assert AuditAction.ACCOUNT_UNBLOCKED in audit_actions(ObjectKind.USER, uid("dana"))


# -- the report queue -----------------------------------------------------------------------------
@pytest.fixture
def spam(api, clock, published_gig):
    """carol wrote to dana twice; dana reported both messages as spam, a minute apart."""
    first = api.post("/conversations", "carol", body={"seller_id": uid("dana"), "text": "Buy followers cheap"}).json
    second = api.post(f"/conversations/{first['conversation_id']}/messages", "carol", body={"text": "Hello?"}).json
    for message in (first["id"], second["id"]):
        assert api.post(f"/messages/{message}/spam-reports", "dana", body={"reason": "Spam"}).status_code == 201
        clock.advance(minutes=1)
    queue = api.op("GET", "/reports", OPERATOR).json["items"]
    assert [r["subject_id"] for r in queue] == [first["id"], second["id"]]  # oldest first
    return {"conversation": first["conversation_id"], "messages": [first["id"], second["id"]],
            "reports": [r["id"] for r in queue]}


def test_w1_the_queue_pages_oldest_first(api, spam):
    page = api.op("GET", "/reports?limit=1", OPERATOR).json
    assert [r["id"] for r in page["items"]] == spam["reports"][:1] and page["next_cursor"]
    rest = api.op("GET", f"/reports?limit=1&cursor={page['next_cursor']}", OPERATOR).json
    assert [r["id"] for r in rest["items"]] == spam["reports"][1:]
    assert api.op("GET", "/spam-reports", OPERATOR).json["items"]  # the spam list stays


def test_w1_dismissing_a_report_tells_the_reporter_and_is_audited(api, spam):
    report = spam["reports"][0]
    done = api.op("POST", f"/reports/{report}/actions", OPERATOR, body={"action": "dismiss", "note": "Not spam"})
    assert done.status_code == 200 and done.json["state"] == "dismissed", done.json
    again = api.op("POST", f"/reports/{report}/actions", OPERATOR, body={"action": "dismiss", "note": "Again"})
    assert again.status_code == 409 and again.json["code"] == "report_resolved"
    assert [r["id"] for r in api.op("GET", "/reports", OPERATOR).json["items"]] == spam["reports"][1:]
    dispatch()
    feed = api.get("/me/notifications", "dana").json["items"]
    assert any(n["kind"] == "report.resolved" and "found nothing" in n["summary"] for n in feed)
    assert audit_actions(ObjectKind.REPORT, report) == [AuditAction.REPORT_DISMISSED]


def test_w1_removing_reported_content_hides_the_message(api, spam):
    report = spam["reports"][0]
    done = api.op("POST", f"/reports/{report}/actions", OPERATOR,
                  body={"action": "remove_content", "note": "Spam link"})
    assert done.json["state"] == "actioned", done.json
    texts = [m["text"] for m in api.get(f"/conversations/{spam['conversation']}/messages", "dana").json["items"]]
    assert "Buy followers cheap" not in texts and any("removed" in t for t in texts)
    dispatch()
    feed = api.get("/me/notifications", "dana").json["items"]
    assert any(n["kind"] == "report.resolved" and "took action" in n["summary"] for n in feed)
    assert audit_actions(ObjectKind.REPORT, report) == [AuditAction.REPORT_ACTIONED]


def test_w1_warning_from_a_report_climbs_the_ladder(api, clock, spam):
    body = {"action": "warn", "note": "Unsolicited ads", "warning": {"type": "spam"}}
    first = api.op("POST", f"/reports/{spam['reports'][0]}/actions", OPERATOR, body=body)
    assert first.status_code == 200 and first.json["warning_id"], first.json
    clock.advance(minutes=1)
    second = api.op("POST", f"/reports/{spam['reports'][1]}/actions", OPERATOR, body=body)
    assert second.status_code == 200
    warnings = api.get("/me/warnings", "carol").json
    assert [w["outcome"] for w in warnings["items"]] == ["suspension", "reminder"]  # newest first
    assert warnings["items"][0]["report_id"] == spam["reports"][1]
    assert warnings["standing"]["restriction"]["kind"] == "suspended"
    refused = api.post(f"/conversations/{spam['conversation']}/messages", "carol", body={"text": "Hi"})
    assert refused.status_code == 403 and refused.json["code"] == "account_suspended"
    assert audit_actions(ObjectKind.USER, uid("carol")).count(AuditAction.WARNING_ISSUED) == 2
    missing = api.op("POST", f"/reports/{spam['reports'][0]}/actions", OPERATOR, body={"action": "warn", "note": "x"})
    assert missing.status_code == 422


def test_w1_removing_a_reported_file_blocks_its_download(api, clock, published_gig):
    from chalicelib.domain.files import Purpose
    from local.media_seed import GeneratedImageScanner, upload_and_scan

    file_id = upload_and_scan(uid("dana"), clock, b"Floor plan\n", "plan.txt", "text/plain", Purpose.MESSAGE,
                              GeneratedImageScanner())
    assert api.post(f"/files/{file_id}/reports", "olga", body={"reason": "Phishing"},
                    groups=("operators",)).status_code == 201
    [report] = api.op("GET", "/reports", OPERATOR).json["items"]
    assert report["kind"] == "file" and report["subject_user_id"] == uid("dana")
    assert "remove_content" in report["allowed_actions"]
    assert api.op("POST", f"/reports/{report['id']}/actions", OPERATOR,
                  body={"action": "remove_content", "note": "Phishing"}).status_code == 200
    download = api.get(f"/files/{file_id}/download", "dana")
    assert download.status_code == 403 and download.json["code"] == "file_removed", download.json
    assert api.get(f"/files/{file_id}", "dana").json["reason_code"] == "removed"


# -- W1/W2: repeated refusals ---------------------------------------------------------------------
def test_w1_w2_five_refusals_in_a_day_put_one_report_in_the_queue(api, clock, published_gig):
    def refused():
        r = api.post("/conversations", "bob", body={"seller_id": uid("dana"), "text": "mail me at bob@gmail.com"})
        assert r.status_code == 422 and r.json["rule"] == "W2", r.json

    for _ in range(W2_REFUSALS_FOR_REPORT - 1):
        refused()
        clock.advance(hours=1)
    assert api.op("GET", "/reports", OPERATOR).json["items"] == []
    refused()
    [report] = api.op("GET", "/reports", OPERATOR).json["items"]
    assert report["kind"] == "contact_details" and report["subject_user_id"] == uid("bob")
    assert report["reporter_id"] is None and report["allowed_actions"] == ["dismiss", "warn"]
    refused()  # a sixth: the count did not fall below the threshold, no second report
    assert len(api.op("GET", "/reports", OPERATOR).json["items"]) == 1
    clock.advance(days=2)  # the window empties; five more are a new crossing
    for _ in range(W2_REFUSALS_FOR_REPORT):
        refused()
    assert len(api.op("GET", "/reports", OPERATOR).json["items"]) == 2
    nothing = api.op("POST", f"/reports/{report['id']}/actions", OPERATOR,
                     body={"action": "remove_content", "note": "x"})
    assert nothing.status_code == 409 and nothing.json["code"] == "nothing_to_remove"
