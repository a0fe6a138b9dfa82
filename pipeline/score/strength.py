"""How much one sentence counts as evidence: the unit every score and feature is built from.

``strength(s, f) = lift(p_f) × (1 − p_listing) × section_weight``, where
``lift(p) = max(0, p − NOISE_FLOOR) / (1 − NOISE_FLOOR)``: the small probabilities every
ordinary duty line gets do not add up over a long resume, a skills list has weight 0, and a
sentence written twice counts once (:func:`distinct_sentences`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.neardup import distinct_indices
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

def distinct_sentences(sentences: Iterable[SentenceEvidence]) -> list[SentenceEvidence]:
    """Sentences with repeats and near-duplicates removed, in reading order
    (:func:`pipeline.neardup.distinct_indices`: case, punctuation and bullets ignored, and a
    sentence that shares 80% of its words with another counts as that one), so repetition is
    not evidence, whatever the file size. Of a group of near-duplicates the one in the
    section that weighs most (:data:`SECTION_WEIGHT`) is kept, then the first: a bullet
    repeated in the summary still counts as experience."""
    listed = list(sentences)
    order = sorted(range(len(listed)), key=lambda i: -SECTION_WEIGHT.get(listed[i].section, 0.0))
    kept = {order[j] for j in distinct_indices([listed[i].text for i in order])}
    return [listed[i] for i in sorted(kept)]


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
