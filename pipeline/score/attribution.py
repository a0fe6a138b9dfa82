"""Which sentences earned the evidence and pillar points: a per-sentence share of each.

A sub-score is a saturating curve over a sum of sentence strengths, so a sentence's points are
its *share* of that sum (the terms of :func:`pipeline.score.terms.evidence_terms`): ``points(s) =
Σ_f points_f × term_f(s) / Σ term_f
+ Σ_p points_p × pillar_share_p(s) × accomplishment(s) / Σ (…)``, every term recency-weighted. The
shares add up exactly to the evidence and pillar-fit points of the score.

e.g. two sentences with velocity strength 0.9 and 0.3 split the velocity points 75% / 25%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.records import (
    ACCOMPLISHMENT_FLAGS,
    EvidenceContribution,
    SentenceEvidence,
    Timeline,
)
from pipeline.score.features import sentence_recency
from pipeline.score.rubric import Rubric
from pipeline.score.terms import evidence_terms

#: Quoted sentences: those earning at least this many points (or the best few, see score.py).
MIN_QUOTED_POINTS = 0.05


def explain_evidence(
    sentences: Sequence[SentenceEvidence],
    recency: Mapping[int, float],
    flag_scores: Mapping[str, float],
    pillar_scores: Mapping[str, float],
    rubric: Rubric,
    timeline: Timeline,
) -> tuple[EvidenceContribution, ...]:
    """Each distinct sentence's points, best first (ties by text), those ≥ MIN_QUOTED_POINTS."""
    flag_w = rubric.evidence_weights.normalised()
    pillar_w = rubric.pillar_weights.normalised()
    flag_terms, pillar_terms = evidence_terms(sentences, recency, rubric)
    flag_pts = {f: rubric.mix.evidence * flag_w[f] * flag_scores[f] / 100 for f in flag_terms}
    pillar_pts = {p: rubric.mix.pillar_fit * pillar_w[p] * pillar_scores[p] / 100
                  for p in pillar_terms}
    titles = {r.index: r.title for r in timeline.roles}

    # Each sentence gets the share of a sub-score's points that its term is of the total.
    shares = [(flag_pts[f], t, sum(t)) for f, t in flag_terms.items()]
    shares += [(pillar_pts[p], t, sum(t)) for p, t in pillar_terms.items()]
    found: list[EvidenceContribution] = []
    for n, s in enumerate(sentences):
        points = sum(pts * terms[n] / total for pts, terms, total in shares if total > 0)
        if points < MIN_QUOTED_POINTS:
            continue
        found.append(EvidenceContribution(
            text=s.text, section=s.section,
            role=titles.get(s.role_index) if s.role_index is not None else None,
            points=round(points, 2),
            flags={f: round(s.flag(f), 2) for f in ACCOMPLISHMENT_FLAGS if s.flag(f) >= 0.2},
            pillars={p: round(v, 2) for p, v in s.pillars.items() if v >= 0.5},
            recency=round(sentence_recency(s, recency), 3),
        ))
    return tuple(sorted(found, key=lambda c: (-c.points, c.text)))
