"""Repair real resume text before its layout is read: mojibake, lost bullets, flattened lines.

Text extracted from PDFs and web pages reaches the parser damaged in a few recurring ways;
:func:`repair_text` undoes them on the whole text, :func:`split_units` on one bullet:

* mojibake (``â€¢``, ``Ã©``) is repaired by ftfy; bullet glyphs lost to replacement
  characters (``\\ufffd??``) or private-use code points become ``•``;
* bullets run together on one line (``Skills * Python * SQL``) go one a line;
* a date range wrapped over two lines (``Engineer 05/2012 to`` / ``Current Acme | Austin , TX``)
  is joined again, and a role header that runs on into its first sentence is cut after its
  location (``Acme | Austin , TX Responsibilities Led ...``);
* inline sub-headings (``Responsibilities``, ``Accomplishments``, ``Skills Used``) start a
  new line and are dropped; ``company - Acme`` / ``description - Led ...`` labels are removed;
* :func:`split_units` cuts a bullet whose glyphs were lost into one unit per bullet at an
  action verb that starts a new clause without punctuation (``... and acquisitions Closed over
  $70 Million`` → two units), and at sentence ends.

``repair_text("Skills â€¢ AWS â€¢ SQL")`` → ``"Skills\\n• AWS\\n• SQL"``.
"""

from __future__ import annotations

import re

import ftfy

__all__ = ["MAX_UNIT_WORDS", "SUB_HEADINGS", "cap_unit", "repair_text", "split_units"]

#: Labels inside a role that name a part of it, not a section of the resume (lower case).
SUB_HEADINGS: frozenset[str] = frozenset({
    "responsibilities", "key responsibilities", "accomplishments", "key accomplishments",
    "achievements", "key achievements", "duties", "skills used", "highlights", "tasks",
    "roles and responsibilities", "role and responsibilities", "major accomplishments",
})  # fmt: skip

_GARBLED_BULLET_RE = re.compile(r"(?:(?<=^)|(?<=\s))(?:\ufffd[?\ufffd]*|[\ue000-\uf8ff])(?=\s|$)",
                                re.MULTILINE)
_INLINE_BULLET_RE = re.compile(r"(?<=\S)\s+(?:[•●▪■◦‣►▶✓✔➢➤❖☑♦]|\*)\s+(?=\S)")
_LEADING_GLYPH_RE = re.compile(r"^\s*[ñ§]\s+(?=[A-Z])", re.MULTILINE)
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_DATE = rf"(?:\d{{1,2}}/(?:19|20)?\d{{2}}|{_MONTH}\s*'?(?:19|20)?\d{{2}}|(?:19|20)\d{{2}})"
_OPEN_RANGE_RE = re.compile(rf"{_DATE}\s*(?:to|[-–—]|until|till)\s*$", re.IGNORECASE)
_DATE_END_RE = re.compile(rf"{_DATE}\s*$", re.IGNORECASE)
_RANGE_WORD_RE = re.compile(r"^\s*(?:to|[-–—]|until|till)(?:\s+|$)", re.IGNORECASE)
_RANGE_END_START_RE = re.compile(
    rf"^\s*(?:{_DATE}|current|present|now|today|date|till date|ongoing)\b", re.IGNORECASE
)
#: A heading glued to the end of the line before it: "... 20 monthsCompany Details".
_GLUED_HEADING_RE = re.compile(
    r"(?<=[a-z0-9.])(?=(?:[A-Z][a-z]+ )?[A-Z][a-z]+ (?:Details|Experience|History|Summary)\s*$)",
    re.MULTILINE,
)
_LABEL_DASH_RE = re.compile(
    r"^\s*(?:company|description|designation|client|role|duration|location|project)\s*[-–:]\s*",
    re.IGNORECASE | re.MULTILINE,
)
_SUB_HEADING_INLINE_RE = re.compile(
    r"(?<=\S)\s+(?:Key\s+)?(?:Responsibilities|Accomplishments|Achievements|Duties|Skills Used)"
    r"\s*:?\s+(?=[A-Z])"
)
#: A role header's location: "City , State", "Austin, TX", "Pune, Maharashtra".
_LOCATION_RE = re.compile(r"\b[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?\s?,\s?(?:State|[A-Z]{2})\b")
_HAS_RANGE_RE = re.compile(
    rf"{_DATE}\s*(?:to|[-–—]|until|till)\s*(?:{_DATE}|current|present|now|date)", re.IGNORECASE
)


def repair_text(text: str) -> str:
    """Raw resume text → text whose lines a layout reader can use (see the module docstring)."""
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    text = _GARBLED_BULLET_RE.sub("•", text)
    text = _LEADING_GLYPH_RE.sub("• ", text)
    text = _INLINE_BULLET_RE.sub("\n• ", text)
    text = _SUB_HEADING_INLINE_RE.sub("\n", text)
    text = _GLUED_HEADING_RE.sub("\n", text)
    text = _LABEL_DASH_RE.sub("", text)
    lines = _join_wrapped_ranges(text.split("\n"))
    return "\n".join(part for line in lines for part in _cut_header(line))


