"""Contact details in texts people write to each other or publish are violations (W2; G6 for gig
texts): e-mail addresses, phone numbers, links, and handles of other platforms and messengers, in
any of the seeds' languages (English, Spanish, French, German, Hebrew), plain, obfuscated or
spelled out. Ordinary numbers (prices, dates, sizes, ISBNs, postcodes, versions) are not.

The text is first normalised, keeping a map back to the original characters:

1. Unicode: NFKC (full-width ``ｎａｍｅ＠ｇｍａｉｌ．ｃｏｍ``, circled and mathematical digits), any
   script's decimal digits, keycaps (``5️⃣``), invisible characters dropped, accents removed,
   Cyrillic/Greek look-alike letters read as Latin;
2. characters spaced out one by one joined (``t o m @ g m a i l``); letters that stand for
   digits inside a number (``O52 I23 4567``);
3. numbers spelled out in the seeds' languages, digits and two-digit pairs (``zero five two``,
   ``cero cinco``, ``zéro six douze``, ``null eins sieben``, ``אפס חמש``), also glued to digits
   (``05two1234567``);
4. separators spelled between digits (``two dash one``); ``at``/``dot`` in brackets, quotes,
   dashes or underscores (``[at]``, ``(dot)``, ``[.]``, ``-at-``, ``_dot_``).

Then candidates are found by shape and confirmed: a run of digits is a phone number only when
the ``phonenumbers`` library (Google's libphonenumber metadata) finds it a possible number of a
numbering plan and it is written the way phone numbers are written (international prefix,
trunk ``0``, or a grouping the plan uses), not next to a label that makes it something else
(ISBN, zip, order, version...), not a date, an amount or a quantity. Numbers spelled out digit by
digit, or preceded by a phone word ("call", "Telefon", "טלפון"), may be grouped any way. E-mail
addresses and links
need a top-level domain (plain, spaced or spelled ``dot``/``punto``/``point``/``punkt``/
``נקודה``); handles need a platform's name and a handle-like word, or an ``@``.

``scan(text)`` returns findings (kind, original snippet); refusals name only the kinds
(:func:`describe`), never the snippet: the author knows what they wrote, and a message that
echoes it would carry it further.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber

from .errors import FieldError

__all__ = ["ContactKind", "Finding", "contact_details_error", "describe", "find_contact_details",
           "has_contact_details", "scan", "text_field_errors"]


class ContactKind(Enum):
    EMAIL = "e-mail address"
    PHONE = "phone number"
    LINK = "link"
    HANDLE = "social media or messenger handle"


@dataclass(frozen=True)
class Finding:
    kind: ContactKind
    start: int  # in the original text
    end: int
    snippet: str


# -- 1. a text with a map back to the original ---------------------------------------------------
class _Mapped:
    """A normalised text whose every character knows the span of the original it came from."""

    def __init__(self, chars: str, origin: list[tuple[int, int]]) -> None:
        self.text = chars
        self.origin = origin

    def sub(self, regex: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> _Mapped:
        out: list[str] = []
        origin: list[tuple[int, int]] = []
        last = 0
        for m in regex.finditer(self.text):
            out.append(self.text[last:m.start()])
            origin += self.origin[last:m.start()]
            new = repl(m)
            if len(new) == m.end() - m.start():  # letter for letter ("O52" -> "052"): same places
                out.append(new)
                origin += self.origin[m.start():m.end()]
            elif new:
                out.append(new)
                origin += [(self.origin[m.start()][0], self.origin[m.end() - 1][1])] * len(new)
            last = m.end()
        out.append(self.text[last:])
        origin += self.origin[last:]
        return _Mapped("".join(out), origin)

    def spelled(self, start: int, end: int) -> bool:
        """Whether two or more pieces of [start, end) stand for longer originals (number words)."""
        return len({span for span in self.origin[start:end] if span[1] - span[0] > 1}) >= 2

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised characters [start, end)."""
        return self.origin[start][0], self.origin[max(start, end - 1)][1]


_INVISIBLE = {0xFE0F, 0xFE0E, 0x20E3, 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
# Latin look-alikes from Cyrillic and Greek ("gmаil" with a Cyrillic а).
_LOOKALIKES = str.maketrans(
    "аеорсухіѕјԁԛԝАВЕКМНОРСТУХІЅЈοαικνρτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ。｡",
    "aeopcyxisjdqwABEKMHOPCTYXISJoaikvptuxABEHIKMNOPTYXZ..",
)


def _char(ch: str) -> str:
    if ord(ch) in _INVISIBLE:
        return ""
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and unicodedata.category(folded) == "Nd":
        return str(unicodedata.decimal(folded))
    # Accents and Hebrew points (niqqud) go: they never change a number word or an address.
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if unicodedata.category(c) != "Mn")
    return folded.translate(_LOOKALIKES)


def _unicode(text: str) -> _Mapped:
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        out = _char(ch)
        chars.append(out)
        origin += [(i, i + 1)] * len(out)
    return _Mapped("".join(chars), origin)


# -- 2. letters standing for digits inside a number ------------------------------------------------
_CONFUSABLE_TOKEN = re.compile(r"(?<![^\W\d_])[0-9oOiIlL|]*[0-9][0-9oOiIlL|]*(?![^\W\d_])")
_CONFUSABLE_DIGITS = str.maketrans("oOiIlL|", "0011111")


def _confusables(m: re.Match[str]) -> str:
    token = m.group()
    digits = sum(c.isdigit() for c in token)
    return token.translate(_CONFUSABLE_DIGITS) if digits >= len(token) - digits else token


