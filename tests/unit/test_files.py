"""F1 / G8 domain checks: names, claimed types, first bytes, verdicts, the file record's life and
the gallery rules."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.files import (
    FILE_TYPES,
    IMAGE_MAX,
    IMAGE_MAX_PIXELS,
    AcceptedUpload,
    ActiveContent,
    BlockReason,
    Family,
    FileState,
    GalleryItem,
    MediaInfo,
    Purpose,
    StoredFile,
    UploadRequest,
    Verdict,
    VerdictSource,
    active_content_verdict,
    attach_errors,
    check_upload,
    content_disposition,
    content_matches,
    engine_timeout_verdict,
    gallery_errors,
    image_size_verdict,
    media_problem,
    name_errors,
    size_verdict,
    verdict_from_engine,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MB = 1024 * 1024


def codes(errors):
    return {e.code for e in errors}


# F1 (issue 16): the one table of names, accepted (None) and refused (the error code). The name
# travels to the downloader's disk, so nothing may hide in it or mean something to Windows.
NAMES = [
    ("plan.pdf", None),
    ("Kitchen Plan (v2).PDF", None),
    ("שרטוט.pdf", None),
    ("photo.final.jpg", None),
    ("Crème brûlée menu.pdf", None),
    ("日本語の図面.png", None),
    ("console.txt", None),  # CON only as the whole first part
    ("nulls and voids.txt", None),
    ("com10.txt", None),
    ("lpt.txt", None),
    ("Report\u00a0final.pdf", None),  # a no-break space between words shows as a space
    # blank
    ("", "required"),
    ("   ", "required"),
    ("\u3164", "required"),  # the Hangul filler alone
    ("\u2060\u200b", "required"),
    # paths
    ("../etc/passwd.txt", "path_in_name"),
    ("..\\boot.txt", "path_in_name"),
    ("reports/q1.pdf", "path_in_name"),
    ("a..pdf", "path_in_name"),
    ("reports\uff0fq1.pdf", "path_in_name"),  # a fullwidth solidus is '/' after NFKC
    # control, format and separator characters
    ("bad\x00.pdf", "nul_byte"),
    ("tab\there.pdf", "control_character"),
    ("line\nbreak.pdf", "control_character"),
    ("bell\x7f.pdf", "control_character"),
    ("invoice\u202efdp.exe", "invisible_character"),  # right-to-left override
    ("zero\u200bwidth.pdf", "invisible_character"),
    ("word\u2060joiner.pdf", "invisible_character"),  # U+2060 word joiner
    ("arabic\u061cmark.pdf", "invisible_character"),  # U+061C Arabic letter mark
    ("soft\u00adhyphen.pdf", "invisible_character"),  # U+00AD soft hyphen
    ("mongolian\u180eseparator.pdf", "invisible_character"),  # U+180E
    ("filler\u3164.pdf", "invisible_character"),  # U+3164 Hangul filler
    ("half\uffa0width.pdf", "invisible_character"),  # U+FFA0 halfwidth Hangul filler
    ("line\u2028separator.pdf", "invisible_character"),  # U+2028 (Zl)
    ("para\u2029separator.pdf", "invisible_character"),  # U+2029 (Zp)
    ("bom\ufeff.pdf", "invisible_character"),
    ("isolate\u2066.pdf", "invisible_character"),
    # Windows device names, any extension, any case
    ("CON.jpg", "device_name"),
    ("nul.png", "device_name"),
    ("COM1.pdf", "device_name"),
    ("lpt9.txt", "device_name"),
    ("Aux.tar.zip", "device_name"),
    ("prn .txt", "device_name"),
    ("com\u00b9.txt", "device_name"),  # COM¹ is a device too
    ("\uff23\uff2f\uff2e.txt", "device_name"),  # fullwidth CON: CON after NFKC
    # streams and characters Windows refuses
    ("a.txt:evil.txt", "reserved_character"),
    ("a.txt\uff1aevil.txt", "reserved_character"),  # a fullwidth colon after NFKC
    ("what?.pdf", "reserved_character"),
    ("a<b>.pdf", "reserved_character"),
    ('say "hi".pdf', "reserved_character"),
    ("a|b.pdf", "reserved_character"),
    ("star*.pdf", "reserved_character"),
    # ends and starts
    (" leading.pdf", "untrimmed_name"),
    ("trailing.pdf ", "untrimmed_name"),
    ("dot.pdf.", "untrimmed_name"),
    ("dot.pdf\uff0e", "untrimmed_name"),  # a fullwidth full stop is '.' after NFKC
    ("ideographic.pdf\u3000", "untrimmed_name"),  # an ideographic space is ' ' after NFKC
    # extensions
    ("README", "missing_extension"),
    (".pdf", "missing_extension"),
    ("a.jpg.php", "dangerous_extension"),
    ("shell.php.jpg", "dangerous_extension"),
    ("invoice.pdf.exe", "dangerous_extension"),
    ("setup.EXE", "dangerous_extension"),
    ("setup.\uff45\uff58\uff45", "dangerous_extension"),  # fullwidth exe
    ("page.html", "dangerous_extension"),
    ("logo.svg", "dangerous_extension"),
    ("x" * 197 + ".pdf", "too_long"),
]


@pytest.mark.parametrize("name,code", NAMES, ids=[ascii(n)[1:-1][:40] or "empty" for n, _ in NAMES])
def test_f1_the_name_rule(name, code):
    found = codes(name_errors(name))
    if code is None:
        assert found == set()
    else:
        assert code in found


@pytest.mark.parametrize("name,fallback,encoded", [
    ("plan.pdf", "plan.pdf", "plan.pdf"),
    ("Crème brûlée.pdf", "Creme brulee.pdf", "Cr%C3%A8me%20br%C3%BBl%C3%A9e.pdf"),
    ("שרטוט.pdf", "file.pdf", "%D7%A9%D7%A8%D7%98%D7%95%D7%98.pdf"),
    ("100% done; ok.txt", "100_ done; ok.txt", "100%25%20done%3B%20ok.txt"),
    ("日本 plan.png", "_ plan.png", "%E6%97%A5%E6%9C%AC%20plan.png"),
])
def test_f1_the_download_saves_the_stored_name_by_rfc_6266(name, fallback, encoded):
    assert content_disposition(name) == f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{encoded}'


def _request(name="plan.pdf", content_type="application/pdf", size=1000, purpose=Purpose.MESSAGE):
    return UploadRequest(purpose, name, content_type, size)


@pytest.mark.parametrize("kwargs,field,code", [
    ({"name": "plan.exe", "content_type": "application/pdf"}, "name", "dangerous_extension"),
    ({"name": "plan.docx", "content_type": "application/pdf"}, "name", "extension_mismatch"),
    ({"name": "photo.jpg", "content_type": "image/png"}, "name", "extension_mismatch"),
    ({"name": "tool.exe", "content_type": "application/x-msdownload"}, "content_type", "type_not_allowed"),
    ({"name": "page.html", "content_type": "text/html"}, "content_type", "type_not_allowed"),
    ({"name": "notes.txt", "content_type": "text/plain", "purpose": Purpose.GIG_MEDIA}, "content_type",
     "type_not_allowed"),
    ({"size": 0}, "size", "too_small"),
    ({"size": 50 * MB + 1}, "size", "too_large"),
    ({"name": "tour.mp4", "content_type": "video/mp4", "size": 50 * MB, "purpose": Purpose.GIG_MEDIA}, "size",
     "too_large"),
    ({"name": "song.mp3", "content_type": "audio/mpeg", "size": 10 * MB, "purpose": Purpose.GIG_MEDIA}, "size",
     "too_large"),
])
def test_f1_g8_upload_requests_that_do_not_agree_are_refused(kwargs, field, code):
    result = check_upload(_request(**kwargs))
    assert isinstance(result, list)
    assert (field, code) in {(e.field, e.code) for e in result}


def test_an_agreeing_request_gets_the_cap_of_its_purpose_and_type():
    accepted = check_upload(_request(name="Tour.MP4", content_type="video/mp4", size=49 * MB,
                                     purpose=Purpose.GIG_MEDIA))
    assert isinstance(accepted, AcceptedUpload)
    assert accepted.max_bytes == 50 * MB - 1 and accepted.extension == "mp4"
    delivery = check_upload(_request(size=90 * MB, purpose=Purpose.DELIVERY))
    assert isinstance(delivery, AcceptedUpload) and delivery.max_bytes == 100 * MB
    assert delivery.size == 90 * MB  # F1: the form takes exactly the declared size


@pytest.mark.parametrize("stored,declared,code", [
    (5000, 5000, None),
    (4999, 5000, BlockReason.SIZE_MISMATCH),
    (5001, 5000, BlockReason.SIZE_MISMATCH),
    (2048, 10, BlockReason.TOO_LARGE),  # over the cap says so first
    (700, None, None),  # a record from before declared sizes were kept: the cap only
])
def test_f1_a_stored_object_must_be_the_declared_size_within_the_cap(stored, declared, code):
    verdict = size_verdict(stored, declared, max_bytes=1024 if code is BlockReason.TOO_LARGE else 10_000)
    if code is None:
        assert verdict is None
    else:
        assert verdict is not None and verdict.state is FileState.UNSCANNABLE and verdict.reason_code is code


@pytest.mark.parametrize("content_type,head,ok", [
    ("application/pdf", b"%PDF-1.7\n", True),
    ("application/pdf", b"MZ\x90\x00\x03", False),  # an .exe named .pdf
    ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00", True),
    ("image/png", b"\xff\xd8\xff\xe0", False),  # a JPEG claimed as PNG
    ("image/jpeg", b"\xff\xd8\xff\xe0", True),
    ("image/jpeg", b"<?php system($_GET['c']); ?>", False),
    ("video/mp4", b"\x00\x00\x00\x18ftypisom", True),
    ("video/x-msvideo", b"RIFF\x00\x00\x00\x00AVI LIST", True),
    ("video/x-msvideo", b"RIFF\x00\x00\x00\x00WEBPVP8 ", False),
    ("audio/mpeg", b"ID3\x04\x00", True),
    ("audio/mpeg", b"\xff\xfb\x90\x00", True),
    ("application/zip", b"PK\x03\x04", True),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", True),
    ("text/plain", "plain text, ünïcode".encode(), True),
    ("text/plain", b"text with a NUL\x00", False),
    ("text/plain", b"\x7fELF\x02\x01\x01\x00", False),
    ("text/csv", "a,b\n1,€".encode()[:-1], True),  # a character cut at the sniff boundary
    ("text/plain", b"", False),
])
def test_f1_first_bytes_must_match_the_claimed_type(content_type, head, ok):
    assert content_matches(FILE_TYPES[content_type], head) is ok


@pytest.mark.parametrize("signature,state", [
    (None, FileState.CLEAN),
    ("Win.Test.EICAR_HDB-1", FileState.INFECTED),
    ("Heuristics.Phishing.Email.SpoofedDomain", FileState.INFECTED),
    ("Heuristics.Broken.Executable", FileState.INFECTED),
    ("Heuristics.OLE2.ContainsMacros", FileState.INFECTED),
    ("Heuristics.Limits.Exceeded.MaxScanSize", FileState.UNSCANNABLE),
    ("Heuristics.Encrypted.Zip", FileState.UNSCANNABLE),
])
def test_f1_every_engine_finding_blocks(signature, state):
    verdict = verdict_from_engine(signature)
    assert verdict.state is state
    if state is FileState.INFECTED:
        assert verdict.signature == signature
    if state is FileState.UNSCANNABLE:
        assert verdict.reason


def test_f1_clamav_macro_alert_is_active_content_in_words():
    verdict = verdict_from_engine("Heuristics.OLE2.ContainsMacros")
    assert verdict.reason == "contains active content: macros"
    assert verdict.reason_code is BlockReason.ACTIVE_CONTENT


def test_f1_active_content_is_blocked_with_a_reason_a_person_understands():
    verdict = active_content_verdict("PDF", [ActiveContent.LAUNCH, ActiveContent.JAVASCRIPT])
    assert verdict is not None and verdict.state is FileState.INFECTED
    assert verdict.reason == "contains active content: JavaScript, launch action"
    assert verdict.signature == "Marketplace.ActiveContent.PDF.Javascript.Launch"
    assert verdict.reason_code is BlockReason.ACTIVE_CONTENT
    assert active_content_verdict("PDF", []) is None


@pytest.mark.parametrize("purpose,size,blocked", [
    (Purpose.MESSAGE, (10_000, 10_000), False),  # exactly 100 megapixels
    (Purpose.MESSAGE, (10_000, 10_001), True),
    (Purpose.DELIVERY, (30_000, 30_000), True),
    (Purpose.REQUIREMENT_ANSWER, (20_000, 20_000), True),
    (Purpose.BUYER_REQUEST, (20_000, 20_000), True),
    (Purpose.PROFILE_PHOTO, (20_000, 20_000), True),
    (Purpose.GIG_MEDIA, IMAGE_MAX, False),
    (Purpose.GIG_MEDIA, (IMAGE_MAX[0] + 1, 100), True),  # G8's maximum
    (Purpose.GIG_MEDIA, (100, IMAGE_MAX[1] + 1), True),
])
def test_f1_pixels_are_judged_from_the_header_per_purpose(purpose, size, blocked):
    verdict = image_size_verdict(purpose, *size)
    assert (verdict is not None) is blocked
    if verdict is not None:
        assert verdict.state is FileState.UNSCANNABLE and verdict.reason_code is BlockReason.IMAGE_TOO_LARGE
        assert f"{size[0]}x{size[1]}" in verdict.reason
    assert IMAGE_MAX_PIXELS == 100_000_000


def test_f1_an_engine_time_out_is_unscannable_not_retried():
    verdict = engine_timeout_verdict("clamd gave no answer in 50 s")
    assert verdict.state is FileState.UNSCANNABLE and verdict.reason_code is BlockReason.SCAN_TIMEOUT


def test_verdicts_carry_their_evidence():
    with pytest.raises(ValueError):
        Verdict(FileState.INFECTED)
    with pytest.raises(ValueError):
        Verdict(FileState.UNSCANNABLE)
    with pytest.raises(ValueError):
        Verdict(FileState.SCANNING)


def _file(**kw) -> StoredFile:
    base = dict(id="file_a", owner_id="u1", purpose=Purpose.MESSAGE, name="a.pdf", content_type="application/pdf",
                max_bytes=MB, key="u/file_a/x", created_at=NOW)
    base.update(kw)
    return StoredFile(**base)


def test_f1_a_verdict_belongs_to_one_version_and_is_given_once():
    f = _file().record_upload("v1", 10, NOW)
    assert f is not None and f.state is FileState.SCANNING and f.is_blocked
    assert f.record_upload("v2", 10, NOW) is None
    assert f.record_verdict(Verdict(FileState.CLEAN), "v2", 10, NOW) is None  # another version
    clean = f.record_verdict(Verdict(FileState.CLEAN), "v1", 10, NOW)
    assert clean is not None and clean.is_clean and clean.version_id == "v1"
    assert clean.record_verdict(Verdict(FileState.INFECTED, signature="X"), "v1", 10, NOW) is None


def test_f1_the_sweeper_makes_a_file_without_verdict_unscannable_and_a_real_scan_may_follow():
    never = _file().time_out(NOW)
    assert never.state is FileState.UNSCANNABLE and "never uploaded" in never.reason
    stuck = _file().record_upload("v1", 10, NOW).record_failure("clamd down").time_out(NOW)
    assert stuck.state is FileState.UNSCANNABLE and "clamd down" in stuck.reason
    assert stuck.verdict_source is VerdictSource.SWEEPER
    assert stuck.time_out(NOW) is None
    rescanned = stuck.record_verdict(Verdict(FileState.CLEAN), "v1", 10, NOW)
    assert rescanned is not None and rescanned.is_clean


def test_f1_attach_refuses_what_is_not_the_callers_uploaded_file_for_this_purpose():
    mine = _file().record_upload("v1", 10, NOW)
    other_purpose = _file(id="file_b", purpose=Purpose.DELIVERY).record_upload("v1", 10, NOW)
    not_uploaded = _file(id="file_c")
    elsewhere = mine.attach("order:o2")
    errors = attach_errors([(0, "file_a", mine), (1, "file_x", None), (2, "file_b", other_purpose),
                            (3, "file_c", not_uploaded), (4, "file_d", _file(id="file_d", owner_id="u2")),
                            (5, "file_a", mine)], "u1", Purpose.MESSAGE, "conversation:c1")
    assert {(e.field, e.code) for e in errors} == {
        ("files.1", "unknown_file"), ("files.2", "wrong_purpose"), ("files.3", "not_uploaded"),
        ("files.4", "unknown_file"), ("files.5", "duplicate")}
    assert codes(attach_errors([(0, "file_a", elsewhere)], "u1", Purpose.MESSAGE, "order:o1")) == {"already_attached"}
    assert attach_errors([(0, "file_a", elsewhere)], "u1", Purpose.MESSAGE, "order:o2") == []


@pytest.mark.parametrize("content_type,info,problem", [
    ("image/png", MediaInfo(Family.IMAGE, width=1280, height=769), None),
    ("image/png", MediaInfo(Family.IMAGE, width=711, height=430), "at least 712x430"),
    ("image/png", MediaInfo(Family.IMAGE, width=4001, height=2000), "at most 4000x2416"),
    ("video/mp4", MediaInfo(Family.VIDEO, width=1920, height=1080, duration_seconds=75), None),
    ("video/mp4", MediaInfo(Family.VIDEO, width=1920, height=1080, duration_seconds=75.5), "at most 75 s"),
    ("video/x-msvideo", MediaInfo(Family.VIDEO, width=720, height=720, duration_seconds=10), "landscape"),
    ("audio/mpeg", MediaInfo(Family.AUDIO, duration_seconds=210), None),
    ("audio/mpeg", MediaInfo(Family.AUDIO, duration_seconds=211), "3:30"),
    ("application/pdf", MediaInfo(Family.DOCUMENT, pages=12), None),
    ("application/pdf", MediaInfo(Family.DOCUMENT, pages=0), "pages"),
    ("image/png", None, "could not be read"),
])
def test_g8_measured_media_rules(content_type, info, problem):
    found = media_problem(content_type, info)
    assert (found is None) if problem is None else (problem in found)


def _item(i, content_type="image/png", state=FileState.CLEAN, problem=None, exists=True):
    return GalleryItem(file_id=f"file_{i}", exists=exists, state=state, content_type=content_type, problem=problem)


def test_g8_gallery_counts():
    assert gallery_errors([_item(1)]) == []
    assert codes(gallery_errors([])) == {"image_required"}
    assert "too_many_images" in codes(gallery_errors([_item(i) for i in range(4)]))
    assert "too_many_pdfs" in codes(gallery_errors([_item(0)] + [_item(i, "application/pdf") for i in range(1, 4)]))
    assert "too_many_videos" in codes(gallery_errors([_item(0), _item(1, "video/mp4"), _item(2, "video/x-msvideo")]))
    assert "video_required" in codes(gallery_errors([_item(0)], requires_video=True))
    assert "audio_not_allowed" in codes(gallery_errors([_item(0), _item(1, "audio/mpeg")], allows_audio=False))
    assert gallery_errors([_item(0), _item(1, "audio/mpeg")], allows_audio=True) == []


def test_g8_only_clean_own_files_count():
    errors = gallery_errors([_item(0, state=FileState.INFECTED), _item(1, state=FileState.SCANNING),
                             _item(2, exists=False), _item(3, problem="too small"), _item(3)])
    by_field = {e.field: e.code for e in errors}
    assert by_field["media.0"] == "file_not_clean" and by_field["media.1"] == "file_not_clean"
    assert by_field["media.2"] == "unknown_file" and by_field["media.3"] == "media_rule"
    assert by_field["media.4"] == "duplicate"


def test_a1_a_profile_photo_is_the_owners_clean_profile_photo_upload():
    from dataclasses import replace

    from chalicelib.domain.files import profile_photo_errors

    photo = StoredFile(id="file_p", owner_id="usr_a", purpose=Purpose.PROFILE_PHOTO, name="me.png",
                       content_type="image/png", max_bytes=5 * MB, key="u/file_p/x", created_at=NOW,
                       state=FileState.CLEAN, version_id="v1", size=100)
    target = "seller:usr_a"

    def code(f, owner="usr_a", file_id="file_p"):
        errors = profile_photo_errors(file_id, f, owner, target)
        return errors[0].code if errors else None

    assert code(photo) is None and code(photo.attach(target)) is None
    assert code(None) == code(photo, owner="usr_b") == "unknown_file"  # another's is as good as missing
    assert code(replace(photo, purpose=Purpose.MESSAGE)) == "wrong_purpose"
    assert code(replace(photo, state=FileState.SCANNING)) == "file_not_clean"
    assert code(replace(photo, state=FileState.INFECTED, signature="Eicar")) == "file_not_clean"
    assert code(photo.attach("order:o1")) == "already_attached"
    assert code(photo, file_id="") is None  # "required" is the profile's own error


# -- F1 active content, read by the document parsers (chalicelib/files/active_content.py) ---------
@pytest.mark.parametrize("sample,content_type,found", [
    ("pdf_open_action_javascript", "application/pdf", {"JavaScript", "automatic action"}),
    ("pdf_launch_action", "application/pdf", {"launch action", "automatic action"}),
    ("pdf_document_javascript", "application/pdf", {"JavaScript"}),
    ("pdf_embedded_file", "application/pdf", {"embedded files"}),
    ("pdf_page_automatic_action", "application/pdf", {"automatic action"}),
    ("pdf_escaped_javascript", "application/pdf", {"JavaScript", "automatic action"}),
    ("pdf_open_action_go_to_page", "application/pdf", set()),
    ("docx_with_macros", FILE_TYPES["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
     .content_type, {"macros"}),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", set()),
])
def test_f1_active_content_is_found_by_parsing_not_by_searching_bytes(tmp_path, sample, content_type, found):
    from chalicelib.files import active_content
    from tests.support import samples

    path = tmp_path / "doc"
    path.write_bytes(getattr(samples, sample)())
    checked = active_content.check(content_type, str(path))
    assert checked is not None and {k.value for k in checked[1]} == found


def test_f1_a_pdf_that_cannot_be_parsed_cannot_be_checked(tmp_path):
    from chalicelib.files import active_content

    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 20)
    with pytest.raises(active_content.DocumentError):
        active_content.pdf_active_content(str(path))
