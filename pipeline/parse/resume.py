"""Parse stage: resume text → ``records.Resume`` with sections and dated roles.

``parse_resume("c1", "EXPERIENCE\\nSenior Developer, Acme — Mar 2022 - Present\\n• Led X")`` →
``Resume(candidate_id="c1", roles=(Role(title="Senior Developer", employer="Acme",
start=date(2022, 3, 1), end=None, current=True, bullets=("Led X",)),))``.

Layout (headings, bullets, wrapped lines) is recognised by ``pipeline.parse.sections``; this module
turns the lines of experience-like sections into roles. A role line is a line with a date range
(``pipeline.parse.dates``) and a short remainder; its title and employer come from that remainder,
in
either order, or from a short line just above it (``Senior Developer`` over ``Acme, Berlin
2019 - 2021``) or, when the dates stand alone, just below it. The part holding a job-title word
(``TITLE_WORDS``) is the title. Roles are only read from experience and from ``other`` (text
before any heading, or under an unlisted heading), never from education, projects or
certifications, whose date ranges are courses and validity periods.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from itertools import groupby

from pipeline.errors import ResumeFormatError
from pipeline.parse.dates import DateRange, find_date_range
from pipeline.parse.reflow import cap_unit, repair_text, split_units
from pipeline.parse.sections import Item, Line, add_item, join_items, split_sections
from pipeline.records import Resume, Role, Section

__all__ = ["TITLE_WORDS", "parse_resume"]

logger = logging.getLogger(__name__)

#: Words that mark the title part of a role line (matched as whole words, plural allowed).
TITLE_WORDS: frozenset[str] = frozenset({
    "engineer", "developer", "programmer", "architect", "manager", "lead", "analyst",
    "consultant", "administrator", "admin", "director", "head", "specialist", "intern",
    "nurse", "teacher", "officer", "scientist", "designer", "technician", "coordinator",
    "owner", "master", "sre", "devops", "cto", "cio", "ciso", "vp", "president", "founder",
    "co-founder", "contractor", "freelancer", "assistant", "tester", "trainee", "apprentice",
    "supervisor", "instructor", "lecturer", "tutor", "professor", "researcher", "advisor",
    "adviser", "strategist", "practitioner", "midwife", "sister", "physician", "therapist",
    "pharmacist", "accountant", "auditor", "clerk", "representative", "chief", "principal",
    "dba", "evangelist", "operator", "associate", "executive", "fellow", "educator",
})  # fmt: skip

#: Parts of a role line that are working arrangements, not employers.
_NOT_EMPLOYER: frozenset[str] = frozenset({
    "remote", "hybrid", "on-site", "onsite", "full-time", "part-time", "contract",
    "freelance", "permanent", "temporary", "fixed-term", "self-employed",
})  # fmt: skip

_ROLE_SECTIONS: tuple[Section, ...] = ("experience", "other")
_PROSE_SECTIONS: tuple[Section, ...] = ("summary", "projects")
_MAX_ROLE_WORDS = 12  # a role line's text besides its dates; longer lines are sentences
_MAX_ROLE_LINE_CHARS = 600  # twelve words and a date range fit many times over
_MAX_UNTITLED_WORDS = 6  # without a title word, only an employer and place fit
_MAX_HEADER_WORDS = 10
_MAX_EMPLOYER_WORDS = 6

_TITLE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, TITLE_WORDS), key=len, reverse=True)) + r")s?\b",
    re.IGNORECASE,
)
_SENTENCE_LEAD_RE = re.compile(r"\b(?:from|between|in|since|during|by|over)\s*[(\[]?$", re.I)
_PART_SPLIT_RE = re.compile(
    r"\s*\|\s*|\s+[-–—/]+\s+|\s*[–—]\s*|\s*[,;·•]\s+|\s{2,}|\s+(?:at|@)\s+|@"
)
#: Lines about studies or certificates: their date ranges are not employment.
_NOT_A_JOB_RE = re.compile(
    r"\b(?:b\.?sc|m\.?sc|b\.?a|m\.?a|b\.?eng|m\.?eng|ph\.?d|mba|b\.?tech|m\.?tech|hnd|pgce"
    r"|gcses?|a-levels?|degree|diploma|bachelor'?s?|master'?s|certified"
    r"|certificat(?:e|es|ion|ions)|course|bootcamp)\b",
    re.IGNORECASE,
)
_PAREN_RE = re.compile(r"\([^()]*\)")
_COMPANY_DOT_RE = re.compile(r"\b(?:inc|ltd|corp|co|llc|plc|gmbh|ag|sa|bv|pty)\.$", re.I)


@dataclass
class _Draft:
    """A role being assembled from its header and following lines."""

    title: str
    employer: str | None
    dates: DateRange
    bullets: list[Item] = field(default_factory=list)


def parse_resume(candidate_id: str, text: str) -> Resume:
    """Resume text → ``Resume`` with each section's lines and the dated roles in document order.

    Raises ``ResumeFormatError(candidate_id, "no text content")`` when the text holds no letters
    or digits outside headings. Bullet characters, blank lines, line endings and the order of
    sections do not change the result (roles keep document order).
    """
    text = repair_text(text)
    lines = [line for line in split_sections(text, _is_role_line) if _has_content(line.text)]
    if not lines:
        raise ResumeFormatError(candidate_id, "no text content", code="no_text")
    found: dict[Section, list[str]] = {}
    roles: list[Role] = []
    for section, run in groupby(lines, key=lambda line: line.section):
        block = list(run)
        if section in _ROLE_SECTIONS:
            drafts, loose = _assemble_roles(block)
            roles.extend(_to_role(draft) for draft in drafts)
            if section == "experience" and _prose(loose):
                # Work described without a recognisable dated header is still work.
                roles.append(Role(title="", employer=None, start=None, end=None,
                                  current=False, bullets=tuple(_units_of(loose))))
            else:
                found.setdefault("other", []).extend(_texts(loose))
        elif section in _PROSE_SECTIONS:
            found.setdefault(section, []).extend(_units_of(join_items(block)))
        elif section == "skills":
            found.setdefault(section, []).extend(
                piece for text in _texts(join_items(block)) for piece in cap_unit(text))
        else:
            found.setdefault(section, []).extend(_texts(join_items(block)))
    logger.debug("parsed %s: %d roles", candidate_id, len(roles))
    sections = {name: tuple(texts) for name, texts in found.items()}
    return Resume(candidate_id=candidate_id, roles=tuple(roles), **sections)


def _has_content(text: str) -> bool:
    """True when the text has at least one letter or digit."""
    return any(char.isalnum() for char in text)


def _texts(items: list[Item]) -> list[str]:
    """Items → their texts with runs of spaces collapsed."""
    return [" ".join(item.text.split()) for item in items if _has_content(item.text)]


def _units_of(items: list[Item]) -> list[str]:
    """Items of prose → one text per sentence or run-together bullet (``split_units``)."""
    return [unit for text in _texts(items) for unit in split_units(text)]


def _prose(items: list[Item]) -> bool:
    """Whether loose experience lines hold work written out (a line of 4+ words)."""
    return any(sum(1 for word in item.text.split() if any(c.isalpha() for c in word)) >= 4
               for item in items)


def _has_title_word(text: str) -> bool:
    return _TITLE_RE.search(text) is not None


def _clean_part(part: str) -> str:
    """Strip separators and unmatched brackets from one part of a role line."""
    part = part.strip(" \t-–—:*_\"'|,;")
    for opening, closing in ("()", "[]"):
        if part.endswith(closing) and opening not in part:
            part = part[:-1]
        if part.startswith(opening) and closing not in part:
            part = part[1:]
    return part.strip(" -–—:,")


def _split_parts(text: str) -> list[str]:
    """``"Acme Corp | Senior Developer (Payments)"`` → ``["Acme Corp", "Senior Developer
    (Payments)"]``."""
    # Separators inside brackets belong to the part: "Acme (payments, EU)" stays whole.
    text = _PAREN_RE.sub(lambda m: m.group(0).replace(",", "\0").replace("|", "\1"), text)
    pieces = (_clean_part(part) for part in _PART_SPLIT_RE.split(text))
    return [p.replace("\0", ",").replace("\1", "|") for p in pieces if _has_content(p)]


def _role_dates(text: str, *, bulleted: bool = False) -> tuple[DateRange, list[str]] | None:
    """(dates, header parts) when ``text`` is a role line, else None.

    ``"Acme | Developer | 2019 – 2022"`` → (2019–2022, ["Acme", "Developer"]);
    ``"Cut cost from 2019 to 2021 by 40%"`` → None (the dates sit inside a sentence).
    """
    if len(text) > _MAX_ROLE_LINE_CHARS:  # no role line is that long; skip the date search
        return None
    dates = find_date_range(text)
    if dates is None or _SENTENCE_LEAD_RE.search(text[: dates.span[0]]):
        return None
    remainder = f"{text[: dates.span[0]]} | {text[dates.span[1] :]}"
    remainder = re.sub(r"[(\[{]\s*(?:\|\s*)*[)\]}]", " | ", remainder)
    parts = _split_parts(remainder)
    words = sum(len(part.split()) for part in parts)
    titled = any(_has_title_word(part) for part in parts)
    if words > (_MAX_ROLE_WORDS if titled else _MAX_UNTITLED_WORDS):
        return None
    if not titled and (bulleted or any(_NOT_A_JOB_RE.search(part) for part in parts)):
        return None
    return dates, parts


def _is_role_line(text: str) -> bool:
    return _role_dates(text) is not None


def _is_header(text: str) -> bool:
    """A short line that can name a title or employer: no sentence end, ≤ 10 words."""
    words = text.split()
    if not words or len(words) > _MAX_HEADER_WORDS or text[:1].islower():
        return False
    if _NOT_A_JOB_RE.search(text):
        return False
    return not text.rstrip().endswith((".", "!", "?")) or bool(_COMPANY_DOT_RE.search(text))


def _is_employer(text: str) -> bool:
    """A header line that can be an employer: ≤ 6 words, no title word, no label colon."""
    return (
        _is_header(text)
        and len(text.split()) <= _MAX_EMPLOYER_WORDS
        and ":" not in text
        and not _has_title_word(text)
    )


def _back_candidates(items: list[Item]) -> list[str]:
    """The last (up to two) items that are plain header lines, oldest first."""
    found: list[str] = []
    for item in reversed(items[-2:]):
        if item.bulleted or item.joined or not _is_header(item.text):
            break
        found.insert(0, item.text)
    return found


def _ahead_candidates(lines: list[Line], index: int) -> list[str]:
    """The next (up to two) lines after ``index`` that are plain header lines."""
    found: list[str] = []
    for line in lines[index + 1 : index + 3]:
        if line.bulleted or not _is_header(line.text) or _is_role_line(line.text):
            break
        found.append(line.text)
    return found


def _choose_header(parts: list[str], back: list[str], ahead: list[str]) -> tuple[int, int]:
    """How many back lines (from the end) and ahead lines (from the start) name this role."""
    has_title = any(_has_title_word(part) for part in parts)
    if has_title:
        has_employer = len(parts) > 1
        return (1 if not has_employer and back and _is_employer(back[-1]) else 0), 0
    titled_back = [i for i, text in enumerate(back) if _has_title_word(text)]
    if titled_back:
        start = titled_back[-1]
        takes_employer = bool(parts) or start + 1 < len(back)
        if not takes_employer and start > 0 and _is_employer(back[start - 1]):
            start -= 1
        return len(back) - start, 0
    titled_ahead = [i for i, text in enumerate(ahead) if _has_title_word(text)]
    if titled_ahead:
        used = titled_ahead[0] + 1
        if not parts and used == 1 and len(ahead) > 1 and _is_employer(ahead[1]):
            used = 2
        return 0, used
    if parts:
        return 0, 0
    return (len(back), 0) if back else (0, len(ahead))


def _title_and_employer(own: list[str], nearby: list[str]) -> tuple[str, str | None]:
    """Header parts → (title, employer): the first part with a title word is the title, the
    first other part the employer, preferring the date line's ``own`` parts for the employer
    (``Staff Nurse, ICU`` over ``District hospital  2012 - 2018``: the hospital employs)."""
    parts = nearby + own
    title_index = next((i for i, part in enumerate(parts) if _has_title_word(part)), 0)
    title = parts[title_index] if parts else ""
    others = [
        part
        for i, part in enumerate(parts)
        if i != title_index and part.lower() not in _NOT_EMPLOYER
    ]
    candidates = [part for part in others if part in own] or others
    return title, candidates[0] if candidates else None


def _assemble_roles(lines: list[Line]) -> tuple[list[_Draft], list[Item]]:
    """Lines of one experience-like block → (roles, lines outside any role)."""
    drafts: list[_Draft] = []
    loose: list[Item] = []
    group_employer: str | None = None
    skip: set[int] = set()
    for index, line in enumerate(lines):
        if index in skip:
            continue
        target = drafts[-1].bullets if drafts else loose
        found = _role_dates(line.text, bulleted=line.bulleted)
        if found is None:
            add_item(target, line)
            continue
        dates, parts = found
        back, ahead = _back_candidates(target), _ahead_candidates(lines, index)
        used_back, used_ahead = _choose_header(parts, back, ahead)
        back_parts = [p for text in back[len(back) - used_back :] for p in _split_parts(text)]
        ahead_parts = [p for text in ahead[:used_ahead] for p in _split_parts(text)]
        header = back_parts + parts + ahead_parts
        next_is_role = index + 1 < len(lines) and _is_role_line(lines[index + 1].text)
        del target[len(target) - used_back :]
        if not any(_has_title_word(part) for part in header) and header and next_is_role:
            group_employer = header[0]  # "Acme Corp  2016 - 2022" over its promotions
            continue
        skip.update(range(index + 1, index + 1 + used_ahead))
        title, employer = _title_and_employer(parts, back_parts + ahead_parts)
        if employer is None:
            employer = group_employer
        elif employer in back_parts:
            group_employer = employer
        else:
            group_employer = None
        drafts.append(_Draft(title, employer, dates))
    return drafts, loose


def _to_role(draft: _Draft) -> Role:
    """A finished draft → the frozen ``Role`` record."""
    return Role(
        title=" ".join(draft.title.split()),
        employer=" ".join(draft.employer.split()) if draft.employer else None,
        start=draft.dates.start,
        end=draft.dates.end,
        current=draft.dates.current,
        bullets=tuple(_units_of(draft.bullets)),
    )
