"""Split resume text into lines that know their section, bullet and indentation.

This is the layout half of the parse stage: it recognises headings (markdown ``#``, setext
underlines, CAPITALS, Title Case, with or without a colon), bullets and wrapped lines. It knows
nothing about roles; ``pipeline.parse.resume`` assembles those.

``split_sections("SKILLS\\n• AWS, Terraform", is_role_line)`` → ``[Line(text="AWS, Terraform",
section="skills", bulleted=True, indent=0)]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.parse.reflow import SUB_HEADINGS
from pipeline.records import Section

__all__ = ["HEADINGS", "Item", "Line", "add_item", "clean_inline", "heading_section",
           "join_items", "normalise_text", "split_sections"]

#: Heading text (lower case, "&" spelt "and", no punctuation) → the section it opens.
HEADINGS: dict[Section, tuple[str, ...]] = {
    "summary": (
        "summary", "professional summary", "career summary", "executive summary", "profile",
        "professional profile", "personal profile", "career profile", "about", "about me",
        "objective", "career objective", "overview", "summary of qualifications", "introduction",
        "career focus", "career overview", "executive profile", "professional overview",
    ),
    "experience": (
        "experience", "work experience", "work history", "employment", "employment history",
        "professional experience", "career history", "relevant experience", "career",
        "professional background", "experience history", "positions held", "work",
        "clinical experience", "teaching experience", "professional history", "engagements",
        "contract history", "selected engagements", "company details", "experience details",
        "employment details", "work experience details",
    ),
    "skills": (
        "skills", "technical skills", "core competencies", "competencies", "technologies",
        "key skills", "skills and tools", "tools", "tech stack", "areas of expertise",
        "expertise", "skill set", "skillset", "tools and technologies", "technical expertise",
        "skills and technologies", "core skills", "skill details", "skill highlights",
        "core qualifications", "summary of skills", "technical proficiency", "it skills",
    ),
    "certifications": (
        "certifications", "certificates", "certification", "licenses", "licences",
        "licenses and certifications", "certifications and licenses", "credentials",
        "professional registration", "registrations", "accreditations",
    ),
    "education": (
        "education", "education and training", "academic background", "qualifications",
        "training", "academic qualifications", "education and qualifications",
        "education details",
    ),
    "projects": (
        "projects", "selected projects", "side projects", "key projects", "personal projects",
        "open source", "open source projects", "notable projects", "project details",
        "projects details",
    ),
    "other": (
        "awards", "achievements", "honours", "honors", "publications", "languages",
        "interests", "hobbies", "references", "volunteering", "volunteer experience",
        "additional information", "personal details", "memberships", "affiliations",
        "talks", "conference talks", "activities", "contact", "career break",
        "personal information", "professional affiliations", "links",
    ),
}

#: The last word of an unlisted heading that still names the section ("Cloud Skills").
_HEAD_NOUNS: dict[str, Section] = {
    "experience": "experience", "employment": "experience", "skills": "skills",
    "competencies": "skills", "certifications": "certifications", "certificates":
    "certifications", "licenses": "certifications", "education": "education",
    "projects": "projects", "summary": "summary", "profile": "summary",
}  # fmt: skip

_SMALL = frozenset({"and", "of", "&", "in", "the", "for", "to", "with"})

_LOOKUP: dict[str, Section] = {name: sec for sec, names in HEADINGS.items() for name in names}

_BULLET_RE = re.compile(
    r"^(?:[•●▪■◦‣∙·►▶✓✔➢➤□❖]\s*|[-*–—+]\s+|[-–—](?=[A-Z])|o\s+|\d{1,2}[.)]\s+)"
)
_DECORATION_RE = re.compile(r"^[\s=\-_~*#─━═·|:+]{3,}$")
_UNDERLINE_RE = re.compile(r"^\s*(?:={3,}|-{3,}|─{3,}|━{3,}|═{3,})\s*$")
_MARKDOWN_HEADING_RE = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_HEADING_RE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_INLINE_HEADING_RE = re.compile(r"^\s*([A-Za-z][A-Za-z &/]{1,40}?)\s*:\s*(\S.*)$")
_CONTINUED_RE = re.compile(
    r"(?:[,(&/+]|\b(?:and|or|of|to|the|with|for|in|a|an|by|from|on|at|into|across))$"
)
#: A wrapped line starts so: lower case, a figure or an opening bracket.
_CONTINUES_RE = re.compile(r"^[a-z0-9$%(&]")
_ENDS_SENTENCE_RE = re.compile(r"[.!?:;]\s*$")
#: A line this long that stops without punctuation was wrapped by a PDF, not ended.
_WRAPPED_LINE_CHARS = 80
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES_RE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


@dataclass
class Line:
    """One content line: cleaned ``text`` (bullet removed, inner spacing kept), the section it
    sits in, whether it carried a bullet, and its indentation in columns."""

    text: str
    section: Section
    bulleted: bool
    indent: int


@dataclass
class Item:
    """A bullet or line being collected; ``joined`` once a wrapped line was appended."""

    text: str
    bulleted: bool
    indent: int
    joined: bool = False
    last_line: int = -1  # characters of the last line joined in (-1: the text is one line)


def normalise_text(text: str) -> list[str]:
    """Raw text → lines with unified line endings, spaces and no control characters.

    ``"a\\r\\nb\\u00a0c\\t\\rd  "`` → ``["a", "b c", "d"]``; tabs become four spaces so a tab
    still reads as a wide gap between an employer and its dates.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = _SPACES_RE.sub(" ", text.replace("\t", "    "))
    text = _CONTROL_RE.sub("", text)
    return [line.rstrip().rstrip("\\").rstrip() for line in text.split("\n")]


