"""F1 with real ClamAV: uploads go to (moto) S3, S3 notifies the scan queue, the queue is drained
into the app's registered consumer (as Lambda's SQS event source does), which scans with a clamd
this session started (its own socket, config and limits; the EICAR test signatures). Needs ClamAV
installed: `make deps` installs it from Debian."""
from __future__ import annotations

import base64
import json

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.domain.files import SCAN_DEADLINE
from chalicelib.files import storage
from chalicelib.files.clamav import LIMITS, ClamscanScanner, ScanError
from chalicelib.services import sweeper
from chalicelib.store import events as event_store
from local import clamav_local
from local.clamav_local import EICAR, LocalClamd
from local.scan_worker import drain, queue_url
from tests.integration.conftest import gig_body, uid
from tests.support import samples


@pytest.fixture(autouse=True)
def _moto_one_call_at_a_time():
    """The scan consumer handles messages in parallel threads (local/scan_worker.py); moto's
    in-process backends are not thread-safe, so each of its calls runs alone (the scans do not)."""
    from tests.integration.orders_under_stress import atomic_moto

    with atomic_moto():
        yield


@pytest.fixture(scope="session")
def clam_db(tmp_path_factory) -> str:
    if not clamav_local.installed():
        pytest.fail("ClamAV is not installed: `make deps` installs clamav and clamav-daemon from Debian")
    return clamav_local.build_test_database(str(tmp_path_factory.mktemp("clamdb")))


@pytest.fixture(scope="session")
def clamd(tmp_path_factory, clam_db):
    daemon = LocalClamd(str(tmp_path_factory.mktemp("clamd")), clam_db).start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def bomb_path(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("bomb") / "bomb.zip")
    samples.zip_bomb(path)
    return path


@pytest.fixture
def use_clamd(clamd, monkeypatch):
    monkeypatch.setattr(settings(), "scanner", "clamd")
    monkeypatch.setattr(settings(), "clamd_socket", clamd.socket_path)
    return clamd


def _s3():
    return boto3.client("s3", region_name=settings().aws_region)


def upload(api, user: str, data: bytes, name: str, content_type: str, purpose: str = "message",
           declared: int | None = None) -> dict:
    """Asks the API for an upload and puts the bytes under the form's key (moto does not enforce
    POST policies; the policy itself is checked in test_the_upload_form_...)."""
    response = api.post("/uploads", user, body={"purpose": purpose, "name": name, "content_type": content_type,
                                                "size": declared if declared is not None else len(data)})
    assert response.status_code == 201, response.json
    form = response.json["upload"]
    _s3().put_object(Bucket=settings().upload_bucket, Key=form["fields"]["key"], Body=data,
                     ContentType=content_type)
    return response.json["file"]


def scan_all() -> None:
    report = drain()
    assert report.failed == 0


def state(api, user, file_id) -> dict:
    response = api.get(f"/files/{file_id}", user)
    assert response.status_code == 200, response.json
    return response.json


def version_tag(file_id: str) -> str:
    from chalicelib.store import files as file_store

    f = file_store.get(file_id).value
    return storage.tags(settings().upload_bucket, f.key, f.version_id)["scan-status"]


def blocked_events(file_id: str) -> list:
    return [e for e in event_store.history(f"file:{file_id}") if e.kind == "file.blocked"]


# -- infected ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,content_type,data", [
    ("notes.txt", "text/plain", EICAR),
    ("notes.txt", "text/plain", b"Meeting notes\n" + EICAR + b"\nend\n"),
    ("photos.zip", "application/zip", samples.eicar_zip()),
], ids=["eicar", "eicar-in-text", "eicar-in-zip"])
def test_f1_eicar_is_infected_and_never_downloadable(api, use_clamd, name, content_type, data):
    f = upload(api, "bob", data, name, content_type)
    assert state(api, "bob", f["id"])["state"] == "awaiting_upload"
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "infected" and "EICAR" in found["signature"]
    response = api.get(f"/files/{f['id']}/download", "bob")
    assert response.status_code == 403 and response.json["code"] == "file_infected"
    assert "EICAR" in response.json["detail"]
    assert version_tag(f["id"]) == "infected"
    (event,) = blocked_events(f["id"])
    assert event.recipients == (uid("bob"),) and event.notification == "file.blocked"


