"""Trajectory stage, part 2: the career timeline + evidence → trajectory features.

Every feature is a value in [0, 1] with a formula a recruiter can check by hand. The rubric
weighs them (``trajectory.weights``) and gives them ``mix.trajectory`` points in all:
``points(f) = mix.trajectory × weight(f) × value(f)``. Time is in career-years (months worked,
gaps excluded; see :mod:`pipeline.score.timeline`), so no feature penalises a career break.

* **growth** — the fastest rise in scope: ``max over roles i before j of
  (scope_j − title_i) / max(1, career-years from start_i to start_j)``, divided by
  GROWTH_FULL (0.2 a year) and capped at 1. ``scope = 0.5 × seniority/5 + 0.5 × ownership/3``;
  ``title = 0.5 × seniority/5``. Only the *later* role's ownership enters, so more evidence
  never lowers growth, and steep early growth counts however long the career after it.
* **promotion_pace** — ``min(1, PROMOTION_FULL_YEARS / mean career-years spent at a title
  level before each promotion)``; 0 without a promotion (a higher title than the role before).
* **certification_pace** — along the AWS ladder Associate (1) → Professional (2) →
  Specialty (3): ``top rung / 3 × min(1, CERT_FULL_YEARS / years per rung climbed)``; the
  pace factor is 1 unless two dated AWS certifications show a slower climb.
* **breadth** — ``mean over the five pillars of min(1, pillar sub-score / BREADTH_FULL)``.
* **depth** — ``mean sub-score / 100 over the rubric's depth_pillars most-weighted pillars``.
* **consistency** — ``min(1, (roles with an accomplishment ≥ 0.45 − 1) / 2)``: 0 for evidence
  in one role, 0.5 for two, 1 for three or more.
* **recency** is not a point feature: each experience sentence's strength is multiplied by
  ``0.5 ^ (age / recency_half_life_years)``, age being the career-years worked since its
  role ended. Its "points" are what that discount took off evidence and pillar fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pipeline.records import (
    PILLARS,
    Certification,
    Feature,
    SentenceEvidence,
    Timeline,
    TimelineRole,
)
from pipeline.score.rubric import Rubric
from pipeline.score.strength import MUST_HAVE_STRENGTH, accomplishment

#: Scope gained per career-year at which growth is full (junior → leading senior in 3.5 years).
GROWTH_FULL = 0.2
#: Mean career-years per promotion at which promotion pace is full.
PROMOTION_FULL_YEARS = 2.0
#: Years per rung on the AWS certification ladder at which certification pace is full.
CERT_FULL_YEARS = 2.0
#: Pillar sub-score at which a pillar counts fully towards breadth.
BREADTH_FULL = 60.0
#: The AWS ladder in the article; foundational and non-AWS certifications are not rungs.
LADDER: dict[str, int] = {"associate": 1, "professional": 2, "specialty": 3}

FORMULAS: dict[str, str] = {
    "growth": "max over roles i<j of (scope_j − title_i) / max(1, career-years i→j) / 0.2",
    "promotion_pace": "min(1, 2 / mean career-years at a title level before a promotion)",
    "certification_pace": "top AWS rung / 3 × min(1, 2 / years per rung)",
    "breadth": "mean over pillars of min(1, pillar sub-score / 60)",
    "depth": "mean sub-score / 100 of the rubric's most-weighted pillars",
    "consistency": "min(1, (roles with a clear accomplishment − 1) / 2)",
    "recency": "strength × 0.5^(career-years since the role ended / half-life)",
}


def recency_weights(timeline: Timeline, half_life_years: float) -> dict[int, float]:
    """Role index → the multiplier its sentences get: ``0.5 ^ (age_years / half_life)``."""
    return {r.index: 0.5 ** (r.age_years / half_life_years) for r in timeline.roles}


def sentence_recency(sentence: SentenceEvidence, weights: Mapping[int, float]) -> float:
    """The recency multiplier of one sentence (1.0 outside a dated role)."""
    if sentence.section != "experience" or sentence.role_index is None:
        return 1.0
    return weights.get(sentence.role_index, 1.0)


def _dated(timeline: Timeline) -> list[TimelineRole]:
    return [r for r in timeline.roles if r.career_years_at_start is not None]


def growth(timeline: Timeline) -> tuple[float, str]:
    """Fastest rise from a role's title level to a later role's scope, per career-year."""
    roles = _dated(timeline)
    best, why = 0.0, "fewer than two dated roles"
    for n, early in enumerate(roles):
        for late in roles[n + 1:]:
            if late.start == early.start:
                continue
            scope = 0.5 * late.seniority / 5 + 0.5 * late.ownership / 3
            years = (late.career_years_at_start or 0.0) - (early.career_years_at_start or 0.0)
            rate = (scope - 0.5 * early.seniority / 5) / max(1.0, years)
            if rate > best:
                best = rate
                why = (f"{early.title} ({early.seniority_label}) → {late.title} "
                       f"({late.seniority_label}, {late.ownership_label}): "
                       f"{rate:+.2f} scope a year over {years:.1f} career-years")
    if best == 0.0 and len(roles) >= 2:
        why = "no rise in title or ownership"
    return min(1.0, best / GROWTH_FULL), why


def promotion_pace(timeline: Timeline) -> tuple[float, str]:
    """How quickly titles rose: career-years at a level before each promotion."""
    roles = _dated(timeline)
    waits: list[float] = []
    for n in range(1, len(roles)):
        prev, cur = roles[n - 1], roles[n]
        if cur.seniority > prev.seniority:
            since = prev.career_years_at_start or 0.0
            for earlier in reversed(roles[:n - 1]):  # the time at that level, not in that role
                if earlier.seniority != prev.seniority:
                    break
                since = earlier.career_years_at_start or 0.0
            waits.append((cur.career_years_at_start or 0.0) - since)
    if not waits:
        return 0.0, "no promotion on the timeline"
    mean = sum(waits) / len(waits)
    value = min(1.0, PROMOTION_FULL_YEARS / max(mean, 0.25))
    return value, f"{len(waits)} promotion(s), {mean:.1f} career-years apart on average"


def certification_pace(certifications: Iterable[Certification]) -> tuple[float, str]:
    """How far up the AWS ladder, and how fast when dates are given."""
    rungs = [(LADDER[c.level], c.year, c.name) for c in certifications if c.level in LADDER]
    if not rungs:
        return 0.0, "no AWS Associate, Professional or Specialty certification"
    top, top_year, top_name = max(rungs, key=lambda r: (r[0], -(r[1] or 0)))
    dated = [(rung, year) for rung, year, _ in rungs if year is not None]
    factor, pace = 1.0, ""
    if top_year is not None and dated:
        first_rung, first_year = min(dated, key=lambda r: (r[1], r[0]))
        if top > first_rung and top_year > first_year:
            per_rung = (top_year - first_year) / (top - first_rung)
            factor = min(1.0, CERT_FULL_YEARS / per_rung)
            pace = f", {per_rung:.1f} years a rung"
    return top / 3 * factor, f"top rung {top}/3 ({top_name}){pace}"


def breadth(pillar_scores: Mapping[str, float]) -> tuple[float, str]:
    """Demonstrated work across all five pillars."""
    value = sum(min(1.0, pillar_scores[p] / BREADTH_FULL) for p in PILLARS) / len(PILLARS)
    shown = [p for p in PILLARS if pillar_scores[p] >= BREADTH_FULL]
    return value, f"{len(shown)} of {len(PILLARS)} pillars at full breadth"


def depth_pillars(rubric: Rubric) -> list[str]:
    """The rubric's most-weighted pillars (ties in PILLARS order)."""
    weights = rubric.pillar_weights.normalised()
    ordered = sorted(PILLARS, key=lambda p: (-weights[p], PILLARS.index(p)))
    return ordered[:rubric.trajectory.depth_pillars]