def _join_wrapped_ranges(lines: list[str]) -> list[str]:
    """``["Engineer 05/2012 to", "Current Acme"]`` → ``["Engineer 05/2012 to Current Acme"]``;
    also ``"05/2012"`` / ``"to"`` / ``"Current"`` over three lines."""
    out: list[str] = []
    for line in lines:
        if out and line.strip():
            last = out[-1]
            if _OPEN_RANGE_RE.search(last) and _RANGE_END_START_RE.match(line):
                out[-1] = f"{last.rstrip()} {line.strip()}"
                continue
            word = _RANGE_WORD_RE.match(line)
            rest = line[word.end():] if word else ""
            if word and _DATE_END_RE.search(last) and (not rest or _RANGE_END_START_RE.match(rest)):
                out[-1] = f"{last.rstrip()} {line.strip()}"
                continue
        out.append(line)
    return out


def _cut_header(line: str) -> list[str]:
    """A role line that runs on past its location into prose → header, then the prose."""
    if not _HAS_RANGE_RE.search(line):
        return [line]
    for match in _LOCATION_RE.finditer(line):
        rest = line[match.end():].strip(" |,-–")
        if len(rest.split()) >= 3 and rest[:1].isupper():
            return [line[: match.end()], rest]
    return [line]


#: Verbs a resume bullet opens with, in the forms written there (capitalised when matched).
_ACTION_VERBS: frozenset[str] = frozenset(
    """manage manages managed lead leads led develop develops developed create creates created
    maintain maintains maintained provide provides provided ensure ensures ensured assist
    assists assisted perform performs performed coordinate coordinates coordinated prepare
    prepares prepared monitor monitors monitored support supports supported train trains
    trained conduct conducts conducted oversee oversees oversaw handle handles handled utilize
    utilizes utilized assign assigns assigned design designs designed implement implements
    implemented build builds built review reviews reviewed analyze analyzes analyzed analyse
    analysed communicate communicates communicated established establish increased increase
    reduced reduce improved improve delivered deliver launched launch migrated migrate
    automated automate negotiated negotiate closed achieved achieve generated generate
    supervised supervise organized organize organised planned plan processed process
    resolved resolve identified identify collaborated collaborate partnered spearheaded
    initiated initiate drove drive directed direct hired recruited mentored acquired
    responsible served serve worked work wrote write produced produce completed complete
    participated participate executed execute administered administer installed install
    configured configure deployed deploy tested test troubleshot troubleshoot
    """.split()
)
_CLAUSE_BREAK_RE = re.compile(r"(?<=[a-z0-9%)])\s+(?=([A-Z][a-z]+)\s+[a-z$0-9])")
_SENTENCE_END_RE = re.compile(r"(?<=[a-z0-9%)][.!?])\s+(?=[A-Z])")
_MIN_UNIT_WORDS = 3
#: A unit longer than this is a flattened list or paragraph; it is cut at commas/semicolons.
MAX_UNIT_WORDS = 40
_LIST_BREAK_RE = re.compile(r"(?<=[,;])\s+")


def split_units(text: str) -> list[str]:
    """One bullet's text → its units: sentences, and bullets run together without glyphs.

    ``"Closed deals worth $2M Trained new hires on the CRM"`` → ``["Closed deals worth $2M",
    "Trained new hires on the CRM"]``; a cut is made only before an action verb that follows
    a lower-case word or a number and leaves at least three words on each side.
    """
    pieces = [p for p in _SENTENCE_END_RE.split(text) if p.strip()]
    units: list[str] = []
    for piece in pieces:
        start = 0
        cuts: list[int] = []
        for match in _CLAUSE_BREAK_RE.finditer(piece):
            if match.group(1).lower() not in _ACTION_VERBS:
                continue
            left = piece[start:match.start()].split()
            right = piece[match.end():].split()
            if len(left) >= _MIN_UNIT_WORDS and len(right) >= _MIN_UNIT_WORDS - 1:
                cuts.append(match.end())
                start = match.end()
        bounds = [0, *cuts, len(piece)]
        spans = zip(bounds, bounds[1:], strict=False)
        units.extend(piece[a:b].strip() for a, b in spans if piece[a:b].strip())
    return [short for unit in units for short in cap_unit(unit)] or [text.strip()]


def cap_unit(unit: str) -> list[str]:
    """A unit of more than MAX_UNIT_WORDS words → pieces of at most that many, cut at commas
    or semicolons where it has them (a flattened list), else between words."""
    words = unit.split()
    if len(words) <= MAX_UNIT_WORDS:
        return [unit]
    pieces: list[str] = []
    current: list[str] = []
    for part in _LIST_BREAK_RE.split(unit):
        size = len(part.split())
        if current and len(" ".join(current).split()) + size > MAX_UNIT_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.append(part)
    pieces.append(" ".join(current))
    return [" ".join(p.split()[i:i + MAX_UNIT_WORDS])
            for p in pieces for i in range(0, len(p.split()), MAX_UNIT_WORDS)]