# -- 3. numbers spelled out in the seeds' languages ------------------------------------------------
_UNITS: dict[str, tuple[str, ...]] = {
    # English, Spanish, French, German, Hebrew (with its feminine, masculine and construct forms)
    "0": ("zero", "oh", "cero", "null", "אפס"),
    "1": ("one", "uno", "una", "un", "une", "eins", "ein", "eine", "אחת", "אחד"),
    "2": ("two", "dos", "deux", "zwei", "zwo", "שתיים", "שתים", "שניים", "שנים", "שתי", "שני"),
    "3": ("three", "tres", "trois", "drei", "שלוש", "שלש", "שלושה", "שלשה"),
    "4": ("four", "cuatro", "quatre", "vier", "ארבע", "ארבעה"),
    "5": ("five", "cinco", "cinq", "funf", "fuenf", "חמש", "חמישה", "חמשה"),
    "6": ("six", "seis", "sechs", "שש", "שישה", "ששה"),
    "7": ("seven", "siete", "sept", "sieben", "שבע", "שבעה"),
    "8": ("eight", "ocho", "huit", "acht", "שמונה"),
    "9": ("nine", "nueve", "neuf", "neun", "תשע", "תשעה"),
}
_TEENS: dict[str, tuple[str, ...]] = {
    "10": ("ten", "diez", "dix", "zehn", "עשר", "עשרה"),
    "11": ("eleven", "once", "onze", "elf"),
    "12": ("twelve", "doce", "douze", "zwolf", "zwoelf"),
    "13": ("thirteen", "trece", "treize", "dreizehn"),
    "14": ("fourteen", "catorce", "quatorze", "vierzehn"),
    "15": ("fifteen", "quince", "quinze", "funfzehn", "fuenfzehn"),
    "16": ("sixteen", "dieciseis", "seize", "sechzehn"),
    "17": ("seventeen", "diecisiete", "dix-sept", "siebzehn"),
    "18": ("eighteen", "dieciocho", "dix-huit", "achtzehn"),
    "19": ("nineteen", "diecinueve", "dix-neuf", "neunzehn"),
}
_TENS: dict[str, tuple[str, ...]] = {
    "2": ("twenty", "veinte", "vingt", "zwanzig", "עשרים"),
    "3": ("thirty", "treinta", "trente", "dreissig", "dreißig", "שלושים"),
    "4": ("forty", "cuarenta", "quarante", "vierzig", "ארבעים"),
    "5": ("fifty", "cincuenta", "cinquante", "funfzig", "fuenfzig", "חמישים"),
    "6": ("sixty", "sesenta", "soixante", "sechzig", "שישים"),
    "7": ("seventy", "setenta", "siebzig", "שבעים"),
    "8": ("eighty", "ochenta", "quatre-vingts?", "achtzig", "שמונים"),
    "9": ("ninety", "noventa", "neunzig", "תשעים"),
}


def _alternation(words: dict[str, tuple[str, ...]]) -> str:
    return "|".join(sorted((w for ws in words.values() for w in ws), key=len, reverse=True))


_WORD_VALUE = {w: d for d, ws in (*_UNITS.items(), *_TEENS.items()) for w in ws}
_TENS_VALUE = {w: d for d, ws in _TENS.items() for w in ws}
_TENS_VALUE["quatre-vingt"] = _TENS_VALUE["quatre-vingts"] = "8"
_L = r"(?<![^\W\d_])"  # no letter before (a digit may be glued: "05two")
_R = r"(?![^\W\d_])"
_HE_PREFIX = r"(?:ו)?"  # Hebrew "and" glued to the word
_UNIT_RE = _alternation(_UNITS)
_TEEN_RE = _alternation(_TEENS)
_TENS_RE = _alternation(_TENS)  # "quatre-vingts?" is a pattern: 80 with or without its s
_JOIN = r"(?:[\s\-]+(?:y|et|und|and|ו)?[\s\-]*|[\s\-]*ו)"
# "fifty two", "treinta y dos", "vingt-et-un", "soixante-dix-huit", "zweiundfunfzig", "veintidos"
_COMPOUND = re.compile(
    rf"{_L}(?:{_HE_PREFIX})(?P<tens>{_TENS_RE})(?:{_JOIN}(?P<teen>{_TEEN_RE})|{_JOIN}(?P<unit>{_UNIT_RE}))?{_R}"
    rf"|{_L}(?P<gunit>{_UNIT_RE})und(?P<gtens>{_TENS_RE}){_R}"
    rf"|{_L}veinti(?P<vunit>uno|un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve){_R}"
    rf"|{_L}{_HE_PREFIX}(?P<word>{_TEEN_RE}|{_UNIT_RE}){_R}",
    re.IGNORECASE,
)
_VEINTI = {"uno": "1", "un": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
           "siete": "7", "ocho": "8", "nueve": "9"}
# "o" (a letter O read as zero) only between digits: "five o five", "0 o 5".
_LETTER_O = re.compile(r"(?<=\d)(\s*)o(?=\s*\d)|(?<![^\W\d_])()o(?=[\s\-.]{0,2}\d)", re.IGNORECASE)
# Separators spelled out between digits: "two dash one", "dos guion uno".
_SPELLED_SEPARATOR = re.compile(
    r"(?<=\d)\s+(?:dash|hyphen|minus|gui[oó]n|tiret|trait\s+d'union|bindestrich|strich|מקף)\s+(?=\d)", re.IGNORECASE)


def _number_word(m: re.Match[str]) -> str:
    if m.group("tens"):
        tens = _TENS_VALUE[m.group("tens").lower()]
        if m.group("teen"):  # soixante-dix-huit, quatre-vingt-douze
            return str(int(tens) * 10 + int(_WORD_VALUE[m.group("teen").lower()]))
        unit = m.group("unit")
        return tens + (_WORD_VALUE[unit.lower()] if unit else "0")
    if m.group("gtens"):
        return _TENS_VALUE[m.group("gtens").lower()] + _WORD_VALUE[m.group("gunit").lower()]
    if m.group("vunit"):
        return "2" + _VEINTI[m.group("vunit").lower()]
    return _WORD_VALUE[m.group("word").lower()]


