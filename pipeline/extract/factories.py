"""Every spaCy factory of the extract stage, registered in one place, each with its contract.

Importing this module registers ``tech_matcher``, ``quantity_finder``, ``evidence_rules``,
``evidence_classifier`` and ``pillar_grounding`` with spaCy; :mod:`pipeline.extract.build`
imports it before adding pipes. The components themselves live in
:mod:`~pipeline.extract.components` (rules) and :mod:`~pipeline.extract.classifier` (the learned
model).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.datafiles import default_model_path
from pipeline.extract.classifier import EvidenceClassifier, ModelFiles, load_model
from pipeline.extract.components import (
    EvidenceScorer,
    PillarGrounding,
    QuantityMarker,
    TechMatcher,
    register_extensions,
)
from pipeline.extract.cues import load_evidence_cues
from pipeline.extract.gazetteer import gazetteer_terms, greek_letters, technical_context
from pipeline.extract.quantities import QuantityFinder
from pipeline.extract.rules import EvidenceRules


@Language.factory(
    "tech_matcher",
    assigns=["doc.spans", "span._.canonical"],
    requires=["token.is_sent_start"],
)
def make_tech_matcher(nlp: Language, name: str) -> TechMatcher:
    """tech_matcher: gazetteer (aws_services.json + tech_terms.yaml) → doc.spans["tech"]."""
    register_extensions()
    return TechMatcher(nlp, gazetteer_terms(), technical_context(), greek_letters())


@Language.factory("quantity_finder", assigns=["doc.spans", "span._.quantity_data"])
def make_quantity_finder(nlp: Language, name: str) -> QuantityMarker:
    """quantity_finder: sentence text → doc.spans["quantity"] with span._.quantity."""
    register_extensions()
    return QuantityMarker(QuantityFinder(load_evidence_cues().quantities))


@Language.factory(
    "evidence_rules",
    assigns=["doc._.evidence", "doc._.pillars"],
    requires=["doc.spans"],
)
def make_evidence_rules(nlp: Language, name: str) -> EvidenceScorer:
    """evidence_rules: tech and quantity spans + cue lexicons → doc._.evidence, doc._.pillars."""
    register_extensions()
    return EvidenceScorer(EvidenceRules(nlp, load_evidence_cues()))


@Language.factory(
    "evidence_classifier",
    assigns=["doc._.evidence", "doc._.pillars", "doc._.rule_evidence"],
    requires=["doc._.evidence", "doc._.pillars", "doc.spans"],
    default_config={"model_path": None},
)
def make_evidence_classifier(
    nlp: Language, name: str, model_path: str | None
) -> EvidenceClassifier:
    """evidence_classifier: rule outputs + text → calibrated flag and pillar probabilities."""
    register_extensions()
    if not Doc.has_extension("rule_evidence"):
        Doc.set_extension("rule_evidence", default=None)
    estimator, card = load_model(ModelFiles(Path(model_path) if model_path
                                            else default_model_path()))
    return EvidenceClassifier(estimator, f"{card.get('version', 'unknown')}-{card['sha256'][:8]}")


@Language.factory(
    "pillar_grounding",
    assigns=["doc._.pillars"],
    requires=["doc._.pillars", "doc.spans"],
)
def make_pillar_grounding(nlp: Language, name: str) -> PillarGrounding:
    """pillar_grounding: a learned pillar counts in full only where the gazetteer names a
    technology of it in context; runs after ``evidence_classifier``."""
    register_extensions()
    return PillarGrounding()