# -- unscannable by limits -------------------------------------------------------------------------
def test_f1_an_encrypted_zip_is_unscannable(api, use_clamd):
    f = upload(api, "bob", samples.encrypted_zip("contract.txt", b"private terms"), "contract.zip", "application/zip")
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and "encrypted" in found["reason"]
    response = api.get(f"/files/{f['id']}/download", "bob")
    assert response.status_code == 403 and response.json["code"] == "file_unscannable"
    assert version_tag(f["id"]) == "unscannable"


def test_f1_a_zip_with_too_many_files_is_unscannable(api, use_clamd):
    f = upload(api, "bob", samples.many_files_zip(LIMITS["MaxFiles"] + 1), "parts.zip", "application/zip")
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and "MaxFiles" in found["reason"]
    assert api.get(f"/files/{f['id']}/download", "bob").status_code == 403


def test_f1_a_zip_bomb_is_unscannable_by_the_scan_size_limit(api, use_clamd, bomb_path):
    with open(bomb_path, "rb") as fh:
        data = fh.read()
    assert len(data) < 1024 * 1024  # 200 MB of zeros in a few hundred KB
    f = upload(api, "bob", data, "photos.zip", "application/zip", purpose="delivery")
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and "MaxScanSize" in found["reason"]
    assert api.get(f"/files/{f['id']}/download", "bob").json["code"] == "file_unscannable"


def test_f1_an_object_over_the_purpose_limit_is_unscannable(api, use_clamd):
    """The presigned POST's content-length-range stops this in S3; the scanner checks again."""
    f = upload(api, "bob", b"x" * 2048, "notes.txt", "text/plain", purpose="buyer_request", declared=10)
    from chalicelib.store import files as file_store

    record = file_store.get(f["id"])
    # Pretend the policy allowed 1 KB only: the object is larger than the record's cap.
    from dataclasses import replace

    from chalicelib.store.unit_of_work import UnitOfWork

    uow = UnitOfWork()
    file_store.stage_save(uow, record, replace(record.value, max_bytes=1024))
    uow.commit()
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and "larger than the 1024 bytes" in found["reason"]


def test_f1_clamd_reports_a_file_over_its_max_file_size(use_clamd, tmp_path):
    path = tmp_path / "big.bin"
    with open(path, "wb") as fh:
        fh.truncate(LIMITS["MaxFileSize"] + 1024 * 1024)
    assert use_clamd.scanner().scan(str(path)) == "Heuristics.Limits.Exceeded.MaxFileSize"


@pytest.mark.parametrize("declared,stored", [(100, 40), (40, 100)], ids=["fewer-bytes", "more-bytes"])
def test_f1_an_object_of_another_size_than_declared_is_never_clean(api, use_clamd, declared, stored):
    """The form allows only the declared size; where a policy was not enforced (moto does not),
    the consumer still refuses the object: unscannable with reason code size_mismatch."""
    f = upload(api, "bob", b"k" * stored, "notes.txt", "text/plain", declared=declared)
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and found["reason_code"] == "size_mismatch"
    assert f"{stored} bytes were stored, not the {declared} declared" in found["reason"]
    response = api.get(f"/files/{f['id']}/download", "bob")
    assert response.status_code == 403 and response.json["code"] == "file_unscannable"
    assert version_tag(f["id"]) == "unscannable"
    (event,) = blocked_events(f["id"])
    assert event.recipients == (uid("bob"),)


def test_f1_the_consumer_checks_the_bytes_it_downloaded_not_only_the_notified_size(api, use_clamd):
    """A notification that claims the declared size does not make a shorter object clean."""
    from chalicelib.services import scanning
    from chalicelib.store import files as file_store

    f = upload(api, "bob", b"short\n", "notes.txt", "text/plain", declared=64)
    record = file_store.get(f["id"]).value
    version = _s3().head_object(Bucket=settings().upload_bucket, Key=record.key)["VersionId"]
    outcome = scanning.scan_object(settings().upload_bucket, record.key, version, 64, use_clamd.scanner(),
                                   runtime_clock())
    assert outcome.state == "unscannable"
    found = state(api, "bob", f["id"])
    assert found["reason_code"] == "size_mismatch" and "6 bytes were stored, not the 64 declared" in found["reason"]


