r"""PII guard: resume text → the same text with contact details, identity numbers, birth dates
and the candidate's name redacted.

Resumes are meant to arrive anonymised; this guard makes sure before anything is stored. It is
offline (regular expressions compiled once, no model) and reports how many of each kind it
replaced, never the values. Its recall per kind and its false positives on benign look-alikes
are measured by ``scripts/evaluate_pii.py`` over a generated set (``tests/pii_cases.py``).
Measured on that set before these rules were written: Presidio's pattern recognizers (no NLP
engine) with ``phonenumbers`` changed 76 of 134 benign texts (years, versions, ISO numbers read
as dates and phones) and their URL and e-mail recognizers fetch the public-suffix list over the
network; ``phonenumbers`` alone (strict) found 64-79% of the phones (it needs a home region
for local numbers) and at lenient settings matched versions and year ranges. Neither is used.
Kinds and their placeholders (:data:`PLACEHOLDERS`):

- ``email``: ``jane.doe@example.com``, ``jane [at] example [dot] com``, ``jane AT example DOT
  com``, ``jane.doe at gmail.com`` → ``[EMAIL]``
- ``profile_url``: LinkedIn, GitHub, Indeed, X/Twitter, Mastodon (``@jane@hachyderm.io``) and
  similar profile links; any URL after ``Website:``/``Portfolio:``, or alone in the header
  block; a user name after ``Skype:``/``GitHub:`` … → ``[PROFILE]``
- ``handle``: ``@jane_doe`` → ``[HANDLE]``; not npm scopes (``@aws-sdk/client-s3``),
  decorators (``@app.route(``), annotations (``@Override``), ``@re:Invent`` or ``99.9% @ p95``
- ``phone``: international (``+44 20 7946 0958``, ``0044 20 7946 0958``), local
  (``(415) 555-0132``, ``0176 12345671``, ``06-12345678``, ``8 (495) 123-45-67``) and anything
  labelled ``Tel``/``Phone``/``Mobile`` → ``[PHONE]``; not counts such as
  ``+1 200 000 000 requests``
- ``address``: a house number and street (``221B Baker Street``, ``41 Wallaby Way``,
  ``Hauptstraße 12``, ``Am Markt 3``, ``12 rue de la Paix``, ``Via Roma 10``, ``Keizersgracht
  123``), and postcodes (``SW1A 2AA``, ``NY 10118``, ``, 10115 Berlin``) → ``[ADDRESS]``
- ``dob``: a date or year after ``DOB``, ``date of birth``, ``Geburtsdatum``, ``né le`` … →
  label kept, date ``[DOB]``; ``born in 2016`` only when it is the candidate who was born
- ``national_id``: see :mod:`pipeline.ingest.pii_ids` → ``[ID]``
- ``name``: the candidate's name on the first line of the header block, or after ``Name:``
  → ``[NAME]``; see :mod:`pipeline.ingest.pii_names`

Technology and figures are left alone: ``Route 53``, ``S3``, ``Python 3.11``, ``2019 - 2021``,
``01/2020 - Present``, ``99.95%``, ``10.0.0.0/16``, ``ISO 27001``.

>>> r = redact("Jane Doe\njane@example.com | +44 20 7946 0958 | github.com/janedoe")
>>> r.text
'[NAME]\n[EMAIL] | [PHONE] | [PROFILE]'
>>> r.counts["email"], r.counts["phone"], r.counts["profile_url"], r.counts["name"], r.total
(1, 1, 1, 1, 4)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from pipeline.ingest.pii_ids import ID_BARE, ID_LABELLED, is_bare_id
from pipeline.ingest.pii_names import redact_names

__all__ = ["PII_KINDS", "PLACEHOLDERS", "Redaction", "redact"]

PII_KINDS: tuple[str, ...] = (
    "email", "profile_url", "handle", "phone", "address", "dob", "national_id", "name",
)
PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]", "profile_url": "[PROFILE]", "handle": "[HANDLE]", "phone": "[PHONE]",
    "address": "[ADDRESS]", "dob": "[DOB]", "national_id": "[ID]", "name": "[NAME]",
}  # fmt: skip


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many values of each kind (every one of PII_KINDS) it replaced."""

    text: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    #: Decides on the matched value; False leaves it as it is (a date range, an annotation).
    accept: Callable[[str], bool] | None = None
    #: The regex group that holds the value; text outside it (a label) is kept.
    group: int = 0