# -- 4. bracketed and spelled "at" and "dot" --------------------------------------------------------
_OPEN, _CLOSE = r"(?:[\(\[\{<'\"*~|]|(?<=[\w\s])[-_])", r"(?:[\)\]\}>'\"*~|]|[-_](?=[\w\s]))"
_BRACKETED_AT = re.compile(rf"\s*{_OPEN}\s*(?:at|@|arroba|arobase|ät|שטרודל)\s*{_CLOSE}\s*", re.IGNORECASE)
_BRACKETED_DOT = re.compile(rf"\s*{_OPEN}\s*(?:dot|\.|punto|point|punkt|period|נקודה)\s*{_CLOSE}\s*",
                            re.IGNORECASE)


# Characters spaced out one by one, with a letter among them ("t o m @ g m a i l . c o m").
_SPACED_OUT = re.compile(r"(?<!\S)(?:\S ){3,}\S(?!\S)")


def _join_spaced_out(m: re.Match[str]) -> str:
    run = m.group()
    return run.replace(" ", "") if re.search(r"[^\W\d_]", run) else run


def normalise(text: str) -> _Mapped:
    mapped = _unicode(text)
    mapped = mapped.sub(_SPACED_OUT, _join_spaced_out)
    mapped = mapped.sub(_CONFUSABLE_TOKEN, _confusables)
    mapped = mapped.sub(_COMPOUND, _number_word)
    mapped = mapped.sub(_LETTER_O, lambda m: (m.group(1) or "") + "0")
    mapped = mapped.sub(_SPELLED_SEPARATOR, lambda m: "-")
    mapped = mapped.sub(_BRACKETED_AT, lambda m: "@")
    return mapped.sub(_BRACKETED_DOT, lambda m: ".")


# -- e-mail addresses and links ------------------------------------------------------------------
# Top-level domains worth recognising in prose. Deliberately excludes common file extensions
# (py, md, ai, ps, sh, rs, pl, so, js...) so "logo.ai" or "main.py" stay clean.
_TLDS = (
    "com net org info biz edu gov mil int io co ly me us uk de fr il ca au in it es nl ru br ch "
    "se eu tv gg to be cc ws xyz app dev site online store shop tech link live club page blog "
    "top icu pro name mobi asia jp cn kr mx ar nz za ie at pt gr tr pk ng ke ae sg hk tk ml ga "
    "cf gq ninja agency studio design digital media email ee gl la lt lv fm bio cl pe ve uy "
    "be pl cz sk hu ro dk no fi is su ua by kz art world life today space fun one"
).split()
# TLDs that are also words in the seeds' languages: after a spaced or spelled dot ("Hola. Es
# verdad", "done. In the end") or in title case after a full stop, they are prose, not links.
_WORDLIKE_TLDS = frozenset(
    "me us in it to be at es de il la no is se one fun life live page site link store shop club "
    "top pro name design media email digital studio agency world today space art bio co ca pt".split()
)
_NOT_LINKS = frozenset({"asp.net", "vb.net", "ado.net", "socket.io", "e.g", "i.e"})
_STOPWORDS = frozenset(
    "the a an this that these those my your our their his her its of in on at for to and or with by "
    "from during since el la los las de del y o en un una le les du des et ou der die das und oder "
    "im am zu mon ma mes ton ta son sa notre votre leur ce cette au aux mi tu su este esta ese esa cada "
    "buen mismo nuestro mein dein sein unser zum vom".split()
)
_TLD = "(?:" + "|".join(sorted(set(_TLDS), key=len, reverse=True)) + ")"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_DOT_WORDS = r"(?:dot|period|punto|point|punkt|נקודה)"
_DOT = rf"(?:\s*\.\s*|\s+{_DOT_WORDS}\s+)"
# Words for "dot" that are not also ordinary words before a TLD-like word ("punto de vista",
# "point de vue" are prose; "punkt de" is not).
_UNAMBIGUOUS_DOT_WORDS = frozenset({"dot", "period", "punkt", "נקודה"})
_AT = r"(?:\s*@\s*|\s+(?:at|arroba|arobase|ät|klammeraffe|שטרודל)\s+)"
_TRAILING_PUNCT = ".,;:!?)]}'\""
_I = re.IGNORECASE

_EMAIL = re.compile(
    rf"(?<![\w.+\-@])[\w+\-]+(?:{_DOT}[\w+\-]+){{0,4}}{_AT}(?P<host>(?:{_LABEL}{_DOT}){{1,4}}(?P<tld>{_TLD}))"
    r"(?![\w\-])",
    _I,
)
_PROVIDERS = (r"(?:gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|protonmail|gmx|walla|yandex|aol|wanadoo|"
              r"laposte|posteo)")
# A handle-like word: letters with "_", digits after letters, or dotted words ("dana.builds").
# Repetitions are bounded (a handle is short) so that matching stays linear in the text's length.
_SHAPED = (r"(?=[\w.\-]{0,40}[^\W\d_]{2})(?:[\w.\-]{0,40}_[\w.\-]{0,40}|[^\W\d_][\w\-]{0,40}\d{2,6}"
           r"|[^\W\d_]{2,30}(?:\.[^\W\d_]{2,30}){1,4}\d{0,6})")
