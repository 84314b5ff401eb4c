"""Contact details in gig texts and messages are violations (W2; for gig texts also G6).

``find_contact_details(text)`` returns the offending snippets in the order they appear (empty
list when the text is clean). It looks for:

- e-mail addresses, plain (``john@mail.com``) and spelled out (``john at gmail dot com``,
  ``john (at) gmail (dot) com``, ``john[at]mail[dot]com``, ``john dot doe at yahoo dot com``);
- links: ``http(s)://...``, ``www....`` and bare domains (``example.com``, ``bit.ly/x``,
  ``example dot com``); no domain is allowed, whatever it is;
- phone numbers: 7 or more digits, with or without ``+``, spaces, dashes, dots, parentheses;
  not prices (``$150``), years (``2024``, ``2019-2024``), dates, sizes (``1280x769``), amounts
  followed by a unit (``1000-1500 words``) or ordinary numbers;
- digits spelled out: a run of number words worth 7 or more digits (``five five five one ...``);
- handles (``@name``) and off-platform messenger invitations (``whatsapp me``,
  ``reach me on telegram``, ``my skype is ...``, ``skype: john.doe``).

Precision matters as much as recall: ordinary prose such as "I will look at your design",
"delivered at the end of the day", "best at what I do" or "dot the i's" is clean. The detectors
favour shapes that only contact details have (a TLD after a dot, an ``at`` followed by a domain,
seven digits) over keyword lists.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .errors import FieldError

__all__ = ["find_contact_details", "has_contact_details", "text_field_errors"]

# Top-level domains worth recognising in prose. Deliberately excludes ones that are common file
# extensions (py, md, ai, ps, sh, rs, pl, so...) so "logo.ai" or "main.py" stay clean.
_TLDS = (
    "com net org info biz edu gov mil int io co ly me us uk de fr il ca au in it es nl ru br ch "
    "se eu tv gg to be cc ws xyz app dev site online store shop tech link live club page blog "
    "top icu pro name mobi asia jp cn kr mx ar nz za ie at pt gr tr pk ng ke ae sg hk tk ml ga "
    "cf gq ninja agency studio design digital media email"
).split()
# TLDs that are also English words: a title-case one ("done.It") is a missing space, not a link.
_WORDLIKE_TLDS = frozenset(
    "me us in it to be at live page site link store shop club top pro name design media email "
    "digital studio agency".split()
)
# Tech names that look like domains but are not links.
_NOT_LINKS = frozenset({"asp.net", "vb.net", "ado.net", "socket.io"})
# Words that never are a domain label in a spelled-out link ("the dot com boom").
_STOPWORDS = frozenset(
    "the a an this that these those my your our their his her its of in on at for to and or "
    "with by from during since".split()
)

_TLD = "(?:" + "|".join(sorted(_TLDS, key=len, reverse=True)) + ")"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_SPELLED_DOT = r"(?:\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+)"
_ANY_DOT = rf"(?:\.|{_SPELLED_DOT})"
# Repetitions below are bounded ({0,4}, {1,8}) so that matching stays linear in the text length.
_SPELLED_AT = r"(?:\s*@\s*|\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+)"
_URL_TAIL = r"(?:[/?#][^\s<>\"']*)?"
_TRAILING_PUNCT = ".,;:!?)]}'\""

_I = re.IGNORECASE

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}\b", _I)
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.@+\-])[\w+\-]+(?:{_ANY_DOT}[\w+\-]+){{0,4}}{_SPELLED_AT}(?:{_LABEL}{_ANY_DOT}){{1,4}}{_TLD}"
    r"(?![\w\-])",
    _I,
)
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", _I)
_DOMAIN = re.compile(
    rf"(?<![\w@\-/])(?:{_LABEL}{_ANY_DOT}){{1,8}}(?P<tld>{_TLD})(?![\w\-@]){_URL_TAIL}", _I
)
# A phone: optional +, then 7+ digits, each pair separated by at most 3 of ( ) . - space.
_PHONE = re.compile(r"(?<![\w$€£₪#.,/+\-])\+?[ \t(]*\d(?:[ \t().\-]{0,3}\d){6,}(?![\w])")
_DATE = re.compile(r"^(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d\s*-\s*(?:19|20)\d\d$")
_UNIT_AFTER = re.compile(
    r"\s*(?:%|k\b|m\b|px\b|pixels?\b|words?\b|pages?\b|characters?\b|chars?\b|views?\b|"
    r"followers?\b|subscribers?\b|likes?\b|sq\b|sqft\b|sqm\b|ft\b|feet\b|foot\b|meters?\b|"
    r"metres?\b|km\b|miles?\b|kg\b|lbs?\b|units?\b|items?\b|hours?\b|minutes?\b|usd\b|eur\b|"
    r"gbp\b|ils\b|nis\b|dollars?\b|euros?\b|shekels?\b)",
    _I,
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£₪]|\b(?:usd|eur|gbp|ils|nis))\s*$", _I)

_NUMBER_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
_SPELLED_DIGITS = re.compile(
    rf"\b(?:{_NUMBER_WORD}|\d+)(?:[\s,.\-]+(?:{_NUMBER_WORD}|\d+))+\b", _I
)
_NUMBER_WORD_RE = re.compile(rf"^{_NUMBER_WORD}$", _I)
_MIN_PHONE_DIGITS = 7

_HANDLE = re.compile(r"(?<![\w@.])@[a-z_][\w]*(?:\.[\w]+)*", _I)
# Names that are only ever messengers ("signal", "line", "x" are also words: see _APPS).
_MESSENGERS = r"(?:whats\s?app|telegram|skype|viber|wechat|snapchat|kik|discord)"
_SOCIAL = r"(?:instagram|insta|ig|facebook|fb|messenger|linkedin|twitter|tiktok)"
_APPS = rf"(?:{_MESSENGERS}|{_SOCIAL}|signal|line|x)"
_INVITES = [
    # "whatsapp me", "skype me"
    re.compile(rf"\b{_MESSENGERS}\s+me\b", _I),
    # "reach me on telegram", "add me via skype", "hit me up on insta"
    re.compile(
        r"\b(?:contact|reach|message|msg|text|call|add|find|ping|dm|pm|hit|follow|e-?mail|mail|"
        rf"write\s+to|talk\s+to|chat\s+with)\s+(?:me|us)\s+(?:up\s+)?(?:on|via|at|through|over|in|"
        rf"using)\s+{_APPS}\b",
        _I,
    ),
    # "my skype is", "our whatsapp number", "my instagram handle"
    re.compile(
        rf"\b(?:my|our)\s+(?:{_MESSENGERS}|{_SOCIAL})\s*(?:id|handle|user\s?name|number|no\b|"
        r"account|profile|channel|is\b|:)",
        _I,
    ),
    # "skype: john.doe", "WhatsApp: +1 555...", "telegram id = jdoe"
    re.compile(
        rf"\b{_MESSENGERS}\s*(?:id|handle|user\s?name|number|no\.?|#)?\s*[:=]\s*[@+]?[\w.\-]{{3,}}",
        _I,
    ),
]


def find_contact_details(text: str) -> list[str]:
    """The snippets of ``text`` that are contact details (W2/G6), in order; [] when clean."""
    if not text:
        return []
    spans = sorted(_spans(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return [text[s:e].strip() for s, e in merged]


def has_contact_details(text: str) -> bool:
    return bool(find_contact_details(text))


def _spans(text: str) -> Iterator[tuple[int, int]]:
    for regex in (_EMAIL, _HANDLE, *_INVITES):
        for m in regex.finditer(text):
            yield m.span()
    for m in _SPELLED_EMAIL.finditer(text):
        yield m.span()
    for m in _URL.finditer(text):
        yield m.start(), m.start() + len(m.group().rstrip(_TRAILING_PUNCT))
    for m in _DOMAIN.finditer(text):
        if _is_link(m):
            yield m.start(), m.start() + len(m.group().rstrip(_TRAILING_PUNCT))
    for m in _PHONE.finditer(text):
        if _is_phone(text, m):
            yield m.span()
    for m in _SPELLED_DIGITS.finditer(text):
        if _is_spelled_number(m.group()):
            yield m.span()


def _is_link(m: re.Match[str]) -> bool:
    tld = m.group("tld")
    if tld.lower() in _WORDLIKE_TLDS and tld[0].isupper() and not tld.isupper():
        return False  # "done.It was..." is a missing space after a full stop
    host = m.group()[: m.end("tld") - m.start()]
    if host.lower() in _NOT_LINKS:
        return False
    spelled = re.search(_SPELLED_DOT, host, _I) is not None
    if spelled and any(label.lower() in _STOPWORDS for label in re.split(_ANY_DOT, host, flags=_I)):
        return False  # "the dot com boom"
    return True


def _is_phone(text: str, m: re.Match[str]) -> bool:
    snippet = m.group().strip(" \t(")
    if _DATE.match(snippet) or _YEAR_RANGE.match(snippet):
        return False
    if _CURRENCY_BEFORE.search(text[: m.start()]) or _UNIT_AFTER.match(text, m.end()):
        return False
    groups = re.findall(r"\d+", snippet)
    if not snippet.startswith("+") and not snippet.startswith("0") and max(map(len, groups)) <= 2:
        return False  # a list of small numbers ("sizes 10 12 14 16"), not a phone
    return sum(c.isdigit() for c in snippet) >= _MIN_PHONE_DIGITS


def _is_spelled_number(run: str) -> bool:
    tokens = [t for t in re.split(r"[\s,.\-]+", run) if t]
    words = [t for t in tokens if _NUMBER_WORD_RE.match(t)]
    digits = len(words) + sum(len(t) for t in tokens if t.isdigit())
    return bool(words) and digits >= _MIN_PHONE_DIGITS


def text_field_errors(path: str, text: str, *, maximum: int, rule: str | None,
                      required: bool = True) -> list[FieldError]:
    """A free-text field people write to each other: present (when ``required``), at most
    ``maximum`` characters, and no contact details (W2). ``rule`` names the field's own rule."""
    errors = []
    if required and not text.strip():
        errors.append(FieldError(path, "is required", "required", rule))
    if len(text) > maximum:
        errors.append(FieldError(path, f"must be at most {maximum} characters", "too_long", rule))
    if find_contact_details(text):
        errors.append(FieldError(path, "must not contain contact details", "contact_details", "W2"))
    return errors