_PROFILE_HOSTS = (
    r"linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|twitter\.com|x\.com|"
    r"stackoverflow\.com|medium\.com|facebook\.com|instagram\.com|dev\.to|behance\.net|"
    r"dribbble\.com|kaggle\.com|t\.me|wa\.me|xing\.com|mastodon\.social|bsky\.app|threads\.net|"
    r"indeed\.com|angel\.co|wellfound\.com|leetcode\.com|hackerrank\.com|researchgate\.net|"
    r"scholar\.google\.com|orcid\.org|about\.me|linktr\.ee|vk\.com|weibo\.com"
)
_URL_TAIL = r"[^\s,;|<>()\[\]\"']*[^\s,;|<>()\[\]\"'.:!?]"
_PROFILE_URL = re.compile(
    rf"(?<![\w.@/-])(?:https?://)?(?:[\w-]+\.)?(?:{_PROFILE_HOSTS})/{_URL_TAIL}"
    r"|(?<![\w@])@[A-Za-z0-9_]{1,30}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    re.IGNORECASE,
)
#: "Website: janedoe.dev", "Skype: jane.doe42", "GitHub - jdoe"; group 1 is the value.
_PROFILE_LABELLED = re.compile(
    r"(?i:\b(?:web[ \t]?site|homepage|home[ \t]+page|portfolio|blog|skype|telegram|github"
    r"|gitlab|twitter|instagram|linkedin|wechat|discord|signal|kaggle)\b)"
    r"(?:[ \t]*:[ \t]*|[ \t]+[-–][ \t]+)(@?[\w][\w.@/:+-]*[\w/])"
)
#: A bare site on a line of the header block: "https://janedoe.dev", "www.janedoe.io".
_SITE = re.compile(
    r"(?<![\w.@/-])(?:https?://|www\.)(?:[\w-]+\.)+[a-z]{2,}/?"
    r"(?![\w.@/-])", re.IGNORECASE,
)
_TLD = r"(?:com|org|net|edu|gov|io|dev|me|info|biz|co|[a-z]{2})"
#: An "at" no ordinary sentence has: [at], (at), {@}, -at-, " @ ".
_AT = r"(?:\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+-at-\s+|\s+@\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+-dot-\s+|\s+(?:dot|DOT)\s+|\s+\.\s+|\.)"
_WORD_DOT = r"\s+(?:dot|DOT)\s+"
_MAIL_HOSTS = (r"gmail|googlemail|yahoo|hotmail|outlook|live|icloud|aol|proton(?:mail)?|gmx"
               r"|yandex|rediffmail|zoho|fastmail")
_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
    # jane [at] example [dot] com, jane -at- example -dot- com, jane @ example . com
    rf"|(?<![\w.+-])[\w.+-]+(?:{_DOT}[\w-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b"
    # jane AT example DOT com, jane dot doe at gmail dot com: a plain "at" needs a plain "dot"
    rf"|(?<![\w.+-])[\w.+-]+(?:{_WORD_DOT}[\w-]+)*\s+(?:at|AT)\s+[\w-]+(?:{_WORD_DOT}[\w-]+)*"
    rf"{_WORD_DOT}{_TLD}\b"
    # jane.doe at gmail.com: a plain "at" before a mail provider
    rf"|(?<![\w.+-])[\w.+-]+\s+(?:at|AT)\s+(?i:{_MAIL_HOSTS})\.{_TLD}(?:\.{_TLD})?\b",
)
_HANDLE = re.compile(
    r"(?<![\w@.%/])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?(?![\w/(@:-]|\.\w)"
)
#: Annotations and decorators a developer's resume names; never someone's handle.
_NOT_HANDLES: frozenset[str] = frozenset({
    "override", "transactional", "autowired", "component", "service", "repository",
    "controller", "restcontroller", "entity", "bean", "configuration", "inject", "injectable",
    "test", "dataclass", "property", "staticmethod", "classmethod", "abstractmethod",
    "lru_cache", "cache", "task", "flow", "pytest", "input", "output", "deprecated", "types",
    "aws", "aws-sdk", "angular", "babel", "nestjs", "vue", "here", "channel", "everyone",
    "mention", "scale", "home", "work", "example", "media", "import", "font-face", "keyframes",
})  # fmt: skip