# An address without its top-level domain at a webmail provider: "dana.builds@gmail", or spelled
# "dana.builds at gmail" when the name is handle-like; "my gmail: dana.builds88".
_PROVIDER_EMAIL = re.compile(
    rf"(?<![\w.+\-@])(?:[\w+\-.]+\s*@\s*|{_SHAPED}\s+(?:at|arroba|arobase|ät)\s+){_PROVIDERS}(?![\w\-])"
    rf"|\b{_PROVIDERS}\s*(?:id|account|address|adresse|direcci[oó]n|cuenta|compte|konto|user(?:name)?)?"
    rf"\s*(?::|=|\bis\b|\bes\b|\best\b|\bist\b)\s*{_SHAPED}",
    _I,
)
# A written address: with a plain "@" and dots any top-level domain counts ("a@b.example").
_PLAIN_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+){0,8}\.[a-z]{2,24}(?![\w\-])", _I)
_URL = re.compile(r"(?:\bhttps?\s*:\s*/\s*/|\bwww\s*\.)[^\s<>\"']+", _I)
_DOMAIN = re.compile(
    rf"(?<![\w@\-/])(?P<host>(?:{_LABEL}{_DOT}){{1,8}}(?P<tld>{_TLD}))(?![\w\-@])(?P<path>/[^\s<>\"']*)?", _I
)


def _spaced(host: str) -> bool:
    return re.search(rf"\s|{_DOT_WORDS}", host, _I) is not None


def _host_ok(m: re.Match[str], original: str) -> bool:
    host, tld = m.group("host"), m.group("tld")
    if host.lower() in _NOT_LINKS:
        return False
    labels = [label for label in re.split(_DOT, host, flags=_I) if label]
    dots = {d.strip().lower() for d in re.findall(_DOT, host, flags=_I)}
    if _spaced(host) and dots <= _UNAMBIGUOUS_DOT_WORDS:
        # "web punkt de", "dana נקודה co נקודה il": only "the dot com boom" is prose
        return not any(label.lower() in _STOPWORDS for label in labels[:-1])
    if _spaced(host):
        if (tld.lower() in _WORDLIKE_TLDS or any(label.lower() in _STOPWORDS for label in labels)
                or original[:1].isupper() and not original.isupper()):
            return False  # "the dot com boom", "Hola. Es verdad", "Sounds good. Info below"
        if len(labels) == 2 and labels[0].isdigit():
            return False  # "chapter 3 . com..."
    elif tld.lower() in _WORDLIKE_TLDS and original[:1].isupper() and not original.isupper():
        return False  # "done.It was" is a missing space after a full stop
    return not all(label.isdigit() for label in labels[:-1])  # "version 1.2.co"


# -- phone numbers -------------------------------------------------------------------------------
_SEP = r"[\s().\-/_*|·•∙‧,]"
# No look-ahead at the end (a letter right after is checked in code): failing there would backtrack.
_PHONE_CANDIDATE = re.compile(rf"(?<![\w$€£₪#+\-./])(?:\+[\s\-.]*)?\(?\d(?:{_SEP}{{0,3}}\d)+")
_DATE = re.compile(
    r"(?<!\d)(?<!\d[./\-])(?:(?:0?[1-9]|[12]\d|3[01])[./\-](?:0?[1-9]|1[0-2])[./\-](?:19|20)?\d\d"
    r"|(?:0?[1-9]|1[0-2])[./\-](?:0?[1-9]|[12]\d|3[01])[./\-](?:19|20)?\d\d"
    r"|(?:19|20)\d\d[./\-](?:0?[1-9]|1[0-2])[./\-](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])(?![./]?\d))(?!\d)(?![./\-]\d)"  # not inside 06-12-34-56-78
)
_TIME = re.compile(r"(?<!\d)\d{1,2}\s*[:h]\s*\d{2}(?!\d)", _I)
# Labels that make the number after them something else than a phone number.
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:isbn(?:-1[03])?|issn|ean|upc|gtin|asin|sku|zip|zip\s*code|postal(?:\s*code)?|postcode|post\s*code|"
    r"plz|postleitzahl|cp|c\.p\.|codigo\s+postal|code\s+postal|order|orders|pedido|commande|bestellung|"
    r"auftrag|auftragsnummer|bestellnummer|invoice|factura|facture|rechnung|receipt|recibo|ref|reference|"
    r"referencia|tracking|seguimiento|suivi|sendungsnummer|version|versions|versión|ver|v|build|release|"
    r"serial|model|modelo|modele|iban|bic|swift|vat|tva|iva|nif|siret|siren|ticket|case|item|lot|"
    r"patent|isbn13|doi|part|batch|account\s*no|quote|licen[cs]e|ust-?id|steuernummer|מספר\s*הזמנה|הזמנה|"
    r"מיקוד|חשבונית|גרסה|גרסא|אסמכתא|קבלה)\b"
    r"|#|№|n°|nº|nr\.?|no\.)\s*(?:number|num|no|nr|n°|nº|#|:|=|-|\.|\s)*$",
    _I,
)
_UNIT_AFTER = re.compile(
    r"\s*(?:%|‰|°|[$€£₪¥]|x\b|×|k\b|m\b|mm\b|cm\b|km\b|px\b|pt\b|dpi\b|ppi\b|fps\b|hz\b|khz\b|mhz\b|ghz\b|"
    r"kb\b|mb\b|gb\b|tb\b|pixels?\b|words?\b|pages?\b|characters?\b|chars?\b|views?\b|visits?\b|"
    r"followers?\b|subscribers?\b|likes?\b|sq\b|sqft\b|sqm\b|m2\b|m²|ft\b|feet\b|foot\b|inch(?:es)?\b|"
    r"meters?\b|metres?\b|miles?\b|kg\b|g\b|lbs?\b|units?\b|items?\b|pcs\b|pieces?\b|copies\b|"
    r"hours?\b|hrs?\b|minutes?\b|mins?\b|seconds?\b|days?\b|weeks?\b|months?\b|years?\b|usd\b|eur\b|"
    r"gbp\b|ils\b|nis\b|dollars?\b|euros?\b|shekels?\b|pesos?\b|d[oó]lares\b|francs?\b|palabras\b|páginas\b|paginas\b|mots\b|pages\b|"
    r"wörter\b|worter\b|seiten\b|seguidores\b|abonnés\b|abonnes\b|euro\b|שח|ש\"ח|ש״ח|מילים|עמודים|"
    r"שקלים|דולר|עוקבים|צפיות)",
    _I,
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£₪¥]|\b(?:usd|eur|gbp|ils|nis|chf|mxn|ars)|ש\"ח|ש״ח)\s*$", _I)
_PHONE_WORDS = re.compile(
    r"\b(?:call|phone|tel|tele|telephone|mobile|mob|cell|cellphone|whats\s?app|wa|text|sms|number|"
    r"llama|llamame|llámame|telefono|teléfono|movil|móvil|celular|numero|número|appelle|appelez|"
    r"appelle-moi|telephone|téléphone|portable|numéro|ruf|anrufen|telefon|handy|nummer|festnetz|"
    r"טלפון|נייד|פלאפון|טל|מספר|התקשר|תתקשר|תתקשרו|חייג|חייגו|וואטסאפ|ווטסאפ)\b",
    _I,
)
_DECIMAL = re.compile(r"0[.,]\d")
_THOUSANDS = re.compile(r"^\d{1,3}(?:(?P<s>[,.])\d{3})(?:(?P=s)\d{3})*$")
# Plans tried for a number written with its trunk "0" (where the seeds' languages are spoken and
# their neighbours), and the plans whose numbers are written without any prefix.
_TRUNK_REGIONS = ("IL", "FR", "DE", "GB", "AT", "CH", "BE", "LU", "NL", "IT", "AR", "CO", "PE", "VE",
                  "AU", "IE", "NZ", "ZA", "IN")