def depth(pillar_scores: Mapping[str, float], rubric: Rubric) -> tuple[float, str]:
    """Demonstrated work in the pillars the rubric weighs most."""
    top = depth_pillars(rubric)
    value = sum(pillar_scores[p] for p in top) / (100.0 * len(top))
    return value, ", ".join(f"{p} {pillar_scores[p]:.0f}" for p in top)


def consistency(timeline: Timeline, sentences: Sequence[SentenceEvidence]) -> tuple[float, str]:
    """Evidence in more than one role, not one lucky project."""
    roles = {s.role_index for s in sentences
             if s.section == "experience" and s.role_index is not None
             and accomplishment(s) >= MUST_HAVE_STRENGTH}
    titles = [r.title for r in timeline.roles if r.index in roles]
    value = min(1.0, max(0, len(roles) - 1) / 2)
    return value, f"clear accomplishments in {len(roles)} role(s)" + (
        f": {', '.join(titles)}" if titles else "")


def trajectory_features(
    timeline: Timeline,
    sentences: Sequence[SentenceEvidence],
    certifications: Iterable[Certification],
    pillar_scores: Mapping[str, float],
    rubric: Rubric,
) -> tuple[Feature, ...]:
    """The six weighted trajectory features, each with its value, points and formula.

    ``sentences`` are the candidate's distinct sentences; ``pillar_scores`` the 0–100 pillar
    sub-scores (already recency-weighted).
    """
    computed = {
        "growth": growth(timeline),
        "promotion_pace": promotion_pace(timeline),
        "certification_pace": certification_pace(certifications),
        "breadth": breadth(pillar_scores),
        "depth": depth(pillar_scores, rubric),
        "consistency": consistency(timeline, sentences),
    }
    weights = rubric.trajectory.weights.normalised()
    return tuple(
        Feature(name, round(value, 3), round(rubric.mix.trajectory * weights[name] * value, 2),
                FORMULAS[name], detail)
        for name, (value, detail) in computed.items()
    )
