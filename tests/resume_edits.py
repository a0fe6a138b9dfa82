"""Edits that turn a real-looking resume into a metamorphic variant of itself.

Each edit works on the text as a recruiter would receive it (any of the sample layouts), and
:func:`roles_of` lets a test check that the edit landed where it meant to.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.parse.resume import parse_resume
from pipeline.parse.sections import heading_section
from pipeline.records import Role

_DATE = r"(?:(?:[A-Za-z]{3,9}\.?|\d{1,2}/)\s*)?(?:19|20)\d\d"
DATE_RANGE = re.compile(
    rf"{_DATE}\s*(?:[-–—]+|to)\s*(?:{_DATE}|present|current|now)", re.IGNORECASE)
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
NOW_WORD = re.compile(r"\b(?:present|current|now)\b", re.IGNORECASE)
BULLET = re.compile(r"^(\s*(?:[-*•–▪]\s+)?)")


def roles_of(text: str) -> tuple[Role, ...]:
    return parse_resume("probe", text).roles


def heading_at(line: str) -> str | None:
    """The section a heading line opens (markdown, CAPITALS, 'Title:'), else None."""
    stripped = line.strip().lstrip("#").strip().rstrip(":").strip()
    if not stripped or len(stripped) > 40 or re.match(r"^[-*•]", line.strip()):
        return None
    return heading_section(stripped)


def sections(text: str) -> list[tuple[str | None, list[str]]]:
    """Text → blocks ``(section of the heading or None for the preamble, lines)``."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.split("\n"):
        found = heading_at(line)
        if found is not None:
            blocks.append((found, [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def join(blocks: list[tuple[str | None, list[str]]]) -> str:
    return "\n".join(line for _, lines in blocks for line in lines)


def header_lines(text: str) -> list[int]:
    """Indexes of the lines that carry a role's date range (outside education and the like)."""
    found, line_no = [], 0
    for section, lines in sections(text):
        for line in lines:
            if section not in ("education", "skills", "certifications", "summary") \
                    and DATE_RANGE.search(line):
                found.append(line_no)
            line_no += 1
    return found


def _first_bullet(lines: list[str], header: int) -> int:
    i = header + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def role_block_end(lines: list[str], header: int) -> int:
    """Index just after a role's bullets (and their wrapped lines)."""
    end = _first_bullet(lines, header)
    while end < len(lines) and lines[end].strip():
        if DATE_RANGE.search(lines[end]) or heading_at(lines[end]) is not None:
            break
        end += 1
    return end


def bullet_prefix(lines: list[str], header: int) -> str:
    nxt = lines[_first_bullet(lines, header)] if header + 1 < len(lines) else ""
    prefix = BULLET.match(nxt)
    return prefix.group(1) if prefix and prefix.group(1).strip() else "- "


def shift_line(line: str, months: int, as_of: date) -> str:
    """Move a header's date range back by ``months`` (a multiple of 12); 'present' ends then."""
    match = DATE_RANGE.search(line)
    assert match is not None, line
    span = match.group(0)
    shifted = YEAR.sub(lambda m: str(int(m.group(0)) - months // 12), span)
    year = as_of.year - months // 12
    shifted = NOW_WORD.sub(f"{as_of:%b} {year}", shifted)
    return line[:match.start()] + shifted + line[match.end():]


def insert_gap(text: str, before_role: int, as_of: date, months: int = 24) -> str:
    """Move every role that started before ``before_role`` (in date order, 1 … n) back by
    ``months``, opening a career gap; ``before_role = n`` moves them all (a career break now)."""
    lines = text.split("\n")
    headers = header_lines(text)
    roles = roles_of(text)
    order = sorted(range(len(roles)), key=lambda i: (roles[i].start or date.min))
    boundary = roles[order[before_role]].start if before_role < len(order) else date.max
    for index, line_no in enumerate(headers):
        start = roles[index].start
        if start is not None and boundary is not None and start < boundary:
            lines[line_no] = shift_line(lines[line_no], months, as_of)
    return "\n".join(lines)


def add_earlier_roles(text: str, years: int, title: str, one_role: bool) -> str:
    """Add ``years`` of earlier duty-only roles before the earliest dated role."""
    lines = text.split("\n")
    roles = roles_of(text)
    headers = header_lines(text)
    earliest = min(range(len(roles)), key=lambda i: roles[i].start or date.max)
    header = headers[earliest]
    first = roles[earliest].start
    assert first is not None
    prefix = bullet_prefix(lines, header)
    spans = [(first.year - years, first.year - 1)] if one_role else [
        (first.year - years + i, first.year - years + i) for i in range(years)]
    markdown = "### " if lines[header].startswith("### ") else ""
    block: list[str] = []
    for n, (lo, hi) in enumerate(spans):
        heading = f"{markdown}{title}, Company {n + 1} — Jan {lo} - Dec {hi}"
        block += ["", heading, f"{prefix}Responsible for server maintenance and user tickets.",
                  f"{prefix}Participated in the quarterly patch cycle."]
    end = role_block_end(lines, header)
    return "\n".join(lines[:end] + block + lines[end:])


def add_bullet(text: str, role: int, sentence: str) -> str:
    """Add one bullet at the top of role ``role`` (resume order)."""
    lines = text.split("\n")
    header = header_lines(text)[role]
    lines.insert(_first_bullet(lines, header), bullet_prefix(lines, header) + sentence)
    return "\n".join(lines)


def bullet_items(text: str) -> list[tuple[int, int]]:
    """``(first line, end)`` of every role bullet with its wrapped lines."""
    lines = text.split("\n")
    items = []
    for header in header_lines(text):
        end = role_block_end(lines, header)
        i = _first_bullet(lines, header)
        while i < end:
            j = i + 1
            while j < end and lines[j].startswith((" ", "\t")) and not BULLET.match(
                    lines[j]).group(1).strip():
                j += 1
            if BULLET.match(lines[i]).group(1).strip():  # a bullet, not a wrapped plain line
                items.append((i, j))
            i = j
    return items