# How each is written bare: US/Canada with or without the 1, Spain's nine digits, Mexico's ten,
# Argentina's ten (a 9 before mobiles), Colombian and Israeli mobiles (Israel's others keep their 0).
_BARE_FORMS = {"US": re.compile(r"1?[2-9]\d{9}|[2-9]\d{6}"), "ES": re.compile(r"[5-9]\d{8}"),
               "MX": re.compile(r"[2-9]\d{9}"), "AR": re.compile(r"9?[1-9]\d{9}"), "CO": re.compile(r"3\d{9}"),
               "IL": re.compile(r"5\d{8}")}
_BARE_COUNTRY_CODES = (1, 972, 44, 33, 49, 34, 52, 54, 43, 41, 32, 57, 51, 58, 56, 39, 353, 61, 27, 91)
_MIN_TRUNK_DIGITS = 9  # 8-digit strings with a leading 0 are mostly dates and codes
_MIN_DIGITS = 7


@lru_cache(maxsize=64)
def _general_pattern(region: str) -> re.Pattern[str] | None:
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None or metadata.general_desc.national_number_pattern is None:
        return None
    return re.compile(metadata.general_desc.national_number_pattern)


def _plausible(number: PhoneNumber, region: str | None = None, *, local_ok: bool = False) -> bool:
    """A number the plan could hold: a possible length and inside the plan's number ranges (not
    only assigned ones, so made-up but well-formed numbers count too). ``local_ok``: a number
    dialled without its area code ("call 555-1234") counts too."""
    region = region or phonenumbers.region_code_for_number(number)
    if (not region or region == "001") and number.country_code is not None:
        region = phonenumbers.region_code_for_country_code(number.country_code)
    pattern = _general_pattern(region) if region else None
    if pattern is None:
        return False
    national = phonenumbers.national_significant_number(number)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if local_ok and reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return True
    return reason == phonenumbers.ValidationResult.IS_POSSIBLE and pattern.fullmatch(national) is not None


def _parse(digits: str, region: str | None) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None


def _boundaries(groups: list[str]) -> set[int]:
    out, position = set(), 0
    for group in groups[:-1]:
        position += len(group)
        out.add(position)
    return out


def _merge_singles(groups: list[str]) -> list[str]:
    """Digits written one by one ("4 1 5", or spelled out) are one block."""
    out: list[str] = []
    previous_single = False
    for group in groups:
        single = len(group) == 1
        if out and single and previous_single:
            out[-1] += group
        else:
            out.append(group)
        previous_single = single
    return out


def _grouped_like_a_phone(groups: list[str], number: PhoneNumber, *, chunks: bool = True) -> bool:
    """Written as phone numbers are: one block, digit by digit, three chunks of 3 or more, or the
    plan's own grouping (so "21 22 23 24 25", a list, is not a New York number, and "82577 4243"
    not a Spanish one)."""
    groups = _merge_singles(groups)
    if len(groups) == 1 or (chunks and len(groups) >= 3 and min(len(g) for g in groups) >= 3):
        return True
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    national = phonenumbers.national_significant_number(number)
    digits = "".join(groups)
    offset = len(digits) - len(national)  # a country code or a trunk digit before the plan's groups
    plan = re.findall(r"\d+", formatted)
    plan_digits = "".join(plan)
    shift = len(plan_digits) - len(national)  # the trunk "0" in the national format
    plan_bounds = {b - shift + offset for b in _boundaries(plan) if b - shift > 0}
    # The plan's groups, the last ones perhaps run together ("052-1234567" for "052-123-4567").
    written = sorted(b for b in _boundaries(groups) if b > offset)
    return written == sorted(plan_bounds)[:len(written)]


def _country_code_apart(groups: list[str], number: PhoneNumber) -> bool:
    """A country code without its "+" stands apart ("972 52 123 4567") or the number is one block."""
    merged = _merge_singles(groups)
    return len(merged) == 1 or len(str(number.country_code)) in _boundaries(merged)