def runtime_clock():
    from chalicelib.services import runtime

    return runtime.clock()


# -- names and types -----------------------------------------------------------------------------
def test_f1_a_program_named_pdf_is_unscannable_by_its_first_bytes(api, use_clamd):
    f = upload(api, "bob", samples.windows_exe(), "invoice.pdf", "application/pdf")
    scan_all()
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and "not application/pdf" in found["reason"]
    assert found["reason_code"] == "type_mismatch"


# -- clean ---------------------------------------------------------------------------------------
def test_f1_a_clean_file_downloads_for_its_uploader_only(api, use_clamd):
    f = upload(api, "bob", b"Kitchen measurements: 4.2 x 3.1 m\n", "measurements.txt", "text/plain")
    response = api.get(f"/files/{f['id']}/download", "bob")
    assert response.status_code == 409 and response.json["code"] == "file_pending"
    scan_all()
    assert state(api, "bob", f["id"])["state"] == "clean"
    response = api.get(f"/files/{f['id']}/download", "bob")
    assert response.status_code == 200
    url = response.json["url"]
    assert "versionId=" in url and "response-content-disposition=attachment" in url
    assert api.get(f"/files/{f['id']}/download", "alice").status_code == 404
    assert api.get(f"/files/{f['id']}/download").status_code == 401
    assert version_tag(f["id"]) == "clean"
    assert blocked_events(f["id"]) == []


def test_f1_a_redelivered_message_gives_the_same_verdict_and_one_event(api, use_clamd):
    f = upload(api, "bob", EICAR, "notes.txt", "text/plain")
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    (message,) = sqs.receive_message(QueueUrl=queue_url(), VisibilityTimeout=0)["Messages"]
    scan_all()
    first = state(api, "bob", f["id"])
    sqs.send_message(QueueUrl=queue_url(), MessageBody=message["Body"])  # S3 or SQS delivering twice
    scan_all()
    assert state(api, "bob", f["id"]) == first
    assert len(blocked_events(f["id"])) == 1


def test_the_upload_form_fixes_key_type_and_size_and_allows_no_tags(api):
    response = api.post("/uploads", "bob", body={"purpose": "delivery", "name": "plan.pdf",
                                                 "content_type": "application/pdf", "size": 5000})
    form = response.json["upload"]
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    conditions = policy["conditions"]
    key = form["fields"]["key"]
    assert key.startswith(f"u/{response.json['file']['id']}/") and "plan" not in key
    assert {"key": key} in conditions and {"Content-Type": "application/pdf"} in conditions
    # F1: exactly the declared size, not merely the purpose's cap (100 MB for deliveries).
    assert ["content-length-range", 5000, 5000] in conditions
    assert not any(c[0] == "content-length-range" and c[2] == 100 * 1024 * 1024 for c in conditions
                   if isinstance(c, list))
    assert not any("tagging" in json.dumps(c).lower() for c in conditions)
    assert form["fields"]["Content-Type"] == "application/pdf"


# -- the engine fails: retried, then the dead-letter queue; the file stays blocked ----------------
def _dead_letters() -> list:
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    return sqs.receive_message(QueueUrl=queue_url(f"{settings().scan_queue_name}-dlq"), MaxNumberOfMessages=10,
                               VisibilityTimeout=0).get("Messages", [])


def _fails_into_the_dead_letter_queue(api, file_id: str, clock) -> None:
    report = drain()  # every receive fails; after maxReceiveCount SQS moves the message aside
    assert report.failed == 5  # the queue's maxReceiveCount (local/resources.py, as in the stack)
    assert len(_dead_letters()) == 1
    found = state(api, "bob", file_id)
    assert found["state"] == "scanning"  # uploaded, no verdict: blocked
    assert api.get(f"/files/{file_id}/download", "bob").json["code"] == "file_pending"
    # The sweeper gives up on it: unscannable, never clean.
    clock.advance(seconds=SCAN_DEADLINE.total_seconds() + 60)
    sweeper.sweep(clock)
    found = state(api, "bob", file_id)
    assert found["state"] == "unscannable" and "did not finish" in found["reason"]
    assert api.get(f"/files/{file_id}/download", "bob").json["code"] == "file_unscannable"
    assert len(blocked_events(file_id)) == 1


