"""How much one sentence counts as evidence: the unit every score and feature is built from.

``strength(s, f) = lift(p_f) × (1 − p_listing) × section_weight``, where
``lift(p) = max(0, p − NOISE_FLOOR) / (1 − NOISE_FLOOR)``: the small probabilities every
ordinary duty line gets do not add up over a long resume, a skills list has weight 0, and a
sentence written twice counts once (:func:`distinct_sentences`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.records import ACCOMPLISHMENT_FLAGS, SentenceEvidence

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
#: Accomplishment strength a sentence needs to meet a must-have, be quoted, or show ownership.
MUST_HAVE_STRENGTH = 0.45

_NON_WORD = re.compile(r"[^a-z0-9]+")


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
    """How much one sentence counts as evidence of ``flag`` (0–1).

    >>> s = SentenceEvidence("Led it.", "experience", 0, {"velocity": 0.6}, {})
    >>> round(strength(s, "velocity"), 2)
    0.5
    """
    weight = SECTION_WEIGHT.get(sentence.section, 0.0)
    lifted = max(0.0, sentence.flag(flag) - NOISE_FLOOR) / (1.0 - NOISE_FLOOR)
    return lifted * (1.0 - sentence.flag("listing")) * weight


def accomplishment(sentence: SentenceEvidence) -> float:
    """The sentence's strongest accomplishment strength (0–1)."""
    return max(strength(sentence, f) for f in ACCOMPLISHMENT_FLAGS)