def _is_phone_number(groups: list[str], plus: bool, near_phone_word: bool, spelled: bool = False) -> bool:
    """``near_phone_word``: "call", "Telefon", "טלפון"... just before; ``spelled``: some digits were
    written as words. Either says the digits are meant as a number to dial, so any grouping goes."""
    any_grouping = near_phone_word or spelled
    digits = "".join(groups)
    if not _MIN_DIGITS <= len(digits) <= 15 + (2 if digits.startswith("00") else 0):
        return False
    if digits.endswith("00000"):
        return False  # a round amount ("700 000 000"), not a subscriber's number
    if plus or digits.startswith("00"):
        international = digits[2:] if not plus else digits
        if international.startswith("521") and len(international) == 13:
            international = "52" + international[3:]  # Mexico's former mobile "1", still written
        number = _parse("+" + international, None)
        return number is not None and _plausible(number)
    if digits.startswith("0"):
        if len(digits) < _MIN_TRUNK_DIGITS and not near_phone_word:
            return False
        return any((n := _parse(digits, region)) is not None and _plausible(n, region) for region in _TRUNK_REGIONS)
    if len(digits) >= 10:
        number = _parse("+" + digits, None)
        if (number is not None and number.country_code in _BARE_COUNTRY_CODES and _plausible(number)
                and (any_grouping or _country_code_apart(groups, number)
                     and _grouped_like_a_phone(groups, number, chunks=False))):
            return True
    for region, form in _BARE_FORMS.items():
        if not form.fullmatch(digits):
            continue
        number = _parse(digits, region)
        if number is None or not _plausible(number, region, local_ok=near_phone_word and region == "US"):
            continue
        if any_grouping or _grouped_like_a_phone(groups, number):
            return True
    return False


def _spelled_digit_by_digit(groups: list[str]) -> bool:
    """Seven digits or more, most of them written one by one ("oh five four one two three four"):
    nobody spells out an ordinary number that way."""
    return len("".join(groups)) >= _MIN_DIGITS and sum(len(g) == 1 for g in groups) >= 4


def _phone_spans(text: str, spelled: Callable[[int, int], bool]) -> Iterator[tuple[int, int]]:
    blanked = _DATE.sub(lambda m: "~" * len(m.group()), text)
    blanked = _TIME.sub(lambda m: "~" * len(m.group()), blanked)
    for m in _PHONE_CANDIDATE.finditer(blanked):
        if re.match(r"[^\W\d_]", blanked[m.end():m.end() + 1]):
            continue  # "1280x769", "4k"
        before = blanked[max(0, m.start() - 40):m.start()]
        if _LABEL_BEFORE.search(before) or _CURRENCY_BEFORE.search(before) or _UNIT_AFTER.match(blanked, m.end()):
            continue
        near = _PHONE_WORDS.search(blanked[max(0, m.start() - 40):m.start()]) is not None
        yield from _confirmed(m.start(), m.group(), near, spelled(m.start(), m.end()))


def _confirmed(start: int, candidate: str, near: bool, spelled: bool) -> Iterator[tuple[int, int]]:
    if _THOUSANDS.match(candidate.strip()):
        return  # 1,500,000 or 1.500.000: an amount
    if _DECIMAL.match(candidate):
        return  # 0.2108: a fraction
    plus = candidate.lstrip().startswith("+")
    groups = re.findall(r"\d+", candidate)
    # Commas part a list ("0-30, 26-18, 4-15") unless the digits are spelled or a phone word precedes.
    whole = spelled or near or "," not in candidate
    if whole and _is_phone_number(groups, plus, near, spelled) or spelled and _spelled_digit_by_digit(groups):
        yield start, start + len(candidate.rstrip(" .,-/"))
        return
    # Several numbers in a list ("052-1234567, 03-1234567"): each piece on its own.
    offset = 0
    for piece in re.split(r"(\s*[,;|/]\s*|\s{2,})", candidate):
        if re.search(r"\d", piece) and piece != candidate:
            piece_groups = re.findall(r"\d+", piece)
            if _is_phone_number(piece_groups, piece.lstrip().startswith("+"), near, spelled):
                yield start + offset, start + offset + len(piece)
        offset += len(piece)


