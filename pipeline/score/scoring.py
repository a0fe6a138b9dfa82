"""Score stage: a candidate's evidence + a rubric → a 0–100 score, a confidence, and why.

The model, in recruiter terms (the README walks through an example):

* Each distinct accomplishment sentence has a *strength* per flag f (velocity, proactive,
  outcome), see :mod:`pipeline.score.strength`, times its *recency*: ``0.5 ^ (age / half-life)``,
  age being the career-years worked since its role ended (:mod:`pipeline.score.features`).
* A flag's sub-score is ``100 × (1 − exp(−Σ strength / K_FLAG))``: the first strong sentences
  matter most and the sub-score saturates, so piling on more of the same buys little.
* A pillar's sub-score is the same curve over the pillar's accomplishment sentences
  (``Σ pillar_share × max_f strength_f``, :func:`pipeline.score.terms.pillar_share`), so a
  service only listed earns nothing.
* The trajectory sub-score is ``100 × Σ weight(f) × value(f)`` over the trajectory features
  (growth, promotion pace, certification pace, breadth, depth, consistency).
* ``score = mix.evidence × Σ w_f S_f / 100 + mix.pillar_fit × Σ w_p P_p / 100
  + mix.trajectory × T / 100 + certification points (capped) + tenure points (saturating)
  − must-have penalty``, clipped to [0, 100]. The penalty is ``mix.must_have_penalty`` per
  missing must-have (half of it when a duty line names it), but never more than half the
  evidence and pillar points earned. Trajectory and tenure points are scaled by *field fit*
  (:func:`pipeline.terms.field_fit`): a career in another field earns neither. The rubric sets
  every weight; years of experience enter only through the saturating tenure points.
* ``confidence = (1 − exp(−E / 2)) × (0.6 + 0.4 × share of roles with dates)``, E being the
  total accomplishment strength: a score resting on little evidence is reported as such.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache

from pipeline.records import (
    ACCOMPLISHMENT_FLAGS,
    PILLARS,
    CandidateEvidence,
    Explanation,
    Feature,
    ScoredCandidate,
    SentenceEvidence,
)
from pipeline.score.attribution import explain_evidence
from pipeline.score.features import recency_weights, trajectory_features
from pipeline.score.rubric import MustHave, Rubric
from pipeline.score.strength import MUST_HAVE_STRENGTH, accomplishment, distinct_sentences
from pipeline.score.terms import evidence_terms, field_fit
from pipeline.score.timeline import build_timeline

#: Recorded with every stored explanation; bump when the formula changes.
SCORER_VERSION = "trajectory-2.1.0"
#: Evidence units at which a flag sub-score reaches 63% (1 − 1/e) of its maximum.
K_FLAG = 1.5
#: Same for a pillar sub-score.
K_PILLAR = 1.0
#: Accomplishment strength at which confidence reaches 63% of its maximum.
K_CONFIDENCE = 2.0
TOP_EVIDENCE = 3
#: Relevant accomplishment strength at which field fit reaches 63%: trajectory and tenure
#: points are earned in proportion to field fit, so a career in another field earns none.
K_FIT = 1.0
#: Share of a must-have's penalty still taken when it is named in a duty, not an accomplishment.
DUTY_SHARE = 0.5
#: The must-have penalty takes at most this share of the evidence and pillar points, so a
#: candidate with some evidence in the field stays above one with none.
MAX_PENALTY_SHARE = 0.5


def _saturate(total: float, k: float) -> float:
    return 100.0 * (1.0 - math.exp(-total / k))


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t.lower()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def meets(must_have: MustHave, sentence: SentenceEvidence, *, as_duty: bool = False) -> bool:
    """Whether an accomplishment sentence shows a must-have (a listing never does).

    ``as_duty=True`` asks whether a line of work (experience or projects, not a listing) names
    it at all, as a duty: that halves the penalty (:data:`DUTY_SHARE`) rather than removing it.
    """
    if as_duty:
        if sentence.section not in ("experience", "projects") or sentence.flag("listing") >= 0.5:
            return False
    elif accomplishment(sentence) < MUST_HAVE_STRENGTH:
        return False
    if must_have.pillar is not None and sentence.pillars.get(must_have.pillar, 0.0) >= 0.5:
        return True
    if must_have.terms:
        pattern = _term_pattern(must_have.terms)
        haystack = " ".join([sentence.text, *(m.canonical for m in sentence.mentions)]).lower()
        return pattern.search(haystack) is not None
    return False


def certification_points(evidence: CandidateEvidence, rubric: Rubric,
                         fit: float = 1.0) -> tuple[float, list[str]]:
    """Points for distinct certifications by ladder level, capped; and their names.

    Certifications off the AWS ladder (level ``other``: Six Sigma, a nursing licence, CCNA)
    earn their points times ``fit``, the candidate's field fit: they count when the work is
    in the role's field.
    """
    credit = rubric.certifications
    names: dict[str, float] = {}
    for cert in evidence.certifications:
        points = getattr(credit, cert.level)
        names.setdefault(cert.name, points * fit if cert.level == "other" else points)
    return min(sum(names.values()), credit.cap), list(names)


def tenure_points(years: float, rubric: Rubric) -> float:
    """Tenure's saturating contribution under the rubric's policy."""
    policy = rubric.tenure
    return policy.max_points * min(years, policy.saturation_years) / policy.saturation_years


def sub_scores(
    sentences: Sequence[SentenceEvidence], recency: Mapping[int, float], rubric: Rubric
) -> tuple[dict[str, float], dict[str, float]]:
    """Flag and pillar sub-scores (0–100) of distinct sentences under recency weights, each
    sentence's evidence weighed by its relevance to the rubric."""
    flag_terms, pillar_terms = evidence_terms(sentences, recency, rubric)
    flags = {f: _saturate(sum(t), K_FLAG) for f, t in flag_terms.items()}
    pillars = {p: _saturate(sum(t), K_PILLAR) for p, t in pillar_terms.items()}
    return flags, pillars


