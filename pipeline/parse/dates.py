"""Find the employment date range people write on a role line.

``find_date_range("Senior Developer, Acme — Mar 2022 - Present")`` gives a ``DateRange`` with
start 2022-03-01, no end, ``current=True`` and the span of ``Mar 2022 - Present`` in the line.

Accepted points: ``Mar 2022``, ``Sept. 2018``, ``July 2019``, ``01/2020``, ``2019-03``,
``2020/01``, ``03-2019``, ``2014``. Accepted ends: any point, or ``present``/``current``/
``now``/``today``/``date``/``ongoing``. Separators: ``-``, ``–``, ``—``, ``to``, ``until``,
``till``, ``through``.
A year alone starts in January and ends in December. Two-digit years are not accepted: they are
too easily confused with day numbers and counts.

A range whose end comes before its start is treated as a typo we cannot repair, not swapped:
``find_date_range`` skips it (``None`` when nothing else in the line matches), so the caller sees
a line without dates rather than a role with invented ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["DateRange", "find_date_range"]

_MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_MONTH_NUM = r"(?:0?[1-9]|1[0-2])"


def _point(tag: str) -> str:
    """A regex for one date point; the named groups are prefixed with ``tag``."""
    return (
        rf"(?:\b(?P<{tag}mname>{_MONTH_NAME})\.?[\s,'-]*(?P<{tag}myear>{_YEAR})"
        rf"|(?<![\d/.])(?P<{tag}mnum>{_MONTH_NUM})[/.-](?P<{tag}nyear>{_YEAR})"
        rf"|(?<![\d/.])(?P<{tag}iyear>{_YEAR})[-/.](?P<{tag}imon>0[1-9]|1[0-2])"
        rf"|(?<![\d/.])(?P<{tag}year>{_YEAR}))(?![\d/])"
    )


_CURRENT = r"(?P<current>present|current(?:ly)?|now|today|date|ongoing)\b"
_SEPARATOR = r"(?:\s*[-–—‒―~]+\s*|\s+(?:to|until|till|through|thru)\s+)"
_RANGE_RE = re.compile(
    rf"{_point('s_')}{_SEPARATOR}(?:{_CURRENT}|{_point('e_')})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateRange:
    """A start/end pair found in a line, with ``span`` = (start, end) offsets of the match.

    ``start`` and ``end`` are first-of-month dates; ``end`` is None when ``current`` is True.
    """

    start: date
    end: date | None
    current: bool
    span: tuple[int, int]


def _to_date(match: re.Match[str], tag: str, *, is_end: bool) -> date | None:
    """The date of the point captured under ``tag`` (None if that point did not match)."""
    groups = match.groupdict()
    if groups[f"{tag}mname"]:
        return date(int(groups[f"{tag}myear"]), _MONTHS[groups[f"{tag}mname"][:3].lower()], 1)
    if groups[f"{tag}mnum"]:
        return date(int(groups[f"{tag}nyear"]), int(groups[f"{tag}mnum"]), 1)
    if groups[f"{tag}iyear"]:
        return date(int(groups[f"{tag}iyear"]), int(groups[f"{tag}imon"]), 1)
    if groups[f"{tag}year"]:
        return date(int(groups[f"{tag}year"]), 12 if is_end else 1, 1)
    return None


def find_date_range(line: str) -> DateRange | None:
    """The first valid date range in ``line``, or None.

    ``"Acme | Developer | 2019 – 2022"`` → start 2019-01-01, end 2022-12-01, current False.
    ``"01/2020 - 12/2021"`` → start 2020-01-01, end 2021-12-01.
    ``"Sept. 2018 – Current"`` → start 2018-09-01, end None, current True.
    ``"2021 - 2019"`` → None (an end before the start is rejected, see the module docstring).
    """
    for match in _RANGE_RE.finditer(line):
        start = _to_date(match, "s_", is_end=False)
        if start is None:  # pragma: no cover - the regex always captures a start point
            continue
        if match.group("current"):
            return DateRange(start=start, end=None, current=True, span=match.span())
        end = _to_date(match, "e_", is_end=True)
        if end is not None and end >= start:
            return DateRange(start=start, end=end, current=False, span=match.span())
    return None