# -- handles and messengers ----------------------------------------------------------------------
_PLATFORMS = (
    r"whats\s?app|whatsap|wats\s?app|telegram|skype|viber|wechat|weixin|snapchat|kik|discord|signal|line|"
    r"instagram|insta|facebook|messenger|linkedin|twitter|tiktok|tik\s?tok|threads|youtube|pinterest|"
    r"behance|dribbble|github|reddit|twitch|onlyfans|patreon|vk|x"
)
_SHORT_PLATFORMS = r"ig|fb|tg|wa|snap|sc|yt|li|tw|dc|insta|tele|whats"
# Abbreviations that are not words: "ig danabuilds" is a handle without a colon.
_BARE_ABBREVIATIONS = frozenset({"ig", "insta", "tg", "fb"})
_HE_PLATFORMS = (
    r"[בלוהמש]?(?:וואטסאפ|ווטסאפ|וואצאפ|ווצאפ|ווטסאפ|טלגרם|אינסטגרם|אינסטה|פייסבוק|סקייפ|טיקטוק|"
    r"לינקדאין|סנאפצ'?אט|סנאפ|דיסקורד|יוטיוב)"
)
# Words that commonly follow a platform's name in a service text and are not a handle.
_NOT_HANDLES = frozenset(
    "page pages account accounts profile profiles post posts reel reels story stories content ads ad "
    "marketing campaign campaigns growth followers follower feed bio highlights filters filter lenses "
    "lens shop shops store live video videos channel channels group groups bot bots chatbot chatbots "
    "api business businesses audience engagement strategy management manager community communities "
    "analytics templates template design designs and or for to with the a an is are in on at of "
    "by from as also too link links thumbnail thumbnails shorts banner banners cover covers server "
    "servers integration integrations automation automations messages message calls call app apps "
    "de del y o para con en la el los las sur pour et avec le les des du un une und oder für fur mit "
    "auf im der die das ein eine cuenta cuentas pagina publicaciones seguidores anuncios campana "
    "compte comptes publicite publications abonnes konto konten seite seiten werbung beitrage "
    "follower kanal ads, me us it this that my your our their".split()
)
_HANDLE_TOKEN = r"@?[a-z0-9_][\w.\-]{1,40}(?:#\d{4})?"
_I_U = re.IGNORECASE | re.UNICODE
_AT_HANDLE = re.compile(r"(?<![\w.@/])@[a-z_][\w]*(?:\.[\w]+)*", _I)
_SKYPE_ID = re.compile(r"\blive\s*:\s*[\w.\-]{2,}", _I)
_PLATFORM_THEN_TOKEN = re.compile(
    rf"(?<![\w.])(?P<platform>{_PLATFORMS}|{_SHORT_PLATFORMS}|{_HE_PLATFORMS})"
    rf"(?P<idword>\s*(?:id|handle|user\s?name|usuario|nombre|pseudo|benutzername|name|account|cuenta|compte|"
    rf"konto|number|numero|nummer|no\.?|#)\b)?"
    rf"(?P<sep>\s*[:=>\-–→]+\s*|\s+(?:is|es|est|c'est|ist|זה|הוא|:)\s+|\s+)(?P<token>{_HANDLE_TOKEN})",
    _I_U,
)
_INVITES = [
    # "whatsapp me", "skype me"
    re.compile(r"\b(?:whats\s?app|telegram|skype|viber|wechat|snapchat|kik|discord)\s+me\b", _I),
    # "reach me on telegram", "add me via skype", "hit me up on insta", "find me on ig"
    re.compile(
        r"\b(?:contact|reach|message|msg|text|call|add|find|ping|dm|pm|hit|follow|e-?mail|mail|write\s+to|"
        rf"talk\s+to|chat\s+with)\s+(?:me|us)\s+(?:up\s+)?(?:on|via|at|through|over|in|using)\s+(?:{_PLATFORMS}|"
        rf"{_SHORT_PLATFORMS})\b",
        _I,
    ),
    # Spanish, French, German: "escríbeme por whatsapp", "écrivez-moi sur telegram", "schreib mir auf insta"
    re.compile(
        r"\b(?:escr[ií]beme|escribidme|cont[aá]ctame|contactame|ll[aá]mame|m[aá]ndame|agr[eé]game|s[ií]gueme|"
        r"h[aá]blame|encu[eé]ntrame|b[uú]scame|contactez-moi|[ée]crivez-moi|[ée]cris-moi|appelez-moi|"
        r"ajoutez-moi|ajoute-moi|suivez-moi|suis-moi|retrouvez-moi|contacte-moi|schreib(?:t|en sie)?\s+mir|"
        r"kontaktiere?\s+mich|kontaktieren\s+sie\s+mich|ruf(?:t|en sie)?\s+mich|folg(?:e|t)?\s+mir|"
        r"adde?\s+mich|find(?:e|et)?\s+mich|erreich(?:en sie|st du)?\s+mich)"
        rf"\s+(?:\w+\s+){{0,2}}?(?:por|en|a\s+trav[eé]s\s+de|sur|par|via|auf|per|über|uber|bei|unter)\s+"
        rf"(?:{_PLATFORMS}|{_SHORT_PLATFORMS})\b",
        _I,
    ),
    # Hebrew: "דברו איתי בוואטסאפ", "שלחו לי הודעה בטלגרם", "צרו קשר בוואטסאפ"
    re.compile(
        r"(?:דברו|דבר|דברי|כתבו|כתוב|כתבי|שלחו|שלח|שלחי|צרו|צור|צרי|תכתבו|תשלחו|תדברו|עקבו|הוסיפו)"
        r"[^.!?\n]{0,25}?(?:ב|דרך\s+ה?|ל)(?:וואטסאפ|ווטסאפ|וואצאפ|ווצאפ|טלגרם|אינסטגרם|אינסטה|פייסבוק|סקייפ|"
        r"טיקטוק|סנאפ|דיסקורד)",
    ),
    # "my skype is", "our whatsapp number", "mi instagram es", "mon insta", "mein telegram", "האינסטגרם שלי"
    re.compile(
        rf"\b(?:my|our|mi|mis|nuestro|nuestra|mon|ma|mes|notre|mein|meine|meinen|unser|unsere)\s+"
        rf"(?:{_PLATFORMS}|{_SHORT_PLATFORMS})\s*(?:id|handle|user\s?name|number|numero|nummer|no\b|"
        r"account|cuenta|compte|konto|profile|perfil|profil|channel|is\b|es\b|est\b|ist\b|:)",
        _I,
    ),
    re.compile(rf"{_HE_PLATFORMS}\s+(?:שלי|שלנו)"),
    # messenger with a number or an id: "skype: john.doe", "WhatsApp: +1 555...", "telegram id = jdoe"
    re.compile(
        r"\b(?:whats\s?app|telegram|skype|viber|wechat|snapchat|kik|discord|signal)\s*"
        r"(?:id|handle|user\s?name|number|no\.?|#)?\s*[:=]\s*[@+]?[\w.\-]{3,}",
        _I,
    ),
]
# "dana_builds on instagram", "lucia.disena en insta"
_HANDLE_ON_PLATFORM = re.compile(
    rf"(?<![\w.@]){_SHAPED}\s+(?:on|at|in|en|sur|auf|bei|ב)\s*(?:{_PLATFORMS}|ig|insta|fb|tg|snap)\b", _I)