_SEP = r"[ \t.\-\u2010-\u2012]"  # what people put between groups of a phone number
#: Labelled: "Tel: 555 0132", "Mobile - +49 176 1234 5678"; the label is kept.
_PHONE_LABELLED = re.compile(
    r"(?i:\b(?:tel|telephone|phone|mobile|mob|cell|whatsapp|fax|handy|téléphone|teléfono"
    r"|telefon|telefono|móvil|portable)\b\.?[ \t]*(?:\(\w+\))?"
    r"[ \t]*[:\-–]?)[ \t]*(\+?\(?\d[\d \t().\-]{5,}\d)"
)
_PHONES: tuple[re.Pattern[str], ...] = (
    # international: +44 20 7946 0958, +1 (415) 555-0132, +44 (0)20 7946 0958, 0044 20 …
    re.compile(rf"(?<![\w+])(?:\+|00{_SEP}?)\d{{1,3}}{_SEP}?(?:\(0\){_SEP}?)?"
               rf"(?:\(\d{{1,5}}\){_SEP}?)?\d{{1,5}}(?:{_SEP}?\d{{1,8}}){{1,5}}(?![\w%])"),
    # local with an area code in brackets: (415) 555-0132, (11) 91234-5678, 8 (495) 123-45-67
    re.compile(rf"(?<![\w)])(?:8{_SEP}?)?\(\d{{2,5}}\){_SEP}?\d{{3,5}}(?:{_SEP}?\d{{2,5}}){{1,2}}"
               r"(?![\w%])"),
    # North American: 415-555-0132, 415.555.0132, 415 555 0132
    re.compile(r"(?<![\w.+-])\d{3}([.\- ])\d{3}\1\d{4}(?![\w%]|[.\-]\d)"),
    # a trunk 0 then groups: 020 7946 0958, 0176 12345671, 06-12345678, 06 12 34 56 78
    re.compile(rf"(?<![\w.+/-])0\d{{1,5}}(?:{_SEP}\d{{2,8}}){{1,4}}(?![\w%/]|[.\-]\d)"),
    # a Spanish or Italian mobile in threes: 612 345 678, 347 123 4567
    re.compile(r"(?<![\w.+/-])[367]\d{2}( )\d{3}\1\d{3,4}(?![\w%/]|[.\-]\d)"),
)


