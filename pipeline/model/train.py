"""Train the evidence classifier from the project's labelled corpus and real sentences.

written corpus (``models/training/*.jsonl``) → a fixed split by sentence id (80% train, 20% held
out, never trained on) + every sentence of the real labelled set(s) (outside the project, see
:mod:`pipeline.model.realset`; weighted ``real_weight`` each, as the grouped cross-validation of
``scripts/cv_real.py`` chose) → rule features from the spaCy pipeline → the scikit-learn
estimator → ``models/evidence-classifier.joblib`` + its sidecar JSON (hashes of both data
sources, metrics) + the Markdown card. The same inputs and seed give the same file hash.
"""

from __future__ import annotations

import hashlib
import logging
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
import spacy
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from spacy.tokens import Doc

from pipeline import __version__
from pipeline.errors import CorpusError
from pipeline.extract.build import RULES_VERSION, new_nlp
from pipeline.extract.classifier import (
    LABELS,
    EvidenceClassifier,
    ModelFiles,
    build_estimator,
    doc_signals,
    frame,
    save_model,
)
from pipeline.extract.components import PillarGrounding
from pipeline.model.card import write_card
from pipeline.model.evaluate import Evaluation, LabelledUnit, load_labelled, score_predictions
from pipeline.model.realset import RealSet

#: Bumped when the estimator's design changes (features, model family, labels).
MODEL_VERSION = "1.2.0"
#: Weight of one real sentence against one written sentence (chosen by scripts/cv_real.py).
REAL_WEIGHT = 4.0
NO_REAL_SET_NOTICE = ("no real labelled set found (looked for $TRAJECTORY_REAL_SET and "
                      "../shared/data/evidence-train-real.jsonl): training on the written "
                      "corpus alone, which scores much lower on real resumes")

logger = logging.getLogger(__name__)
HOLDOUT_SHARE_PERCENT = 20
NEAR_DUPLICATE_COSINE = 0.9


def is_held_out(sid: str) -> bool:
    """A stable 20% of sentence ids, chosen by hash so adding sentences never moves old ones."""
    bucket = int(hashlib.sha256(sid.encode("utf-8")).hexdigest()[:8], 16) % 100
    return bucket < HOLDOUT_SHARE_PERCENT


def load_corpus(folder: Path) -> list[LabelledUnit]:
    """All ``*.jsonl`` files of a folder, in name order; sentence ids must be unique."""
    units: list[LabelledUnit] = []
    for path in sorted(folder.glob("*.jsonl")):
        units.extend(load_labelled(path))
    ids = [u.sid for u in units]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise CorpusError(f"{folder}: duplicate sentence ids {dupes}")
    return units


def corpus_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def near_duplicate_share(texts: list[str]) -> float:
    """Share of sentences whose nearest other sentence has TF-IDF cosine > 0.9."""
    matrix = TfidfVectorizer(lowercase=True).fit_transform(texts)
    sims = cosine_similarity(matrix)
    np.fill_diagonal(sims, 0.0)
    return float(np.mean(sims.max(axis=1) > NEAR_DUPLICATE_COSINE))


@dataclass(frozen=True)
class TrainResult:
    sha256: str
    n_train: int
    n_heldout: int
    heldout_model: Evaluation
    heldout_rules: Evaluation
    near_duplicate_share: float
    n_real: int = 0
    notices: tuple[str, ...] = ()


def train(corpus: Path, out: ModelFiles, seed: int = 0, real: list[RealSet] | None = None,
          real_weight: float = REAL_WEIGHT) -> TrainResult:
    """Fit the estimator on the written training split plus every real sentence, then write
    the model, sidecar and card.

    ``real``: loaded real sets (:func:`pipeline.model.realset.load_real_sets`); none or empty
    trains on the written corpus alone and says so in ``TrainResult.notices`` and the log.
    """
    units = load_corpus(corpus)
    real = real or []
    notices = () if real else (NO_REAL_SET_NOTICE,)
    for notice in notices:
        logger.warning(notice)
    real_units = [u for r in real for u in r.units]
    clash = {u.sid for u in units} & {u.sid for u in real_units}
    if clash:
        raise CorpusError(f"{corpus}: sentence ids {sorted(clash)[:5]} are also in the real set")
    train_units = [u for u in units if not is_held_out(u.sid)]
    held_units = [u for u in units if is_held_out(u.sid)]

    rules = new_nlp(classifier=False)
    everything = units + real_units
    docs = list(rules.pipe([u.text for u in everything], batch_size=256))
    signals = {u.sid: doc_signals(d) for u, d in zip(everything, docs, strict=True)}
    rule_probs = {u.sid: [d._.evidence[f] for f in LABELS[:4]] + [d._.pillars[p] for p in
                  LABELS[4:]] for u, d in zip(everything, docs, strict=True)}

    def matrix(part: list[LabelledUnit]) -> np.ndarray:
        return np.asarray([u.vector() for u in part], dtype=int)

    fit_units = train_units + real_units
    weights = np.concatenate([np.ones(len(train_units)), np.full(len(real_units), real_weight)])
    estimator = build_estimator(seed)
    estimator.fit(frame([u.text for u in fit_units], [signals[u.sid] for u in fit_units]),
                  matrix(fit_units), classify__sample_weight=weights)

    held_gold = matrix(held_units)
    # Through the shipped components after the rules (classifier, then pillar grounding), so
    # the held-out figures are those of the pipeline that extraction runs.
    by_sid = dict(zip((u.sid for u in everything), docs, strict=True))
    grounding = PillarGrounding()
    if not Doc.has_extension("rule_evidence"):
        Doc.set_extension("rule_evidence", default=None)
    held_docs = [grounding(d) for d in EvidenceClassifier(estimator, MODEL_VERSION).pipe(
        [by_sid[u.sid] for u in held_units])]
    held_probs = np.asarray([[d._.evidence[f] for f in LABELS[:4]]
                             + [d._.pillars[p] for p in LABELS[4:]] for d in held_docs])
    heldout_model = score_predictions(held_gold, held_probs, extractor="model",
                                      gold_name="heldout", gold_sha256="")
    heldout_rules = score_predictions(
        held_gold, np.asarray([rule_probs[u.sid] for u in held_units]), extractor="rules",
        gold_name="heldout", gold_sha256="")

    duplicates = near_duplicate_share([u.text for u in units])
    card = {
        "version": MODEL_VERSION,
        "labels": list(LABELS),
        "threshold": 0.5,
        "seed": seed,
        "corpus": {"folder": corpus.name, "sha256": corpus_sha256(corpus),
                   "files": sorted(p.name for p in corpus.glob("*.jsonl")),
                   "sentences": len(units), "train": len(train_units),
                   "heldout": len(held_units),
                   "near_duplicate_share": round(duplicates, 4)},
        "real": {"weight": real_weight, "sets": [r.fingerprint() for r in real]} if real
        else None,
        "code": {"trajectory": __version__, "rules": RULES_VERSION,
                 "scikit_learn": sklearn.__version__, "spacy": spacy.__version__,
                 "python": platform.python_version()},
        "heldout": {"model": heldout_model.to_json(), "rules": heldout_rules.to_json()},
    }
    digest = save_model(estimator, out, card)
    write_card(out.model)
    return TrainResult(digest, len(train_units), len(held_units), heldout_model, heldout_rules,
                       duplicates, len(real_units), notices)
