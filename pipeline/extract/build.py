"""The extract pipeline: ``spacy.blank("en")`` + sentencizer + tech/quantity/evidence rules,
then the trained evidence classifier shipped in ``models/``.

No statistical spaCy model and no network: everything comes from ``pipeline/data`` and the
project's own ``models/evidence-classifier.joblib`` (override the folder with
``TRAJECTORY_MODEL_DIR``). A missing or modified model file is a :class:`ModelError`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language

import pipeline.extract.factories  # noqa: F401  (registers every factory)
from pipeline.extract.classifier import EvidenceClassifier

#: Version of the rule components; bumped whenever a rule, cue file or the gazetteer changes.
RULES_VERSION = "rules-1.1.0"

RULE_PIPES: tuple[str, ...] = ("sentencizer", "tech_matcher", "quantity_finder", "evidence_rules")



@lru_cache(maxsize=1)
def build_rules_nlp() -> Language:
    """The rule-based extractor alone (no model), built once per process."""
    return new_nlp(classifier=False)


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The full extract pipeline (rules + classifier), built once per process.

    Callers must not add or remove pipes on the shared object; use :func:`new_nlp` for that.
    """
    return new_nlp()


def new_nlp(classifier: bool = True, model_path: Path | None = None) -> Language:
    """A fresh pipeline; ``classifier=False`` gives the rule-based extractor alone.

    ``nlp.meta["extractor_version"]`` names what produced the evidence, e.g.
    ``rules-1.0.0+model-1.0.0-3f2a9c1d``; it is stored with every extraction.
    """
    nlp = spacy.blank("en")
    for name in RULE_PIPES:
        nlp.add_pipe(name)
    version = RULES_VERSION
    if classifier:
        config = {"model_path": str(model_path)} if model_path else {}
        component = cast(EvidenceClassifier, nlp.add_pipe("evidence_classifier", config=config))
        nlp.add_pipe("pillar_grounding")
        version = f"{RULES_VERSION}+model-{component.version}"
    nlp.meta["extractor_version"] = version
    return nlp


def extractor_version(nlp: Language) -> str:
    """What produced a pipeline's evidence (see :func:`new_nlp`)."""
    return str(nlp.meta.get("extractor_version", RULES_VERSION))
