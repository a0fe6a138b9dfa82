"""The per-sentence terms every evidence and pillar sub-score sums, in one place.

The scorer saturates the sums (:func:`pipeline.score.scoring.sub_scores`); the explanation splits
each
sub-score's points between sentences by their terms (:mod:`pipeline.score.attribution`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.records import ACCOMPLISHMENT_FLAGS, PILLARS, SentenceEvidence
from pipeline.score.features import sentence_recency
from pipeline.score.strength import accomplishment, strength

#: What an accomplishment in no AWS pillar is worth next to one in a pillar (see relevance).
OFF_PILLAR_WEIGHT = 0.5


def relevance(sentence: SentenceEvidence) -> float:
    """How much an accomplishment bears on a cloud role: 1.0 in a pillar, OFF_PILLAR_WEIGHT in
    none (``OFF_PILLAR_WEIGHT + (1 − OFF_PILLAR_WEIGHT) × max_pillar p_pillar``).

    A ward's medication errors halved is real evidence, but of nursing: it earns half the
    evidence points of the same result in a pillar.
    """
    in_pillar = max(sentence.pillars.values(), default=0.0)
    return OFF_PILLAR_WEIGHT + (1.0 - OFF_PILLAR_WEIGHT) * in_pillar


def evidence_terms(
    sentences: Sequence[SentenceEvidence], recency: Mapping[int, float]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each sentence's term in each flag sum and each pillar sum, recency-weighted.

    flag f: ``recency × relevance × strength_f``; pillar p: ``recency × p_pillar ×
    accomplishment``. The scorer saturates the sums; the explanation splits points by them.
    """
    weight = [sentence_recency(s, recency) for s in sentences]
    flags = {f: [w * relevance(s) * strength(s, f) for s, w in zip(sentences, weight,
                                                                    strict=True)]
             for f in ACCOMPLISHMENT_FLAGS}
    pillars = {p: [w * s.pillars.get(p, 0.0) * accomplishment(s)
                   for s, w in zip(sentences, weight, strict=True)] for p in PILLARS}
    return flags, pillars