def _is_phone(value: str, least: int = 9) -> bool:
    """Between ``least`` and 15 digits (E.164), and neither a year range (2019 - 2021) nor a
    round count (``+1 200 000 000``: two or more groups of zeros)."""
    digits = sum(ch.isdigit() for ch in value)
    groups = re.findall(r"\d+", value)
    return (least <= digits <= 15
            and not re.search(r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d", value)
            and sum(set(g) == {"0"} and len(g) >= 3 for g in groups) < 2)


_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Square|"
    r"Sq|Terrace|Way|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Mews|Grove|Walk|"
    r"Circle|Cir|Trail|Plaza"
)
_UNIT = r"(?:(?i:flat|apt\.?|apartment|suite|unit|floor)[ \t]+\w{1,5},?[ \t]+)?"
_NUMBER_FIRST = (
    # 221B Baker Street, 1600 Pennsylvania Ave NW, Flat 2, 14 Church Lane, 12, 3rd Cross
    rf"{_UNIT}(?<![\d.])\b\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}})*,?[ \t]+"
    rf"(?:(?:[A-Z0-9][\w'’.-]*[ \t]+){{1,4}}(?i:{_STREET_TYPES})\b\.?"
    r"|\d{1,2}(?:st|nd|rd|th)[ \t]+(?:Cross|Main)(?:[ \t]+Road)?\b)"
    r"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    r"(?:,?[ \t]+(?i:apt\.?|suite|unit|flat)[ \t]+\w{1,5})?"
)
_NAME_FIRST = (
    # Hauptstraße 12, Keizersgracht 123, Storgatan 4, Am Markt 3, An der Alster 5
    r"\b(?:[A-ZÄÖÜ][\wäöüß-]*[ \t]+)?[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz"
    r"|allee|ring|damm|ufer|straat|gracht|laan|plein|kade|singel|dijk|gatan|vägen|gade|vej"
    r"|veien|katu|tie)[ \t]+\d{1,4}[a-z]?\b"
    r"|\b(?:Am|An[ \t]+der|Im|Auf[ \t]+der|Zum|Zur)[ \t]+[A-ZÄÖÜ][\wäöüß-]+[ \t]+\d{1,4}[a-z]?\b"
)
_ROMANCE = (
    # 12 rue de la Paix, 5, avenue des Champs-Élysées
    r"\b\d{1,4}[a-z]?,?[ \t]+(?:bis[ \t]+|ter[ \t]+)?(?i:rue|avenue|boulevard|bd|calle|via|rua"
    r"|chemin|avenida|allée|quai|impasse|place)[ \t]+(?:[\w'’-]+[ \t]+){0,3}[A-Z][\w'’-]+"
    # Calle Mayor 5, Via Roma 10, Piazza Navona 1, C/ Alcalá 45, 3º B, Av. Paulista, 1578
    r"|\b(?:Calle|C/|Avenida|Av\.|Avda\.|Paseo|Plaza|Carrer|Via|Viale|Piazza|Corso|Largo|Rua"
    r"|Travessa|Praça|Rue|Ulica|ul\.)[ \t]+(?:[\w'’.-]+[ \t]+){0,3}?[\w'’.-]+,?[ \t]+\d{1,5}"
    r"(?:[a-z]\b|,[ \t]*\d{1,2}[º°ª](?:[ \t]*[A-Z]\b)?)?"
    # 1-2-3 Shibuya (a Japanese block number), PO Box 1234
    r"|\b\d{1,2}-\d{1,2}-\d{1,3}[ \t]+[A-Z][a-z]+\b|\b(?i:P\.?O\.?[ \t]+Box)[ \t]+\d{1,6}\b"
)
_ADDRESS = re.compile(f"{_NUMBER_FIRST}|{_NAME_FIRST}|{_ROMANCE}")
_US_STATES = (
    r"AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    r"|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
#: Postcodes with a shape of their own, or after a city/address and a comma.
_POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}\b"  # UK: SW1A 2AA
    r"|\b[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z][ \t]\d[A-CEGHJ-NPR-TV-Z]\d\b"  # Canada
    rf"|(?<=\b(?:{_US_STATES})[ \t])\d{{5}}(?:-\d{{4}})?\b"  # US: NY 10118
    r"|(?<=\b(?:NSW|VIC|QLD|TAS|ACT)[ \t])\d{4}\b"  # Australia
    r"|(?<=\[ADDRESS\],[ \t])\d{4,5}(?:[ \t][A-Z]{2})?(?=[ \t][A-ZÀ-Ý])"  # , 10115 Berlin
    r"|(?<=[a-z],[ \t])\d{4}[ \t][A-Z]{2}(?=[ \t][A-Z])"  # NL: 1015 CJ Amsterdam
    r"|〒[ \t]?\d{3}-\d{4}"  # Japan
    , re.MULTILINE,
)
#: A six-digit (India) or 123-4567 (Japan) postcode after a city: "Bengaluru 560038".
_CITY_POSTCODE = re.compile(r"\b[A-Z][a-z]{2,}[ \t](?:-[ \t])?(\d{6}|\d{3}-\d{4})(?![\w-])")

