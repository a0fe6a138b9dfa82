"""Trajectory stage, part 1: parsed roles + their evidence → a career timeline.

Months worked (overlaps counted once), gaps, overlaps, "present"; a seniority level per title
(:mod:`pipeline.score.titles`) and an ownership level per role from its evidence:

* 3 *led/initiated*: a sentence of the role shows velocity or proactive strength ≥ 0.7 (a
  clear "led", "initiated", "championed"; a plain "built" or "developed" is not enough);
* 2 *delivered*: a sentence shows outcome strength ≥ 0.45;
* 1 *contributed*: some accomplishment strength ≥ 0.15 (above noise, below a clear claim);
* 0 *only listed*: duties and tools only.

Time on the timeline is measured in *career-years*: months worked, gaps excluded. A two-year
career break therefore moves nothing on this clock, which is what keeps the features built on
it (recency, growth, promotion pace) from penalising a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from pipeline.records import (
    OWNERSHIP_LEVELS,
    Gap,
    Overlap,
    Role,
    SentenceEvidence,
    Timeline,
    TimelineRole,
)
from pipeline.score.strength import MUST_HAVE_STRENGTH, distinct_sentences, strength
from pipeline.score.titles import TitleTaxonomy, seniority

#: Velocity or proactive strength at which a role counts as "led/initiated".
LED_STRENGTH = 0.7
#: Accomplishment strength above which a role counts as "contributed".
CONTRIBUTED_STRENGTH = 0.15


def _month_index(d: date) -> int:
    return d.year * 12 + (d.month - 1)


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def role_months(role: Role, as_of: date) -> tuple[int, int] | None:
    """The half-open month interval ``[start, end)`` of a role, or None without a start.

    A current role runs to ``as_of``; an end month counts as worked (Jan–Mar is 3 months).
    """
    if role.start is None:
        return None
    end = as_of if (role.current or role.end is None) else role.end
    lo, hi = _month_index(role.start), _month_index(end) + 1
    return (lo, hi) if hi > lo else None


def _merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _year_handover(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether an "overlap" is only two year-only dates meeting: "2003 – 2009" then
    "2009 – 2014" read as Jan 2003–Dec 2009 and Jan 2009–Dec 2014, a change of job in 2009."""
    return b[0] % 12 == 0 and a[1] == b[0] + 12 and b[1] >= a[1]


def _worked_before(merged: Sequence[tuple[int, int]], month: int) -> int:
    """Months worked before ``month`` (the career clock)."""
    return sum(max(0, min(hi, month) - lo) for lo, hi in merged)


def tenure_years(roles: Iterable[Role], as_of: date) -> float:
    """Years covered by at least one dated role; overlapping roles count once.

    >>> from datetime import date
    >>> r = Role("Dev", None, date(2020, 1, 1), date(2021, 12, 1), False)
    >>> tenure_years([r, r], date(2024, 1, 1))
    2.0
    """
    merged = _merged(i for r in roles if (i := role_months(r, as_of)) is not None)
    return round(sum(hi - lo for lo, hi in merged) / 12, 2)


def ownership(sentences: Iterable[SentenceEvidence]) -> int:
    """The ownership level (index into OWNERSHIP_LEVELS) one role's sentences show."""
    level = 0
    for s in sentences:
        if max(strength(s, "velocity"), strength(s, "proactive")) >= LED_STRENGTH:
            return 3
        if strength(s, "outcome") >= MUST_HAVE_STRENGTH:
            level = 2
        elif max(strength(s, f) for f in ("velocity", "proactive", "outcome")) \
                >= CONTRIBUTED_STRENGTH:
            level = max(level, 1)
    return level


def build_timeline(
    roles: Sequence[Role],
    sentences: Iterable[SentenceEvidence],
    as_of: date,
    taxonomy: TitleTaxonomy | None = None,
) -> Timeline:
    """Roles + the evidence extracted from them → the career timeline; ``as_of`` ends "present".

    Roles come out in date order (earliest first; undated roles last, in resume order).
    """
    by_role: dict[int, list[SentenceEvidence]] = {}
    for s in distinct_sentences(sentences):
        if s.section == "experience" and s.role_index is not None:
            by_role.setdefault(s.role_index, []).append(s)
    spans = {i: role_months(r, as_of) for i, r in enumerate(roles)}
    merged = _merged(span for span in spans.values() if span is not None)
    total = sum(hi - lo for lo, hi in merged)

    entries: list[TimelineRole] = []
    for i, role in enumerate(roles):
        span = spans[i]
        rank = seniority(role.title, taxonomy)
        owned = ownership(by_role.get(i, ()))
        entries.append(TimelineRole(
            index=i, title=role.title, employer=role.employer,
            start=_month_label(span[0]) if span else None,
            end=None if span is None or role.current else _month_label(span[1] - 1),
            present=role.current,
            months=span[1] - span[0] if span else 0,
            seniority=rank.level, seniority_label=rank.label,
            ownership=owned, ownership_label=OWNERSHIP_LEVELS[owned],
            career_years_at_start=round(_worked_before(merged, span[0]) / 12, 2) if span else None,
            age_years=round((total - _worked_before(merged, span[1])) / 12, 2) if span else 0.0,
        ))
    entries.sort(key=lambda e: (e.start is None, e.start or "", e.index))

    gaps = tuple(
        Gap(_month_label(prev_hi), _month_label(lo - 1), lo - prev_hi)
        for (_, prev_hi), (lo, _) in zip(merged, merged[1:], strict=False)
    )
    dated = sorted((span, i) for i, span in spans.items() if span is not None)
    overlaps = tuple(
        Overlap(i, j, min(a[1], b[1]) - b[0])
        for n, (a, i) in enumerate(dated) for b, j in dated[n + 1:]
        if b[0] < a[1] and not _year_handover(a, b)
    )
    return Timeline(tuple(entries), gaps, overlaps, round(total / 12, 2))
