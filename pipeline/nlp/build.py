"""The extract pipeline: ``spacy.blank("en")`` + sentencizer + tech/quantity/evidence rules.

No statistical model and no network: everything comes from the files in ``pipeline/data``.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

import pipeline.nlp.components  # noqa: F401  (registers the factories)

#: Bumped whenever a rule, a cue file or the gazetteer changes what extract produces.
EXTRACTOR_VERSION = "rules-1.0.0"

PIPE_NAMES: tuple[str, ...] = ("sentencizer", "tech_matcher", "quantity_finder", "evidence_rules")


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The extract pipeline, built once per process (≈0.2 s; later calls return the same one).

    Callers must not add or remove pipes on the shared object; build a fresh pipeline with
    :func:`new_nlp` for that.
    """
    return new_nlp()


def new_nlp() -> Language:
    """A fresh extract pipeline (not cached)."""
    nlp = spacy.blank("en")
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp
