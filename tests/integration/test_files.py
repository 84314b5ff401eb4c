"""F1 through the API without a scanner: upload requests and their refusals, reports, the
operators' list, attaching files for other aggregates, and the sweeper's time-out."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.files import SCAN_DEADLINE, Purpose
from chalicelib.services import files, runtime, sweeper
from chalicelib.store.unit_of_work import UnitOfWork
from local.media_seed import GeneratedImageScanner, upload_and_scan
from tests.integration.conftest import uid


def _ask(api, user="bob", **overrides):
    body = {"purpose": "message", "name": "plan.pdf", "content_type": "application/pdf", "size": 1000}
    body.update(overrides)
    return api.post("/uploads", user, body=body)


@pytest.mark.parametrize("overrides,field,code", [
    ({"name": "../../etc/passwd.pdf"}, "name", "path_in_name"),
    ({"name": "a.jpg.php", "content_type": "image/jpeg"}, "name", "dangerous_extension"),
    ({"name": "evil\x00.pdf"}, "name", "nul_byte"),
    ({"name": "setup.exe"}, "name", "dangerous_extension"),
    ({"name": "plan.doc"}, "name", "extension_mismatch"),
    ({"content_type": "application/x-msdownload", "name": "plan.exe"}, "content_type", "type_not_allowed"),
    ({"purpose": "gig_media", "content_type": "application/zip", "name": "a.zip"}, "content_type", "type_not_allowed"),
    ({"size": 0}, "size", "too_small"),
    ({"purpose": "gig_media", "name": "tour.mp4", "content_type": "video/mp4", "size": 60 * 1024 * 1024}, "size",
     "too_large"),
])
def test_f1_bad_upload_requests_are_a_422_naming_the_field(api, overrides, field, code):
    response = _ask(api, **overrides)
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (field, code) in {(e["field"], e["code"]) for e in response.json["errors"]}


def test_an_unknown_purpose_is_a_422(api):
    response = _ask(api, purpose="avatar")
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "purpose"


def test_f1_reports_once_per_person_and_operators_see_them(api, clock):
    file_id = upload_and_scan(uid("bob"), clock, b"hello\n", "notes.txt", "text/plain", Purpose.MESSAGE,
                              GeneratedImageScanner())
    assert api.post(f"/files/{file_id}/reports", "bob", body={"reason": "Odd link inside"}).status_code == 201
    again = api.post(f"/files/{file_id}/reports", "bob", body={"reason": "Still odd"})
    assert again.status_code == 409 and again.json["code"] == "already_reported"
    assert api.post(f"/files/{file_id}/reports", "alice", body={"reason": "x"}).status_code == 404
    page = api.op("GET", "/file-reports?limit=1", "olga").json
    (item,) = page["items"]
    assert item["file_id"] == file_id and item["file"]["state"] == "clean" and item["reason"] == "Odd link inside"
    assert page["next_cursor"] is None


def test_f1_attach_and_visibility_through_the_registry(api, clock):
    clean = upload_and_scan(uid("bob"), clock, b"brief\n", "brief.txt", "text/plain", Purpose.DELIVERY,
                            GeneratedImageScanner())
    infected = upload_and_scan(uid("bob"), clock, b"bad\n", "bad.txt", "text/plain", Purpose.DELIVERY,
                               type("Eicar", (), {"name": "t", "scan": lambda self, p: "Test.Sig"})())
    never = _ask(api, purpose="delivery").json["file"]["id"]
    uow = UnitOfWork()
    with pytest.raises(InvalidInput) as refused:
        files.stage_attach(uow, [clean, never, "file_nope"], uid("bob"), Purpose.DELIVERY, "order:o1")
    assert {(e.field, e.code) for e in refused.value.fields} == {("files.1", "not_uploaded"),
                                                                  ("files.2", "unknown_file")}
    with pytest.raises(InvalidInput):
        files.stage_attach(UnitOfWork(), [clean], uid("alice"), Purpose.DELIVERY, "order:o1")
    with pytest.raises(InvalidInput):
        files.stage_attach(UnitOfWork(), [clean], uid("bob"), Purpose.MESSAGE, "order:o1")
    uow = UnitOfWork()
    refs = files.stage_attach(uow, [clean, infected], uid("bob"), Purpose.DELIVERY, "order:o1")
    uow.commit()
    assert [r.state for r in refs] == ["clean", "infected"]
    # O6: blocked files alone do not make a delivery non-empty.
    assert files.has_clean_file(files.summaries([infected])) is False
    assert files.has_clean_file(files.summaries([infected, clean])) is True
    with pytest.raises(InvalidInput) as elsewhere:
        files.stage_attach(UnitOfWork(), [clean], uid("bob"), Purpose.DELIVERY, "order:o2")
    assert elsewhere.value.fields[0].code == "already_attached"
    # Who may see it follows what it is attached to: the check registered for its kind.
    assert api.get(f"/files/{clean}", "alice").status_code == 404  # order o1 does not exist
    only_alice_sees_o1 = runtime.current().with_stream_kind(
        "order", lambda order_id, user_id: order_id == "o1" and user_id == uid("alice"))
    with runtime.using(only_alice_sees_o1):
        assert api.get(f"/files/{clean}", "alice").status_code == 200
        assert api.get(f"/files/{clean}/download", "alice").status_code == 200
        assert api.get(f"/files/{infected}/download", "alice").json["code"] == "file_infected"
        assert api.get(f"/files/{clean}", "carol").status_code == 404


def test_f1_a_file_never_uploaded_becomes_unscannable_through_the_sweeper(api, clock):
    file_id = _ask(api).json["file"]["id"]
    clock.advance(seconds=SCAN_DEADLINE.total_seconds() - 60)
    sweeper.sweep(clock)
    assert api.get(f"/files/{file_id}", "bob").json["state"] == "awaiting_upload"
    clock.advance(seconds=120)
    assert sweeper.sweep(clock).fired == 1
    found = api.get(f"/files/{file_id}", "bob").json
    assert found["state"] == "unscannable" and "never uploaded" in found["reason"]
    assert api.get(f"/files/{file_id}/download", "bob").json["code"] == "file_unscannable"
    assert sweeper.sweep(clock).fired == 0
