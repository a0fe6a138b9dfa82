"""PII guard: resume text → the same text with contact details and birth dates redacted.

Resumes are meant to arrive anonymised; this guard makes sure before anything is stored. It is
offline (regular expressions compiled once, no model) and reports how many of each kind it
replaced, never the values. Kinds and their placeholders (:data:`PLACEHOLDERS`):

- ``email``: ``jane.doe@example.com``, ``jane [at] example [dot] com`` → ``[EMAIL]``
- ``profile_url``: LinkedIn, GitHub, GitLab, X/Twitter, Stack Overflow, Medium, Mastodon
  (``@jane@hachyderm.io``) and similar profile links → ``[PROFILE]``
- ``handle``: ``@jane_doe`` → ``[HANDLE]``; not npm scopes (``@aws-sdk/client-s3``),
  decorator calls (``@app.route(``), common annotations (``@Override``) or ``99.9% @ p95``
- ``phone``: international (``+44 20 7946 0958``, ``+1 (415) 555-0132``) and local forms
  (``(415) 555-0132``, ``415-555-0132``, ``020 7946 0958``, ``06 12 34 56 78``) and anything
  labelled ``Tel``/``Phone``/``Mobile`` → ``[PHONE]``
- ``address``: a house number, capitalised street name and street type (``221B Baker
  Street``, ``1600 Pennsylvania Ave``), ``Hauptstraße 12``, ``12 rue de la Paix`` →
  ``[ADDRESS]``
- ``dob``: a date or year after ``DOB``, ``date of birth``, ``born`` → label kept, date
  ``[DOB]``

Technology and figures are left alone: ``Route 53``, ``S3``, ``Python 3.11``, ``2019 - 2021``,
``01/2020 - Present``, ``99.95%``, ``10.0.0.0/16``, ``ISO 27001``.

>>> r = redact("Jane Doe | jane@example.com | +44 20 7946 0958 | github.com/janedoe")
>>> r.text
'Jane Doe | [EMAIL] | [PHONE] | [PROFILE]'
>>> r.counts["email"], r.counts["phone"], r.counts["profile_url"], r.total
(1, 1, 1, 3)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

__all__ = ["PII_KINDS", "PLACEHOLDERS", "Redaction", "redact"]

PII_KINDS: tuple[str, ...] = ("email", "profile_url", "handle", "phone", "address", "dob")
PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]", "profile_url": "[PROFILE]", "handle": "[HANDLE]", "phone": "[PHONE]",
    "address": "[ADDRESS]", "dob": "[DOB]",
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
    r"dribbble\.com|kaggle\.com|t\.me|xing\.com|mastodon\.social|bsky\.app|threads\.net"
)
_PROFILE_URL = re.compile(
    rf"(?<![\w.@/-])(?:https?://)?(?:[\w-]+\.)?(?:{_PROFILE_HOSTS})"
    r"/[^\s,;|<>()\[\]\"']*[^\s,;|<>()\[\]\"'.:!?]"
    r"|(?<![\w@])@[A-Za-z0-9_]{1,30}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
    r"|\b[\w.+-]+\s*[\[(]\s*at\s*[\])]\s*[\w-]+(?:\s*(?:[\[(]\s*dot\s*[\])]|\.)\s*[\w-]+)+",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"(?<![\w@.%/])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?(?![\w/(@-]|\.\w)"
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
    r"(?i:\b(?:tel|telephone|phone|mobile|mob|cell|whatsapp|fax)\b\.?[ \t]*(?:\(\w+\))?"
    r"[ \t]*[:\-–]?)[ \t]*(\+?\(?\d[\d \t().\-]{5,}\d)"
)
_PHONES: tuple[re.Pattern[str], ...] = (
    # international: +44 20 7946 0958, +1 (415) 555-0132, +44 (0)20 7946 0958
    re.compile(rf"(?<![\w+])\+\d{{1,3}}{_SEP}?(?:\(0\){_SEP}?)?(?:\(\d{{1,5}}\){_SEP}?)?"
               rf"\d{{1,5}}(?:{_SEP}?\d{{1,5}}){{1,5}}(?![\w%])"),
    # local with an area code in brackets: (415) 555-0132, (020) 7946 0958
    re.compile(rf"(?<![\w)])\(\d{{2,5}}\){_SEP}?\d{{3,4}}{_SEP}?\d{{3,5}}(?![\w%])"),
    # North American: 415-555-0132, 415.555.0132, 415 555 0132
    re.compile(r"(?<![\w.+-])\d{3}([.\- ])\d{3}\1\d{4}(?![\w%]|[.\-]\d)"),
    # a trunk 0 then groups: 020 7946 0958, 07700 900123, 0176 1234 5678, 06 12 34 56 78
    re.compile(rf"(?<![\w.+/-])0\d{{1,4}}(?:{_SEP}\d{{2,6}}){{1,4}}(?![\w%/]|[.\-]\d)"),
)


def _is_phone(value: str, least: int = 9) -> bool:
    """Between ``least`` and 15 digits (E.164), and not a year range such as 2019 - 2021."""
    digits = sum(ch.isdigit() for ch in value)
    return least <= digits <= 15 and not re.search(r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d",
                                                     value)


_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Square|"
    r"Sq|Terrace|Way|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Mews|Grove|Walk|"
    r"Circle|Cir|Trail|Plaza"
)
_ADDRESS = re.compile(
    # 221B Baker Street, 1600 Pennsylvania Ave NW, 10 Downing St.
    rf"\b\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}})?,?[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){{1,4}}"
    rf"(?:{_STREET_TYPES})\b\.?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    # Hauptstraße 12, Am Lindenweg 4a
    r"|\b(?:[A-ZÄÖÜ][\wäöüß-]*[ \t]+)?[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|"
    r"platz|allee|ring|damm)[ \t]+\d{1,4}[a-z]?\b"
    # 12 rue de la Paix, 5 calle Mayor
    r"|\b\d{1,4}[a-z]?,?[ \t]+(?i:rue|avenue|boulevard|bd|calle|via|rua|chemin|avenida)"
    r"[ \t]+(?:[\w'’-]+[ \t]+){0,3}[A-Z][\w'’-]+"
)

_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
_DOB = re.compile(
    r"(?i:\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|year[ \t]+of[ \t]+birth"
    r"|born(?:[ \t]+on|[ \t]+in)?)[ \t]*[:\-–]?[ \t]*)"
    r"((?i:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{_MONTH},?[ \t]+\d{{4}}"
    rf"|{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}|(?:{_MONTH}[ \t]+)?(?:19|20)\d\d)"
    r"(?![\w/-]))"
)

# Order matters: a date of birth before phone numbers see its digits, profile URLs before
# e-mails and handles see their "@", e-mails before handles.
_RULES: tuple[_Rule, ...] = (
    _Rule("dob", _DOB, group=1),
    _Rule("profile_url", _PROFILE_URL),
    _Rule("email", _EMAIL),
    _Rule("handle", _HANDLE, accept=lambda v: v[1:].lower() not in _NOT_HANDLES),
    _Rule("phone", _PHONE_LABELLED, accept=lambda v: _is_phone(v, least=6), group=1),
    *(_Rule("phone", pattern, accept=_is_phone) for pattern in _PHONES),
    _Rule("address", _ADDRESS),
)


def redact(text: str) -> Redaction:
    """Text → :class:`Redaction` with every e-mail, profile URL, handle, phone number, street
    address and labelled date of birth replaced by its placeholder, and the count of each."""
    counts = dict.fromkeys(PII_KINDS, 0)
    for rule in _RULES:
        text = rule.pattern.sub(partial(_replace, rule=rule, counts=counts), text)
    return Redaction(text, counts)


def _replace(match: re.Match[str], rule: _Rule, counts: dict[str, int]) -> str:
    value = match.group(rule.group)
    if rule.accept is not None and not rule.accept(value):
        return match.group(0)
    counts[rule.kind] += 1
    start, end = (offset - match.start() for offset in match.span(rule.group))
    whole = match.group(0)
    return whole[:start] + PLACEHOLDERS[rule.kind] + whole[end:]