_AMBIGUOUS_PLATFORMS = frozenset({"x", "line", "signal", "threads", "li", "tw", "dc", "sc", "tele", "whats",
                                   "wa", "kik", "vk"})


def _handle_spans(text: str) -> Iterator[tuple[int, int]]:
    for regex in (_AT_HANDLE, _SKYPE_ID, _HANDLE_ON_PLATFORM, *_INVITES):
        for m in regex.finditer(text):
            yield m.span()
    for m in _PLATFORM_THEN_TOKEN.finditer(text):
        token = m.group("token").rstrip(".-")
        plain = token.lstrip("@")
        if plain.lower() in _NOT_HANDLES or plain.isdigit() and len(plain) < 5:
            continue
        explicit = ":" in m.group("sep") or "=" in m.group("sep") or token.startswith("@")
        shaped = (re.search(r"[a-z][\w.]*[_\d.#]|_", plain, _I) is not None
                  and not re.fullmatch(r"\d+[a-z]{0,2}", plain, _I))
        short = m.group("platform").lower() in _BARE_ABBREVIATIONS and not m.group("sep").strip()
        said = re.search(r"\s(?:is|es|est|c'est|ist|זה|הוא)\s", m.group("sep"), _I) is not None
        platform = m.group("platform").lower()
        if platform in _AMBIGUOUS_PLATFORMS and not (m.group("idword") or token.startswith("@")
                                                     or (explicit or said) and shaped):
            continue  # also ordinary words: only "x: @name", "line id: ..." count
        if explicit or said or shaped or short:
            yield m.start(), m.start() + len(m.group()) - (len(m.group("token")) - len(token))


# When findings overlap, the merged one takes the most specific kind: "whatsapp: 052-1234567" is a
# phone number, "Facebook: dana.builds.studio" a handle (not a link).
_SPECIFIC = [ContactKind.EMAIL, ContactKind.PHONE, ContactKind.HANDLE, ContactKind.LINK]


# -- the scan ------------------------------------------------------------------------------------
def scan(text: str) -> list[Finding]:
    """Every contact detail in ``text`` (W2), in order, overlapping findings merged (the first
    kind found at a place wins: an e-mail is not also its domain)."""
    if not text:
        return []
    mapped = normalise(text)
    norm = mapped.text
    raw: list[tuple[int, int, ContactKind]] = []
    for m in _EMAIL.finditer(norm):
        if "@" in m.group() or _host_ok(m, m.group("tld")):
            raw.append((m.start(), m.end(), ContactKind.EMAIL))
    for m in _PLAIN_EMAIL.finditer(norm):
        raw.append((m.start(), m.end(), ContactKind.EMAIL))
    for m in _PROVIDER_EMAIL.finditer(norm):
        raw.append((m.start(), m.end(), ContactKind.EMAIL))
    for m in _URL.finditer(norm):
        raw.append((m.start(), m.start() + len(m.group().rstrip(_TRAILING_PUNCT)), ContactKind.LINK))
    for m in _DOMAIN.finditer(norm):
        if _host_ok(m, text[mapped.span(*m.span("tld"))[0]:mapped.span(*m.span("tld"))[1]]):
            raw.append((m.start(), m.start() + len(m.group().rstrip(_TRAILING_PUNCT)), ContactKind.LINK))
    for start, end in _phone_spans(norm, mapped.spelled):
        raw.append((start, end, ContactKind.PHONE))
    for start, end in _handle_spans(norm):
        raw.append((start, end, ContactKind.HANDLE))
    merged: list[tuple[int, int, ContactKind]] = []
    for start, end, kind in sorted(raw, key=lambda r: (r[0], -r[1])):
        if merged and start < merged[-1][1]:
            # "whatsapp: 052-1234567" is a phone number: a handle is the least specific kind
            first = merged[-1][2]
            better = kind if _SPECIFIC.index(kind) < _SPECIFIC.index(first) else first
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), better)
        else:
            merged.append((start, end, kind))
    findings = []
    for start, end, kind in merged:
        o_start, o_end = mapped.span(start, end)
        snippet = text[o_start:o_end].strip()
        if snippet:
            findings.append(Finding(kind, o_start, o_end, snippet))
    return findings


def find_contact_details(text: str) -> list[str]:
    """The snippets of ``text`` that are contact details (W2/G6), in order; [] when clean."""
    return [f.snippet for f in scan(text)]


def has_contact_details(text: str) -> bool:
    return bool(scan(text))


def describe(findings: list[Finding]) -> str:
    """The kinds found, for a refusal: 'a phone number and an e-mail address' (never the text)."""
    kinds = list(dict.fromkeys(f.kind for f in findings))
    names = [("an " if k is ContactKind.EMAIL else "a ") + k.value for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def contact_details_error(path: str, text: str) -> FieldError | None:
    """W2: the one check every free text people write to each other or publish goes through."""
    findings = scan(text)
    if not findings:
        return None
    return FieldError(path, f"must not contain contact details (found {describe(findings)})",
                      "contact_details", "W2")


def text_field_errors(path: str, text: str, *, maximum: int, rule: str | None,
                      required: bool = True) -> list[FieldError]:
    """A free-text field people write to each other: present (when ``required``), at most
    ``maximum`` characters, and no contact details (W2). ``rule`` names the field's own rule."""
    errors = []
    if required and not text.strip():
        errors.append(FieldError(path, "is required", "required", rule))
    if len(text) > maximum:
        errors.append(FieldError(path, f"must be at most {maximum} characters", "too_long", rule))
    found = contact_details_error(path, text)
    if found is not None:
        errors.append(found)
    return errors
