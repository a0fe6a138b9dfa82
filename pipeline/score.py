"""Score stage: a candidate's evidence + a rubric → a 0–100 score with what explains it.

The model, in recruiter terms (the README walks through an example):

* Each distinct accomplishment sentence has a *strength* per flag f (velocity, proactive,
  outcome): ``lift(p_f) × (1 − p_listing) × section_weight``, where
  ``lift(p) = max(0, p − NOISE_FLOOR) / (1 − NOISE_FLOOR)`` so the small probabilities every
  ordinary duty line gets do not add up over a long resume. A skills list has weight 0; the
  same sentence written twice counts once.
* A flag's sub-score is ``100 × (1 − exp(−Σ strength / K_FLAG))``: the first strong sentences
  matter most and the sub-score saturates, so piling on more of the same buys little.
* A pillar's sub-score is the same curve over the pillar's accomplishment sentences
  (``Σ p_pillar × max_f strength_f``), so a service only listed earns nothing.
* ``score = mix.evidence × Σ w_f S_f / 100 + mix.pillar_fit × Σ w_p P_p / 100
  + certification points (capped) + tenure points (saturating) − must-have penalty``, clipped
  to [0, 100]. The penalty is ``mix.must_have_penalty`` per missing must-have, but never more
  than the evidence and pillar points earned: a missing must-have discounts evidence, it does
  not take away certification or tenure credit. The rubric sets every weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from pipeline.records import (
    ACCOMPLISHMENT_FLAGS,
    PILLARS,
    CandidateEvidence,
    ScoredCandidate,
    SentenceEvidence,
)
from pipeline.rubric import MustHave, Rubric
from pipeline.timeline import tenure_years

#: How much a sentence counts by where it stands. Skills and certification lines are never
#: accomplishments; a summary is the candidate's own claim, so it counts for little.
SECTION_WEIGHT: dict[str, float] = {
    "experience": 1.0,
    "projects": 0.8,
    "other": 0.5,
    "summary": 0.3,
    "education": 0.3,
    "skills": 0.0,
    "certifications": 0.0,
}

#: Probability below which a flag is noise, not weak evidence: eighteen years of duty lines at
#: p=0.05 must not add up to the strength of one real accomplishment.
NOISE_FLOOR = 0.2
#: Evidence units at which a flag sub-score reaches 63% (1 − 1/e) of its maximum.
K_FLAG = 1.5
#: Same for a pillar sub-score.
K_PILLAR = 1.0
#: Accomplishment strength a sentence needs to meet a must-have or be quoted.
MUST_HAVE_STRENGTH = 0.45
TOP_EVIDENCE = 3

_NON_WORD = re.compile(r"[^a-z0-9]+")


def _saturate(total: float, k: float) -> float:
    return 100.0 * (1.0 - math.exp(-total / k))


def _dedupe_key(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def distinct_sentences(sentences: Iterable[SentenceEvidence]) -> list[SentenceEvidence]:
    """Sentences with repeats removed (case, punctuation and bullets ignored), first kept."""
    seen: set[str] = set()
    kept: list[SentenceEvidence] = []
    for s in sentences:
        key = _dedupe_key(s.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(s)
    return kept


def strength(sentence: SentenceEvidence, flag: str) -> float:
    """How much one sentence counts as evidence of ``flag`` (0–1)."""
    weight = SECTION_WEIGHT.get(sentence.section, 0.0)
    lifted = max(0.0, sentence.flag(flag) - NOISE_FLOOR) / (1.0 - NOISE_FLOOR)
    return lifted * (1.0 - sentence.flag("listing")) * weight


def accomplishment(sentence: SentenceEvidence) -> float:
    """The sentence's strongest accomplishment strength (0–1)."""
    return max(strength(sentence, f) for f in ACCOMPLISHMENT_FLAGS)


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t.lower()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def meets(must_have: MustHave, sentence: SentenceEvidence) -> bool:
    """Whether an accomplishment sentence shows a must-have (a listing never does)."""
    if accomplishment(sentence) < MUST_HAVE_STRENGTH:
        return False
    if must_have.pillar is not None and sentence.pillars.get(must_have.pillar, 0.0) >= 0.5:
        return True
    if must_have.terms:
        pattern = _term_pattern(must_have.terms)
        haystack = " ".join([sentence.text, *(m.canonical for m in sentence.mentions)]).lower()
        return pattern.search(haystack) is not None
    return False


