"""The validated cue lexicons of ``pipeline/data/evidence_cues.yaml``.

The file is data (see its header); this module only declares its shape, so a typo such as
``strong_verb:`` fails on load with ``evidence_cues.yaml: velocity.strong_verb: Extra inputs
are not permitted`` instead of silently disabling a rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.datafiles import data_path, load_model

EVIDENCE_CUES_FILE = "evidence_cues.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return patterns


class Levels(_Strict):
    """Rule confidence levels; each a probability."""

    strong: float = Field(ge=0, le=1)
    weak: float = Field(ge=0, le=1)
    hint: float = Field(ge=0, le=1)
    negated: float = Field(ge=0, le=1)
    none: float = Field(ge=0, le=1)
    listing_cap: float = Field(ge=0, le=1)


class VelocityCues(_Strict):
    strong_verbs: tuple[str, ...]
    strong_phrases: tuple[str, ...] = ()
    weak_verbs: tuple[str, ...] = ()
    pace_patterns: tuple[str, ...] = ()

    _check = field_validator("pace_patterns")(_check_patterns)


class ProactiveCues(_Strict):
    strong_verbs: tuple[str, ...]
    strong_phrases: tuple[str, ...] = ()
    weak_verbs: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    _check = field_validator("patterns")(_check_patterns)


class OutcomeCues(_Strict):
    result_verbs: tuple[str, ...]
    metric_nouns: tuple[str, ...]
    strong_patterns: tuple[str, ...] = ()
    weak_patterns: tuple[str, ...] = ()

    _check = field_validator("strong_patterns", "weak_patterns")(_check_patterns)


class NegatorCues(_Strict):
    duty_phrases: tuple[str, ...]
    deference_phrases: tuple[str, ...] = ()
    intention_phrases: tuple[str, ...]


class ListingCues(_Strict):
    labels: tuple[str, ...]
    phrases: tuple[str, ...]
    separators: tuple[str, ...]
    min_items: int = Field(ge=2)
    max_mean_item_tokens: float = Field(gt=0)


class QuantityCues(_Strict):
    down_verbs: tuple[str, ...]
    down_words: tuple[str, ...]
    up_verbs: tuple[str, ...]
    up_words: tuple[str, ...]
    version_words: tuple[str, ...]


class CueObjects(_Strict):
    """Nouns that tell a change ("led the migration") from routine ("led the stand-up")."""

    window: int = Field(ge=1)
    change: tuple[str, ...]
    routine: tuple[str, ...]


class EvidenceCues(_Strict):
    """The whole of ``evidence_cues.yaml``."""

    version: int
    levels: Levels
    velocity: VelocityCues
    proactive: ProactiveCues
    outcome: OutcomeCues
    negators: NegatorCues
    listing: ListingCues
    quantities: QuantityCues
    cue_objects: CueObjects


@lru_cache(maxsize=1)
def load_evidence_cues() -> EvidenceCues:
    """The validated cue file; DataFileError names the file and the field on failure."""
    return load_model(data_path(EVIDENCE_CUES_FILE), EvidenceCues)
