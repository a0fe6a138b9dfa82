"""The per-sentence terms every evidence and pillar sub-score sums, in one place.

The scorer saturates the sums (:func:`pipeline.score.scoring.sub_scores`); the explanation
splits each sub-score's points between sentences by their terms (:mod:`pipeline.score.attribution`).

A sentence's evidence counts toward a rubric in proportion to its *relevance* to that rubric
(:func:`relevance`): how far it lies in the pillars the rubric weighs, or shows one of its
must-haves. An accomplishment outside the role's field earns close to nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from pipeline.records import ACCOMPLISHMENT_FLAGS, PILLARS, SentenceEvidence
from pipeline.score.features import sentence_recency
from pipeline.score.rubric import Rubric
from pipeline.score.strength import SECTION_WEIGHT, accomplishment, strength

#: What an accomplishment in none of the rubric's pillars is worth next to one in its most
#: weighted pillar: a ward's medication errors halved is real evidence, but of nursing.
OFF_FIELD_WEIGHT = 0.0
#: In-field values below this are noise: small pillar probabilities on every sentence of a
#: long off-field resume must not add up to one sentence in the field.
FIELD_NOISE = 0.2
#: What a duty in the field adds to field fit, next to an accomplishment in it.
MENTIONED_FIT = 0.2


@lru_cache(maxsize=64)
def _must_have_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t.lower()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def relevance(sentence: SentenceEvidence, rubric: Rubric) -> float:
    """How much a sentence bears on the rubric's role (OFF_FIELD_WEIGHT – 1).

    ``in_field = max_p p_p × (Σ_p w_p × p_p / Σ_p p_p) / max_p w_p``: how surely the sentence
    is in some pillar, times the weighted mean of the rubric's pillar weights over the pillars
    it is in, relative to the top weight, lifted over FIELD_NOISE. It is 1 if a must-have's
    terms are named beside a technology, and never below OFF_FIELD_WEIGHT. A sentence wholly
    in the rubric's most weighted pillar counts fully, one shared with a pillar the rubric
    weighs little counts less, one in no pillar nothing.

    e.g. with data 0.5 and event_driven 0.2 of the weights, an Aurora result (data 1.0) has
    relevance 1.0, a Kinesis result (event_driven 1.0) 0.25 ((0.4 − 0.2) / 0.8), and a result
    naming both 0.625.
    """
    weights = rubric.pillar_weights.normalised()
    top = max(weights.values())
    mass = sum(sentence.pillars.get(p, 0.0) for p in PILLARS)
    in_pillars = 0.0
    if mass > 0:
        weighted = sum(weights[p] * sentence.pillars.get(p, 0.0) for p in PILLARS) / mass
        in_pillars = max(sentence.pillars.get(p, 0.0) for p in PILLARS) * weighted / top
        in_pillars = max(0.0, in_pillars - FIELD_NOISE) / (1.0 - FIELD_NOISE)
    named = 0.0
    # A must-have's words count only beside a named technology: "audit" and "vault" alone are
    # a bank's, "audit logging with CloudTrail" is the role's.
    if sentence.mentions and any(m.terms for m in rubric.must_haves):
        haystack = " ".join([sentence.text, *(m.canonical for m in sentence.mentions)]).lower()
        for must in rubric.must_haves:
            pattern = _must_have_pattern(must.terms)
            if pattern is not None and pattern.search(haystack):
                named = 1.0
                break
    return max(OFF_FIELD_WEIGHT, min(1.0, max(in_pillars, named)))


def pillar_share(sentence: SentenceEvidence, pillar: str) -> float:
    """``p_pillar × sqrt(p_pillar / Σ p)``: a sentence spread over several pillars counts less
    in each, so one DynamoDB sentence among Lambda and SQS is not a data-platform outcome.

    e.g. one pillar at 1.0 → 1.0; three pillars at 1.0 → 0.58 in each.
    """
    value = sentence.pillars.get(pillar, 0.0)
    mass = sum(sentence.pillars.get(p, 0.0) for p in PILLARS)
    return value * math.sqrt(value / mass) if mass > 0 else 0.0


def evidence_terms(
    sentences: Sequence[SentenceEvidence], recency: Mapping[int, float], rubric: Rubric
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each sentence's term in each flag sum and each pillar sum, recency-weighted.

    flag f: ``recency × relevance × strength_f``; pillar p: ``recency × pillar_share ×
    accomplishment``. The scorer saturates the sums; the explanation splits points by them.
    """
    weight = [sentence_recency(s, recency) for s in sentences]
    fit = [relevance(s, rubric) for s in sentences]
    flags = {f: [w * r * strength(s, f) for s, w, r in zip(sentences, weight, fit, strict=True)]
             for f in ACCOMPLISHMENT_FLAGS}
    pillars = {p: [w * pillar_share(s, p) * accomplishment(s)
                   for s, w in zip(sentences, weight, strict=True)] for p in PILLARS}
    return flags, pillars


def field_fit(sentences: Sequence[SentenceEvidence], rubric: Rubric, k: float) -> float:
    """How much of the candidate's work lies in the rubric's field (0–1).

    ``1 − exp(−Σ relevance × (MENTIONED + (1 − MENTIONED) × accomplishment) / k)`` over the
    sentences of work (not skills or certification lines, not listings) above
    OFF_FIELD_WEIGHT: an accomplishment in a weighted pillar counts fully, a duty in one a
    little, work in another field nothing, and a skills list cannot buy fit.
    """
    total = 0.0
    for s in sentences:
        if SECTION_WEIGHT.get(s.section, 0.0) == 0.0 or s.flag("listing") >= 0.5:
            continue
        r = relevance(s, rubric)
        if r > OFF_FIELD_WEIGHT:
            total += r * (MENTIONED_FIT + (1.0 - MENTIONED_FIT) * accomplishment(s))
    return 1.0 - math.exp(-total / k)