def certification_points(evidence: CandidateEvidence, rubric: Rubric) -> tuple[float, list[str]]:
    """Points for distinct certifications by ladder level, capped; and their names."""
    credit = rubric.certifications
    names: dict[str, float] = {}
    for cert in evidence.certifications:
        names.setdefault(cert.name, getattr(credit, cert.level))
    return min(sum(names.values()), credit.cap), list(names)


def tenure_points(years: float, rubric: Rubric) -> float:
    """Tenure's saturating contribution under the rubric's policy."""
    policy = rubric.tenure
    return policy.max_points * min(years, policy.saturation_years) / policy.saturation_years


def score_candidate(evidence: CandidateEvidence, rubric: Rubric, as_of: date) -> ScoredCandidate:
    """Score one candidate against one rubric; ``as_of`` ends "present" roles.

    Deterministic: the same evidence, rubric and ``as_of`` give the same result.
    """
    sentences = distinct_sentences(evidence.sentences)
    flag_w = rubric.evidence_weights.normalised()
    pillar_w = rubric.pillar_weights.normalised()

    flag_scores = {
        f: _saturate(sum(strength(s, f) for s in sentences), K_FLAG) for f in ACCOMPLISHMENT_FLAGS
    }
    pillar_scores = {
        p: _saturate(sum(s.pillars.get(p, 0.0) * accomplishment(s) for s in sentences), K_PILLAR)
        for p in PILLARS
    }
    evidence_part = sum(flag_w[f] * flag_scores[f] for f in ACCOMPLISHMENT_FLAGS)
    pillar_part = sum(pillar_w[p] * pillar_scores[p] for p in PILLARS)

    missing = tuple(
        m.description for m in rubric.must_haves if not any(meets(m, s) for s in sentences)
    )
    cert_points, cert_names = certification_points(evidence, rubric)
    years = tenure_years(evidence.resume.roles, as_of)
    earned = (rubric.mix.evidence * evidence_part + rubric.mix.pillar_fit * pillar_part) / 100.0
    components = {
        "evidence": rubric.mix.evidence * evidence_part / 100.0,
        "pillar_fit": rubric.mix.pillar_fit * pillar_part / 100.0,
        "certifications": cert_points,
        "tenure": tenure_points(years, rubric),
        "must_have_penalty": -min(rubric.mix.must_have_penalty * len(missing), earned),
    }
    total = min(100.0, max(0.0, sum(components.values())))

    def contribution(s: SentenceEvidence) -> float:
        flags = sum(flag_w[f] * strength(s, f) for f in ACCOMPLISHMENT_FLAGS)
        fit = sum(pillar_w[p] * s.pillars.get(p, 0.0) for p in PILLARS)
        return flags * (0.5 + fit)

    ranked = sorted(sentences, key=lambda s: (-round(contribution(s), 9), s.text))
    top = tuple(s for s in ranked if accomplishment(s) >= MUST_HAVE_STRENGTH)[:TOP_EVIDENCE]

    return ScoredCandidate(
        candidate_id=evidence.resume.candidate_id,
        content_hash=evidence.content_hash,
        score=round(total, 2),
        velocity=round(flag_scores["velocity"], 1),
        proactive=round(flag_scores["proactive"], 1),
        outcome=round(flag_scores["outcome"], 1),
        pillars={p: round(v, 1) for p, v in pillar_scores.items()},
        tenure_years=years,
        certifications=tuple(cert_names),
        must_haves_missing=missing,
        top_evidence=top,
        components={k: round(v, 2) for k, v in components.items()},
        rubric=rubric.name,
        rubric_version=rubric.version,
    )


def rank(scored: Iterable[ScoredCandidate]) -> list[ScoredCandidate]:
    """Best first; ties broken by candidate id so the order never depends on input order."""
    return sorted(scored, key=lambda c: (-c.score, c.candidate_id))