def _evidence_points(flags: Mapping[str, float], pillars: Mapping[str, float],
                     rubric: Rubric) -> tuple[float, float]:
    flag_w = rubric.evidence_weights.normalised()
    pillar_w = rubric.pillar_weights.normalised()
    return (rubric.mix.evidence * sum(flag_w[f] * flags[f] for f in ACCOMPLISHMENT_FLAGS) / 100,
            rubric.mix.pillar_fit * sum(pillar_w[p] * pillars[p] for p in PILLARS) / 100)


def confidence(sentences: Sequence[SentenceEvidence], dated_roles: int, roles: int) -> float:
    """How much the score rests on: amount of accomplishment evidence and dated roles (0–1)."""
    amount = 1.0 - math.exp(-sum(accomplishment(s) for s in sentences) / K_CONFIDENCE)
    dated = dated_roles / roles if roles else 0.5
    return amount * (0.6 + 0.4 * dated)


def score_candidate(evidence: CandidateEvidence, rubric: Rubric, as_of: date) -> ScoredCandidate:
    """Score one candidate against one rubric; ``as_of`` ends "present" roles.

    Deterministic: the same evidence, rubric and ``as_of`` give the same result.
    """
    sentences = distinct_sentences(evidence.sentences)
    timeline = build_timeline(evidence.resume.roles, sentences, as_of)
    recency = recency_weights(timeline, rubric.trajectory.recency_half_life_years)
    flag_scores, pillar_scores = sub_scores(sentences, recency, rubric)
    evidence_pts, pillar_pts = _evidence_points(flag_scores, pillar_scores, rubric)
    undiscounted = sum(_evidence_points(*sub_scores(sentences, {}, rubric), rubric))
    fit = field_fit(sentences, rubric, K_FIT)

    features = trajectory_features(timeline, sentences, evidence.certifications, pillar_scores,
                                   rubric)
    feature_w = rubric.trajectory.weights.normalised()
    trajectory = 100.0 * sum(feature_w[f.name] * f.value for f in features)

    unmet = [m for m in rubric.must_haves if not any(meets(m, s) for s in sentences)]
    missing = tuple(m.description for m in unmet)
    as_duty = sum(1 for m in unmet if any(meets(m, s, as_duty=True) for s in sentences))
    cert_points, cert_names = certification_points(evidence, rubric, fit)
    components = {
        "evidence": evidence_pts,
        "pillar_fit": pillar_pts,
        "trajectory": fit * rubric.mix.trajectory * trajectory / 100.0,
        "certifications": cert_points,
        "tenure": fit * tenure_points(timeline.tenure_years, rubric),
        "must_have_penalty": 0.0 - min(
            rubric.mix.must_have_penalty * (len(missing) - (1.0 - DUTY_SHARE) * as_duty),
            MAX_PENALTY_SHARE * (evidence_pts + pillar_pts)),
    }
    total = min(100.0, max(0.0, sum(components.values())))
    quoted = explain_evidence(sentences, recency, flag_scores, pillar_scores, rubric, timeline)
    by_text = {s.text: s for s in sentences}
    top = tuple(by_text[c.text] for c in quoted
                if c.points > 0 and accomplishment(by_text[c.text]) >= MUST_HAVE_STRENGTH
                )[:TOP_EVIDENCE]

    dated = sum(1 for r in timeline.roles if r.start is not None)
    conf = confidence(sentences, dated, len(timeline.roles))
    recency_feature = Feature(
        "recency", round((evidence_pts + pillar_pts) / undiscounted, 3) if undiscounted else 1.0,
        round(evidence_pts + pillar_pts - undiscounted, 2),
        f"strength × 0.5^(career-years since the role ended / "
        f"{rubric.trajectory.recency_half_life_years:g})",
        "share of evidence and pillar points kept after discounting older roles "
        "(already inside those points)")
    explanation = Explanation(
        rubric=rubric.name, rubric_version=rubric.version, scorer_version=SCORER_VERSION,
        extractor_version=evidence.extractor_version, as_of=as_of, timeline=timeline,
        features=(*features, recency_feature),
        components={k: round(v, 2) for k, v in components.items()},
        evidence=quoted, must_haves_missing=missing,
        confidence_reason=(f"{sum(accomplishment(s) for s in sentences):.1f} units of "
                           f"accomplishment evidence; {dated} of {len(timeline.roles)} "
                           "roles dated"),
    )
    return ScoredCandidate(
        candidate_id=evidence.resume.candidate_id,
        content_hash=evidence.content_hash,
        score=round(total, 2),
        velocity=round(flag_scores["velocity"], 1),
        proactive=round(flag_scores["proactive"], 1),
        outcome=round(flag_scores["outcome"], 1),
        pillars={p: round(v, 1) for p, v in pillar_scores.items()},
        tenure_years=timeline.tenure_years,
        certifications=tuple(cert_names),
        must_haves_missing=missing,
        top_evidence=top,
        components={k: round(v, 2) for k, v in components.items()},
        rubric=rubric.name,
        rubric_version=rubric.version,
        trajectory=round(trajectory, 1),
        confidence=round(conf, 2),
        explanation=explanation,
    )


def rank(scored: Iterable[ScoredCandidate]) -> list[ScoredCandidate]:
    """Best first; ties broken by candidate id so the order never depends on input order."""
    return sorted(scored, key=lambda c: (-c.score, c.candidate_id))


def score_and_rank(
    evidence: Iterable[CandidateEvidence], rubric: Rubric, as_of: date
) -> list[ScoredCandidate]:
    """Score every candidate of a batch and rank them (the flow's score stage)."""
    return rank(score_candidate(e, rubric, as_of) for e in evidence)


def score_each(
    evidence: Iterable[CandidateEvidence], rubric: Rubric, as_of: date
) -> tuple[list[ScoredCandidate], list[tuple[CandidateEvidence, Exception]]]:
    """:func:`score_and_rank`, isolating candidates: the ranking of every candidate that
    scored, and each one whose scoring raised with its exception (for the quarantine)."""
    scored: list[ScoredCandidate] = []
    failed: list[tuple[CandidateEvidence, Exception]] = []
    for e in evidence:
        try:
            scored.append(score_candidate(e, rubric, as_of))
        except Exception as err:  # noqa: BLE001  (per-resume isolation; pipeline.isolation)
            failed.append((e, err))
    return rank(scored), failed