_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mär|mai|juni"
    r"|juli|okt|dez|janv|févr|fév|mars|avr|mai|juin|juil|août|sept|déc|enero|febrero|marzo"
    r"|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio"
    r"|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|maart|mei|okt)[a-zéû]*\.?"
)
_DOB_LABEL = (
    r"d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday|year[ \t]+of[ \t]+birth"
    r"|born(?:[ \t]+on)?|geburtsdatum|geb\.|geboren(?:[ \t]+am)?|date[ \t]+de[ \t]+naissance"
    r"|née?[ \t]+le|fecha[ \t]+de[ \t]+nacimiento|nacid[oa][ \t]+el|data[ \t]+di[ \t]+nascita"
    r"|nat[oa][ \t]+il|geboortedatum|geboren[ \t]+op|data[ \t]+de[ \t]+nascimento"
    r"|födelsedatum|fødselsdato|syntymäaika|data[ \t]+urodzenia"
)
_DATE = (
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|\.)?[ \t-]+(?:de[ \t]+)?{_MONTH},?[ \t-]+(?:de[ \t]+)?\d{{4}}"
    rf"|{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}"
)
_DOB = re.compile(
    # a label, then any date or a year: "DOB: 12/03/1988", "Geburtsdatum 1988"
    rf"(?i:(?<![\w-])(?:{_DOB_LABEL})[ \t]*[:\-–]?[ \t]*)"
    rf"((?i:{_DATE}|(?:{_MONTH}[ \t]+)?(?:19[3-9]\d|200\d|201[0-2])))(?![\w/-])"
    # "born in 1988" only where the candidate is the one born: "I was born in", a line start
    rf"|(?i:(?:\bI[ \t]+was[ \t]+|^[ \t]*|[|•·][ \t]*)born[ \t]+in[ \t]+)((?:19[3-9]\d|200\d))\b",
    re.MULTILINE,
)

# Order matters: dates of birth and identity numbers before phone numbers see their digits,
# profile URLs before e-mails and handles see their "@", e-mails before handles, streets
# before their postcodes.
_RULES: tuple[_Rule, ...] = (
    _Rule("dob", _DOB, group=1),
    _Rule("national_id", ID_LABELLED, group=1),
    _Rule("national_id", ID_BARE, accept=is_bare_id),
    _Rule("profile_url", _PROFILE_URL),
    _Rule("email", _EMAIL),
    _Rule("handle", _HANDLE, accept=lambda v: v[1:].lower() not in _NOT_HANDLES),
    _Rule("profile_url", _PROFILE_LABELLED, group=1),
    _Rule("phone", _PHONE_LABELLED, accept=lambda v: _is_phone(v, least=6), group=1),
    *(_Rule("phone", pattern, accept=_is_phone) for pattern in _PHONES),
    _Rule("address", _ADDRESS),
    _Rule("address", _POSTCODE),
    _Rule("address", _CITY_POSTCODE, group=1),
)


def redact(text: str) -> Redaction:
    """Text → :class:`Redaction` with every e-mail, profile URL, handle, phone number, street
    address, identity number, labelled date of birth and header name replaced by its
    placeholder, and the count of each."""
    counts = dict.fromkeys(PII_KINDS, 0)
    for rule in _RULES:
        text = rule.pattern.sub(partial(_replace, rule=rule, counts=counts), text)
    text, sites = _redact_header_sites(text)
    counts["profile_url"] += sites
    text, counts["name"] = redact_names(text, PLACEHOLDERS["name"])
    return Redaction(text, counts)


def _replace(match: re.Match[str], rule: _Rule, counts: dict[str, int]) -> str:
    value = match.group(rule.group)
    if value is None:  # an alternative without this group matched: use the other one
        rule = _Rule(rule.kind, rule.pattern, rule.accept, group=rule.group + 1)
        value = match.group(rule.group)
    if rule.accept is not None and not rule.accept(value):
        return match.group(0)
    counts[rule.kind] += 1
    start, end = (offset - match.start() for offset in match.span(rule.group))
    whole = match.group(0)
    return whole[:start] + PLACEHOLDERS[rule.kind] + whole[end:]


_HEADER_LINES = 6


def _redact_header_sites(text: str) -> tuple[str, int]:
    """A bare site (``https://janedoe.dev``) in the first lines is the candidate's own."""
    lines = text.split("\n")
    head = "\n".join(lines[:_HEADER_LINES])
    head, n = _SITE.subn(PLACEHOLDERS["profile_url"], head)
    return "\n".join([head, *lines[_HEADER_LINES:]]), n
