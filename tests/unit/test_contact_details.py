"""W2 / G6: contact details in gig texts and messages. Both sides are tested: every true case
must be found, every false case (ordinary prose, prices, sizes, years) must stay clean."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.contact_details import ContactKind, find_contact_details, has_contact_details, scan

# (text, a snippet that must be among the findings)
CONTACT_DETAILS = [
    # e-mail addresses
    ("write to john.doe@gmail.com today", "john.doe@gmail.com"),
    ("mail: a_b+tag@sub.example.co.uk.", "a_b+tag@sub.example.co.uk"),
    ("JOHN@EXAMPLE.ORG", "JOHN@EXAMPLE.ORG"),
    ("john @ gmail.com", "john @ gmail.com"),
    # spelled-out e-mail addresses
    ("reach me: name at gmail dot com", "name at gmail dot com"),
    ("name (at) gmail (dot) com", "name (at) gmail (dot) com"),
    ("name[at]mail[dot]com", "name[at]mail[dot]com"),
    ("john dot doe at yahoo dot com please", "john dot doe at yahoo dot com"),
    ("name{at}gmail{dot}com", "name{at}gmail{dot}com"),
    ("name AT gmail DOT com", "name AT gmail DOT com"),
    ("name(at)gmail.com", "name(at)gmail.com"),
    ("john at hotmail.com", "john at hotmail.com"),
    ("jane at yahoo dot co dot uk", "jane at yahoo dot co dot uk"),
    # URLs and bare domains
    ("see https://example.com/portfolio?x=1.", "https://example.com/portfolio?x=1"),
    ("http://foo.bar", "http://foo.bar"),
    ("visit www.mysite.net for more", "www.mysite.net"),
    ("my site is example.com.", "example.com"),
    ("bit.ly/x", "bit.ly/x"),
    ("short link: t.me/johndoe", "t.me/johndoe"),
    ("video on youtu.be/abc123", "youtu.be/abc123"),
    ("wa.me/15551234567", "wa.me/15551234567"),
    ("check portfolio.io", "portfolio.io"),
    ("Booking.com", "Booking.com"),
    ("EXAMPLE.COM", "EXAMPLE.COM"),
    ("example dot com", "example dot com"),
    ("example(dot)com", "example(dot)com"),
    ("my-shop.store", "my-shop.store"),
    ("a.b.c.d.e.f.example.com", "a.b.c.d.e.f.example.com"),
    # phone numbers, international and local
    ("call +1 555 123 4567", "+1 555 123 4567"),
    ("+972-54-123-4567", "+972-54-123-4567"),
    ("(555) 123-4567", "(555) 123-4567"),
    ("555.123.4567", "555.123.4567"),
    ("call 555-1234 after 5pm", "555-1234"),
    ("0541234567", "0541234567"),
    ("+44 (0) 20 7946 0958", "+44 (0) 20 7946 0958"),
    ("phone:054 123 4567", "054 123 4567"),
    ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ("01 23 45 67 89", "01 23 45 67 89"),
    ("Tel. 03-1234567", "03-1234567"),
    # digits spelled out
    ("five five five one two three four five six seven", "five five five one two three four five six seven"),
    ("zero five four, one two three, four five six seven", "zero five four, one two three, four five six seven"),
    ("call 555 one two three four", "555 one two three four"),
    ("oh five four one two three four", "oh five four one two three four"),
    # handles and messenger invitations
    ("follow @john_doe on instagram", "@john_doe"),
    ("@name", "@name"),
    ("whatsapp me for a discount", "whatsapp me"),
    ("WhatsApp me", "WhatsApp me"),
    ("telegram me", "telegram me"),
    ("skype me anytime", "skype me"),
    ("reach me on telegram", "reach me on telegram"),
    ("add me on skype", "add me on skype"),
    ("hit me up on insta", "hit me up on insta"),
    ("text me via signal", "text me via signal"),
    ("message me on WhatsApp", "message me on WhatsApp"),
    ("my skype is jdoe", "my skype is jdoe"),
    ("my instagram handle", "my instagram handle"),
    ("skype: john.doe", "skype: john.doe"),
    ("Telegram: @jdoe", "Telegram: @jdoe"),
    ("WhatsApp: +15551234567", "WhatsApp: +15551234567"),
    ("whats app me", "whats app me"),
]

CLEAN = [
    "I will look at your design",
    "delivered at the end of the day",
    "I am the best at what I do",
    "dot the i's and cross the t's",
    "I will design your logo for $150",
    "Prices from $1,500 to $25,000 depending on size",
    "Budget: 1,000,000 USD",
    "Experience since 2024",
    "Worked 2019-2024 at a big agency",
    "Between 2019 - 2024 I shot 300 homes",
    "Images at 1280x769 or 4000 x 2416 px",
    "3 revisions included",
    "I deliver in 3 days, 7 days for premium",
    "up to 10 photos, 25 angles, 4 hours on site",
    "1000-1500 words per article",
    "500 - 2000 sq ft apartments",
    "12 000 000 ILS budget homes",
    "Delivery on 12.05.2024 or 2024-05-12",
    "Node.js and Vue.js developer",
    "ASP.NET and socket.io apps",
    "Final files: logo.ai, logo.eps, logo.pdf and main.py",
    "e.g. floor plans, i.e. 2D and 3D",
    "I finished the job.It was great",
    "We met at home.Then we left",
    "I build Telegram bots and WhatsApp chatbots",
    "Discord server setup and moderation",
    "Instagram and Facebook ad campaigns",
    "I will grow your Instagram page",
    "Signal me when ready",
    "IMO: the best offer",
    "one or two rounds of changes",
    "one, two or three bedrooms",
    "I work at night",
    "email marketing at scale",
    "I am good at Gmail automation",
    "available @ 5pm",
    "during the dot com boom",
    "Version 2.0.1 released",
    "ISO 9001:2015 certified",
    "Open 9:00-17:00",
    "Order #12345678",
    "sizes 10 12 14 16 18 20",
    "rooms 1 2 3 4 5 6 7",
    "version 1.2.3.4.5.6.7",
    "I'm available 24/7",
    "Rated 4.9 out of 5.0",
    "Price: $1500-2000",
    "At least 50 photos at 300 dpi",
    "I will write at most 1200 characters",
    "Look at the floor plan",
    "",
]


# Issue 12: forms the first detector let through, and ordinary numbers it refused.
ISSUE_12_FOUND = [
    ("name (at) gmail . com", ContactKind.EMAIL), ("dana.builds @ gmail . com", ContactKind.EMAIL),
    ("name [at] gmail [.] com", ContactKind.EMAIL), ("name at gmail period com", ContactKind.EMAIL),
    ("ｎａｍｅ＠ｇｍａｉｌ．ｃｏｍ", ContactKind.EMAIL), ("instagram: x_builds", ContactKind.HANDLE),
    ("insta: danabuilds", ContactKind.HANDLE), ("ig danabuilds", ContactKind.HANDLE),
    ("snap: danab", ContactKind.HANDLE), ("skype live:dana_1", ContactKind.HANDLE),
    ("linktr.ee/dana", ContactKind.LINK), ("5 2 1 2 3 4 5 6 7", ContactKind.PHONE),
    ("9 7 2 5 2 1 2 3 4 5 6 7", ContactKind.PHONE), ("05two1234567", ContactKind.PHONE),
    ("O52 I23 4567", ContactKind.PHONE), ("0️⃣5️⃣2️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣", ContactKind.PHONE),
    ("אפס חמש שתיים אחת שתיים שלוש ארבע חמש שש שבע", ContactKind.PHONE),
    ("cero cinco dos uno dos tres cuatro cinco seis siete", ContactKind.PHONE),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", ContactKind.PHONE),
    ("null eins sieben eins, zwei drei vier, fünf sechs sieben acht", ContactKind.PHONE),
]
ISSUE_12_CLEAN = ["ISBN 978-3-16-148410-0", "zip 10001-1234", "version 10.0.19041.1", "2024 2025 2026 2027"]


@pytest.mark.parametrize(("text", "kind"), ISSUE_12_FOUND)
def test_w2_issue_12_forms_are_found_with_their_kind(text: str, kind: ContactKind) -> None:
    findings = scan(text)
    assert [f.kind for f in findings] == [kind]
    assert findings[0].snippet in text and len(findings[0].snippet) > len(text) / 2  # in the original's terms


@pytest.mark.parametrize("text", ISSUE_12_CLEAN)
def test_w2_issue_12_ordinary_numbers_are_clean(text: str) -> None:
    assert scan(text) == []


@pytest.mark.parametrize(("text", "snippet"), CONTACT_DETAILS)
def test_w2_finds_contact_details(text: str, snippet: str) -> None:
    """W2/G6: each contact detail is found and reported as its snippet."""
    found = find_contact_details(text)
    assert snippet in found, found
    assert has_contact_details(text)


@pytest.mark.parametrize("text", CLEAN)
def test_w2_ordinary_prose_is_clean(text: str) -> None:
    """W2/G6: no false positive on normal prose, prices, years, sizes, file names."""
    assert find_contact_details(text) == []
    assert not has_contact_details(text)


def test_w2_reports_every_snippet_in_order() -> None:
    text = "Mail a@b.com, call 555-123-4567 or visit www.x.com"
    assert find_contact_details(text) == ["a@b.com", "555-123-4567", "www.x.com"]


def test_w2_overlapping_detections_are_one_snippet() -> None:
    """An e-mail is not also reported as its domain."""
    assert find_contact_details("john.doe@gmail.com") == ["john.doe@gmail.com"]
    assert find_contact_details("name at gmail dot com") == ["name at gmail dot com"]


def test_w2_contact_details_inside_long_text() -> None:
    text = ("I will photograph your home at the best light of the day. " * 15
            + "Questions? john at gmail dot com")
    assert find_contact_details(text) == ["john at gmail dot com"]


@given(st.text(alphabet=st.sampled_from(list("qjxzv .,!?'")), max_size=300))
def test_w2_words_without_digits_or_at_are_clean(text: str) -> None:
    """Text made of words from letters that spell no TLD, no app, no 'at' and no 'www.' (a link's
    start, which the earlier alphabet with 'w' let Hypothesis find): never a finding."""
    assert find_contact_details(text) == []


@given(st.integers(min_value=0, max_value=999_999))
def test_w2_numbers_below_seven_digits_are_clean(n: int) -> None:
    assert find_contact_details(f"I have done {n} projects") == []
    assert find_contact_details(f"${n:,}") == []


@pytest.mark.parametrize("chunk", ["a.", "a-", "1-", "x dot ", "a (dot) ", "a at ", "1.", "@a.", "1 ", "o-",
                                   "a_b ", "+1 "])
def test_w2_adversarial_input_is_checked_whole(chunk: str) -> None:
    """Bounded repetitions keep matching linear (timed in benchmarks/contact_details.py, not here):
    a long pathological text is checked to its end and every finding points into it."""
    text = chunk * 3000 + " mail dana@gmail.com"
    findings = scan(text)
    assert findings and findings[-1].snippet.endswith("dana@gmail.com")
    assert all(text[f.start:f.end].strip() == f.snippet for f in findings)


def test_w2_a_written_address_with_any_top_level_domain_is_an_email() -> None:
    """A plain '@' and a dotted host: the top-level domain need not be a known one."""
    assert [f.kind for f in scan("mail me at a@b.example")] == [ContactKind.EMAIL]
    assert [f.kind for f in scan("dana@studio.photography")] == [ContactKind.EMAIL]