def test_f1_a_killed_scanner_blocks_retries_and_dead_letters(api, clam_db, tmp_path, monkeypatch, clock):
    daemon = LocalClamd(str(tmp_path / "doomed"), clam_db).start()
    monkeypatch.setattr(settings(), "scanner", "clamd")
    monkeypatch.setattr(settings(), "clamd_socket", daemon.socket_path)
    daemon.kill()
    f = upload(api, "bob", b"harmless text\n", "notes.txt", "text/plain")
    _fails_into_the_dead_letter_queue(api, f["id"], clock)


def test_f1_a_missing_database_blocks_retries_and_dead_letters(api, tmp_path, monkeypatch, clock):
    empty = tmp_path / "no-db"
    empty.mkdir()
    monkeypatch.setattr(settings(), "scanner", "clamscan")
    monkeypatch.setattr(settings(), "clamav_database_dir", str(empty))
    f = upload(api, "bob", b"harmless text\n", "notes.txt", "text/plain")
    _fails_into_the_dead_letter_queue(api, f["id"], clock)


def test_clamscan_and_clamd_agree(clamd, clam_db, tmp_path):
    cases = {"eicar": EICAR, "zip": samples.eicar_zip(), "clean": b"hello",
             "encrypted": samples.encrypted_zip("a.txt", b"hello")}
    fallback = ClamscanScanner(database_dir=clam_db)
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert fallback.scan(str(path)) == clamd.scanner().scan(str(path)), name