def clean_inline(text: str) -> str:
    """Drop markdown emphasis, code ticks and link targets: ``**Dev** at [Acme](x)`` → ``Dev at
    Acme``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    return re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)


def _heading_key(text: str) -> str:
    """Heading text → lookup key: ``"Licenses & Certifications:"`` → ``licenses and
    certifications``."""
    text = clean_inline(text).replace("&", " and ").lower()
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


def heading_section(text: str) -> Section | None:
    """The section a heading-shaped text names, or None: ``"WORK HISTORY"`` → experience."""
    key = _heading_key(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    words = key.split()
    titled = all(w[0].isupper() for w in clean_inline(text).split() if w.lower() not in _SMALL)
    if 1 < len(words) <= 4 and words[-1] in _HEAD_NOUNS and titled and not re.search(r"\d", text):
        return _HEAD_NOUNS[words[-1]]
    return None


def _is_caps_heading(text: str, section: Section) -> bool:
    """A short line in CAPITALS that reads as a heading, not an acronym: ``VOLUNTEER WORK``.

    In experience a capitalised line is an employer (``ACME CORP``); in skills and
    certifications it must be two or more long words, so ``AWS LAMBDA`` stays a skill.
    """
    words = text.split()
    # The cheap tests first, before looking at every character of a long line.
    if len(words) > 5 or re.search(r"[\d,.|;()]", text):
        return False
    letters = [c for c in text if c.isalpha()]
    if section == "experience" or (
        section in ("skills", "certifications")
        and (len(words) < 2 or any(len(word) < 4 for word in words))
    ):
        return False
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def _explicit_heading(raw: str, next_raw: str | None) -> tuple[str, int] | None:
    """(text, level) when ``raw`` is marked as a heading by markdown, bold or an underline."""
    if match := _MARKDOWN_HEADING_RE.match(raw):
        return match.group(2), len(match.group(1))
    if next_raw is not None and _UNDERLINE_RE.match(next_raw) and not _BULLET_RE.match(raw):
        return raw.strip(), 1 if "=" in next_raw else 2
    if (match := _BOLD_HEADING_RE.match(raw)) and heading_section(match.group(1)):
        return match.group(1), 7
    return None


def split_sections(text: str, is_role_line: Callable[[str], bool]) -> list[Line]:
    """Text → content lines tagged with their section; headings and decoration are dropped.

    Lines before the first heading are ``other``. An unlisted heading opens ``other`` unless the
    next content line is a role line (then it is an employer or title, kept as content), or it is
    a markdown sub-heading of the current section (``### Cloud`` under ``## Skills``). Inside
    experience, ``Tools: Terraform, AWS`` stays a line of the role rather than opening skills;
    an inline heading naming the section it is already in (``Cloud skills: AWS``) is kept whole.
    ``is_role_line`` tells whether a line carries an employment date range.
    """
    raw_lines = normalise_text(text)
    lines: list[Line] = []
    section: Section = "other"
    level = 99
    skip_next = False
    for index, raw in enumerate(raw_lines):
        if skip_next or not raw.strip() or _DECORATION_RE.match(raw):
            skip_next = False
            continue
        next_raw = raw_lines[index + 1] if index + 1 < len(raw_lines) else None
        next_content = _next_content(raw_lines, index)
        next_is_role = next_content is not None and is_role_line(clean_inline(next_content))
        explicit = _explicit_heading(raw, next_raw)
        if explicit is not None and is_role_line(clean_inline(explicit[0])):
            raw, explicit = explicit[0], None  # "### Developer, Acme (2019 - 2022)" is a role
        if explicit is not None:
            skip_next = next_raw is not None and bool(_UNDERLINE_RE.match(next_raw))
            heading_text, heading_level = explicit
            known = heading_section(heading_text)
            if known is not None:
                section, level = known, heading_level
                continue
            if not next_is_role and heading_level <= level:
                section, level = "other", heading_level
                continue
            raw = heading_text
        stripped = clean_inline(raw.strip())
        if section == "experience" and _heading_key(stripped) in SUB_HEADINGS:
            continue  # "Responsibilities" inside a role names a part of it, not a section
        if not _BULLET_RE.match(raw.strip()):
            known = heading_section(stripped.rstrip(":")) if len(stripped) <= 50 else None
            if known is not None:
                section, level = known, 99
                continue
            inline = _INLINE_HEADING_RE.match(stripped)
            known = heading_section(inline.group(1)) if inline else None
            if inline and known is not None and section not in ("experience", known):
                section, level = known, 99
                lines.append(Line(inline.group(2), section, False, _indent(raw)))
                continue
            if _is_caps_heading(stripped, section) and not next_is_role:
                section, level = "other", 99
                continue
        lines.append(_content_line(raw, section))
    return lines


def _indent(raw: str) -> int:
    """Leading spaces of a raw line (tabs are already four spaces)."""
    return len(raw) - len(raw.lstrip())


def _next_content(raw_lines: list[str], index: int) -> str | None:
    """The first non-blank, non-decoration raw line after ``index``."""
    for raw in raw_lines[index + 1 :]:
        if raw.strip() and not _DECORATION_RE.match(raw):
            return raw
    return None


def _content_line(raw: str, section: Section) -> Line:
    """A non-heading raw line → Line with its bullet removed and markdown cleaned."""
    body = raw.strip()
    bullet = _BULLET_RE.match(body)
    if bullet:
        body = body[bullet.end() :]
    return Line(clean_inline(body).strip(), section, bullet is not None, _indent(raw))


def _is_continuation(line: Line, items: list[Item]) -> bool:
    """A wrapped line: not bulleted, after an item, and indented under a bullet, lower-case, or
    after an item that stops mid-phrase (``...SQS and`` / ``Security Hub,``).

    Lists (skills, certifications) are often written one lower-case item a line, so there a
    lower-case start only continues a bullet.
    """
    if line.bulleted or not items:
        return False
    previous = items[-1]
    if (previous.bulleted and line.indent > previous.indent) or _CONTINUED_RE.search(
        previous.text
    ):
        return True
    is_list = line.section in ("skills", "certifications")
    if is_list:
        return line.text[:1].islower() and previous.bulleted
    if _ENDS_SENTENCE_RE.search(previous.text):
        return line.text[:1].islower()
    return bool(_CONTINUES_RE.match(line.text)) or (
        _last_line(previous) >= _WRAPPED_LINE_CHARS and len(line.text.split()) > 2)


def _last_line(item: Item) -> int:
    """Characters of the item's last line as written."""
    return item.last_line if item.last_line >= 0 else len(item.text)


def add_item(items: list[Item], line: Line) -> None:
    """Append ``line`` as a new item, or join it to the last one when it is a wrapped line.

    ``["• Led the move to", "  Lambda and SQS"]`` → one item ``Led the move to Lambda and SQS``.
    """
    if _is_continuation(line, items):
        previous = items[-1]
        glue = "" if previous.text.endswith("-") and previous.text[-2:-1].isalpha() else " "
        previous.text = f"{previous.text.rstrip()}{glue}{line.text.strip()}"
        previous.joined = True
        previous.last_line = len(line.text)
    else:
        items.append(Item(line.text, line.bulleted, line.indent))


def join_items(lines: list[Line]) -> list[Item]:
    """Lines → items with wrapped lines joined to the item they continue."""
    items: list[Item] = []
    for line in lines:
        add_item(items, line)
    return items