def test_clamscan_without_the_program_is_a_scan_error(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    with pytest.raises(ScanError):
        ClamscanScanner(binary=str(tmp_path / "no-clamscan")).scan(str(path))


# -- G8: gig media measured in the scan, judged at publish ----------------------------------------
@pytest.fixture
def seller_with_gig(api, catalogue, make_seller):
    make_seller("dana")
    gig = api.post("/gigs", "dana", body=gig_body(media=[])).json
    return gig


def _media(api, data, name, content_type):
    f = upload(api, "dana", data, name, content_type, purpose="gig_media")
    scan_all()
    return state(api, "dana", f["id"])


def test_g8_gallery_rules_at_publish(api, use_clamd, seller_with_gig):
    gig = seller_with_gig
    small = _media(api, samples.png(600, 400), "small.png", "image/png")
    portrait = _media(api, samples.mp4(720, 1280, 30), "tour.mp4", "video/mp4")
    long_audio = _media(api, samples.mp3(240), "intro.mp3", "audio/mpeg")
    brochure = _media(api, samples.pdf(5), "brochure.pdf", "application/pdf")
    assert small["state"] == "clean" and small["media"]["width"] == 600 and "at least 712x430" in small["media_problem"]
    assert portrait["media"]["duration_seconds"] == 30 and "landscape" in portrait["media_problem"]
    assert brochure["media"]["pages"] == 5 and brochure["media_problem"] is None
    assert api.patch(f"/gigs/{gig['id']}", "dana", body={"media": [small["id"], portrait["id"], long_audio["id"],
                                                                   brochure["id"]]}).status_code == 200
    response = api.post(f"/gigs/{gig['id']}/publish", "dana")
    assert response.status_code == 422
    errors = {(e["field"], e["code"]) for e in response.json["errors"]}
    assert {("media.0", "media_rule"), ("media.1", "media_rule"), ("media", "audio_not_allowed")} <= errors
    assert all(e["rule"] == "G8" for e in response.json["errors"] if e["field"].startswith("media"))
    good = _media(api, samples.png(1280, 769), "kitchen.png", "image/png")
    video = _media(api, samples.avi(1280, 720, 60), "tour.avi", "video/x-msvideo")
    assert api.patch(f"/gigs/{gig['id']}", "dana", body={"media": [good["id"], video["id"], brochure["id"]]}
                     ).status_code == 200
    published = api.post(f"/gigs/{gig['id']}/publish", "dana")
    assert published.status_code == 200, published.json
    # Listed: anyone may fetch its clean media; another user sees the record too.
    assert api.get(f"/gigs/{gig['id']}/media/{video['id']}/download").status_code == 200
    assert api.get(f"/files/{good['id']}", "bob").status_code == 200
    assert api.get(f"/files/{small['id']}", "bob").status_code == 404  # not in a listed gig


def test_g8_a_blocked_or_foreign_file_does_not_count(api, use_clamd, seller_with_gig, make_seller):
    gig = seller_with_gig
    infected = _media(api, EICAR, "cover.png", "image/png")
    assert infected["state"] == "infected"
    make_seller("omar")
    from tests.integration.conftest import GIG_IMAGES

    foreign = GIG_IMAGES["omar"]
    response = api.patch(f"/gigs/{gig['id']}", "dana", body={"media": [foreign]})
    assert response.status_code == 422 and response.json["errors"][0]["code"] == "unknown_file"
    assert api.patch(f"/gigs/{gig['id']}", "dana", body={"media": [infected["id"]]}).status_code == 200
    response = api.post(f"/gigs/{gig['id']}/publish", "dana")
    fields = {(e["field"], e["code"]) for e in response.json["errors"]}
    assert ("media.0", "file_not_clean") in fields and ("media", "image_required") in fields


def test_a_corrupt_image_is_unscannable(api, use_clamd, seller_with_gig):
    broken = _media(api, b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, "cover.png", "image/png")
    assert broken["state"] == "unscannable" and "image/png" in broken["reason"]



# -- issue 16: the hostile corpus, built at test time, through the real flow ---------------------
# POST /uploads, the object under the form's key, the scan queue drained into the app's consumer,
# the real clamd with the project's configuration, GET /files/{id} and the download.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_PURPOSES = ["message", "delivery", "requirement_answer", "buyer_request", "gig_media"]
ALL_PURPOSES = [*PDF_PURPOSES, "profile_photo"]


@pytest.fixture(scope="session")
def png_bomb() -> bytes:
    return samples.png_bomb()  # 20000 x 20000 pixels in about 380 KB


def _blocked_download(api, user: str, file_id: str) -> dict:
    response = api.get(f"/files/{file_id}/download", user)
    assert response.status_code == 403, response.json
    return response.json


# Each test below uploads its whole table before one drain: the hostile corpus costs a few tests'
# set-up, not one per case.
ACTIVE_PDFS = [
    ("pdf_open_action_javascript", "Marketplace.ActiveContent.PDF.Javascript.AutomaticAction",
     "contains active content: JavaScript, automatic action"),
    ("pdf_launch_action", "Marketplace.ActiveContent.PDF.Launch.AutomaticAction",
     "contains active content: launch action, automatic action"),
    ("pdf_embedded_file", "Marketplace.ActiveContent.PDF.EmbeddedFiles", "contains active content: embedded files"),
    ("pdf_document_javascript", "Marketplace.ActiveContent.PDF.Javascript", "contains active content: JavaScript"),
    ("pdf_page_automatic_action", "Marketplace.ActiveContent.PDF.AutomaticAction",
     "contains active content: automatic action"),
    # /J#61vaScript: ClamAV's own PDF heuristic names it first (our parser finds it too: unit test).
    ("pdf_escaped_javascript", "Heuristics.PDF.ObfuscatedNameObject", None),
]


def test_f1_documents_with_active_content_are_blocked_for_every_purpose(api, use_clamd, make_seller):
    make_seller("dana")
    cases = []
    for purpose in PDF_PURPOSES:
        user = "dana" if purpose == "gig_media" else "bob"
        for sample, signature, words in ACTIVE_PDFS:
            f = upload(api, user, getattr(samples, sample)(), "brochure.pdf", "application/pdf", purpose=purpose)
            cases.append((user, f["id"], signature, words))
        f = upload(api, user, samples.docx_with_macros(), "plan.docx", DOCX, purpose=purpose) \
            if purpose != "gig_media" else None
        if f:
            cases.append((user, f["id"], "Marketplace.ActiveContent.Office.Macros", "contains active content: macros"))
    plain = upload(api, "bob", samples.docx(), "notes.docx", DOCX, purpose="delivery")
    scan_all()
    for user, file_id, signature, words in cases:
        found = state(api, user, file_id)
        assert (found["state"], found["signature"], found["reason"]) == ("infected", signature, words), found
        assert found["reason_code"] == ("active_content" if words else None)
        problem = _blocked_download(api, user, file_id)
        assert problem["code"] == "file_infected" and (words or signature) in problem["detail"]
        assert version_tag(file_id) == "infected"
        (event,) = blocked_events(file_id)
        assert (words or signature) in event.summary
    assert state(api, "bob", plain["id"])["state"] == "clean"


def test_g8_a_plain_pdf_stays_allowed_as_gig_media(api, use_clamd, seller_with_gig):
    shows_page_one = _media(api, samples.pdf_open_action_go_to_page(), "brochure.pdf", "application/pdf")
    plain = _media(api, samples.pdf(3), "menu.pdf", "application/pdf")
    for found in (shows_page_one, plain):
        assert found["state"] == "clean" and found["reason"] is None and found["media_problem"] is None


def test_f1_an_image_over_its_pixel_limit_is_refused_before_anything_decodes_it(api, use_clamd, png_bomb,
                                                                                 monkeypatch, make_seller):
    """Header-only (30000x30000 claimed, one row of data) and a real decompression bomb (20000x20000
    in about 380 KB), for every purpose: unscannable from the header, never handed to ClamAV."""
    make_seller("dana")
    engine_saw: list[str] = []
    scanner = use_clamd.scanner()
    monkeypatch.setattr("chalicelib.files.clamav.from_settings", lambda: _Spy(scanner, engine_saw))
    cases = []
    for purpose in ALL_PURPOSES:
        user = "dana" if purpose == "gig_media" else "bob"
        for data, size in ((samples.png_header_only(30_000, 30_000), "30000x30000"), (png_bomb, "20000x20000")):
            cases.append((user, upload(api, user, data, "site.png", "image/png", purpose=purpose)["id"], size))
    scan_all()
    for user, file_id, size in cases:
        found = state(api, user, file_id)
        assert found["state"] == "unscannable" and found["reason_code"] == "image_too_large"
        assert f"the image is {size} px" in found["reason"]
        assert _blocked_download(api, user, file_id)["code"] == "file_unscannable"
        assert version_tag(file_id) == "unscannable"
    assert engine_saw == []  # refused from the header: ClamAV never saw them


class _Spy:
    """The real scanner, noting what it was handed."""

    name = "clamd"

    def __init__(self, scanner, seen: list[str]) -> None:
        self.scanner, self.seen = scanner, seen

    def scan(self, path: str) -> str | None:
        self.seen.append(path)
        return self.scanner.scan(path)


def test_f1_clamd_answers_on_the_bomb_without_decoding_it(use_clamd, png_bomb, tmp_path):
    """The pixel check keeps images from ClamAV; were one to reach it (inside an archive, say),
    ClamAV 1.4 with ScanImageFuzzyHash off answers without decoding the pixels. `make bench`
    prints the time and memory, with and without the setting."""
    assert tuple(int(p) for p in use_clamd.scanner().version().split()[1].split("/")[0].split(".")[:2]) >= (1, 4)
    config = open(f"{use_clamd.workdir}/clamd.conf").read()
    assert "ScanImageFuzzyHash no" in config and "AlertOLE2Macros yes" in config
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb)
    assert use_clamd.scanner().scan(str(bomb)) is None
    zipped = tmp_path / "bomb.zip"
    zipped.write_bytes(samples.zip_of({"site.png": png_bomb}))
    assert use_clamd.scanner().scan(str(zipped)) is None


def test_f1_a_scan_over_our_time_cap_is_unscannable_at_once_without_retries(api, tmp_path, monkeypatch):
    """A clamd that takes the file and never answers (as one stuck in a decoder would): the scan's
    own cap ends it, the file is unscannable, and the message is not retried."""
    import socket
    import threading

    from chalicelib.files.clamav import ClamdScanner

    path = str(tmp_path / "stuck.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    release = threading.Event()

    def swallow() -> None:
        conn, _ = server.accept()
        with conn:
            received = b""
            while not received.endswith(b"\0\0\0\0"):  # the INSTREAM's end
                data = conn.recv(65536)
                if not data:
                    return
                received += data
            release.wait(30)  # holds the connection: no answer

    threading.Thread(target=swallow, daemon=True).start()
    monkeypatch.setattr("chalicelib.files.clamav.from_settings", lambda: ClamdScanner(path, timeout=1.0))
    try:
        f = upload(api, "bob", b"harmless text\n", "notes.txt", "text/plain")
        report = drain()
    finally:
        release.set()
        server.close()
    assert report.failed == 0
    found = state(api, "bob", f["id"])
    assert found["state"] == "unscannable" and found["reason_code"] == "scan_timeout"
    assert "did not finish within its time limit" in found["reason"]
    assert _dead_letters() == []


def test_f1_one_slow_file_does_not_delay_the_verdict_of_another(api, use_clamd, png_bomb, monkeypatch):
    """The bomb and a small clean file are uploaded together, the bomb first. The bomb's header
    read is held (as a decoder stuck on it would hold it) until the clean file's verdict is stored;
    a consumer that handled files one after another would hold the clean file behind it."""
    import threading

    from chalicelib.files import media
    from chalicelib.services import scanning

    events: list[str] = []
    clean_done = threading.Event()
    real_size, real_scan = media.image_size, scanning.scan_object

    def slow_on_the_bomb(path: str):
        found = real_size(path)
        if found and found[1:] == (20_000, 20_000):
            events.append("bomb: inspection started")
            clean_done.wait(60)  # a fail-safe only: the order below is the assertion
        return found

    def noting(bucket, key, version_id, size, scanner, clock):
        outcome = real_scan(bucket, key, version_id, size, scanner, clock)
        events.append(f"{outcome.file_id}: {outcome.state}")
        if outcome.state == "clean":
            clean_done.set()
        return outcome

    monkeypatch.setattr(media, "image_size", slow_on_the_bomb)
    monkeypatch.setattr(scanning, "scan_object", noting)
    bomb = upload(api, "bob", png_bomb, "site.png", "image/png", purpose="delivery")
    clean = upload(api, "bob", b"Kitchen measurements\n", "notes.txt", "text/plain", purpose="delivery")
    report = drain()
    assert report.failed == 0
    assert events == ["bomb: inspection started", f"{clean['id']}: clean", f"{bomb['id']}: unscannable"]


def test_f1_names_that_mislead_are_refused_by_post_uploads(api):
    """Every name of issue 16, through POST /uploads (the full table: tests/unit/test_files.py)."""
    cases = [(n, "invisible_character") for n in ("a\u2060b.png", "a\u061cb.png", "so\u00adft.png", "x\u180ey.png",
                                                  "line\u2028.png")]
    cases += [("\u3164", "required")]
    cases += [(n, "device_name") for n in ("CON.jpg", "nul.png", "COM1.pdf", "lpt9.txt")]
    cases += [("a.txt:evil.txt", "reserved_character")]
    for name, code in cases:
        response = api.post("/uploads", "bob", body={"purpose": "message", "name": name,
                                                     "content_type": "image/png", "size": 100})
        assert response.status_code == 422, name
        assert ("name", code, "F1") in {(e["field"], e["code"], e["rule"]) for e in response.json["errors"]}, name


def test_f1_the_download_carries_the_stored_name_by_rfc_6266(api, use_clamd):
    from urllib.parse import parse_qs, urlparse

    f = upload(api, "bob", b"Kitchen measurements\n", "Crème brûlée plan.txt", "text/plain")
    scan_all()
    url = api.get(f"/files/{f['id']}/download", "bob").json["url"]
    disposition = parse_qs(urlparse(url).query)["response-content-disposition"][0]
    assert disposition == ("attachment; filename=\"Creme brulee plan.txt\"; "
                           "filename*=UTF-8''Cr%C3%A8me%20br%C3%BBl%C3%A9e%20plan.txt")
