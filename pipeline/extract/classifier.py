"""The learned evidence classifier: a scikit-learn Pipeline inside the spaCy pipeline.

Input per sentence: its text and a string of *signals* that the rule components computed on the
Doc (rule flag levels, gazetteer pillars, quantified results with their direction, list shape).
Output: a calibrated probability for each of the four evidence flags and the five pillars.

The estimator is plain scikit-learn (word and character TF-IDF n-grams + the signals, then one
sigmoid-calibrated logistic regression per label), persisted with joblib beside a JSON sidecar
that records the file's SHA-256; :func:`load_model` refuses a file whose hash differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import Pipeline
from spacy.tokens import Doc

from pipeline.errors import ModelError
from pipeline.extract.components import NO_PILLAR, QUANTITY_KEY, TECH_KEY
from pipeline.extract.cues import load_evidence_cues
from pipeline.extract.inflect import inflections
from pipeline.hashing import file_sha256
from pipeline.records import EVIDENCE_FLAGS, PILLARS

#: The labels the model predicts, in column order.
LABELS: tuple[str, ...] = (*EVIDENCE_FLAGS, *PILLARS)


def _level(p: float) -> str:
    return "hi" if p >= 0.8 else "mid" if p >= 0.5 else "lo"


@dataclass(frozen=True)
class _CueObjects:
    verbs: dict[str, str]  # word form → "vel" | "pro"
    change: frozenset[str]
    routine: frozenset[str]
    window: int


@lru_cache(maxsize=1)
def _cue_objects() -> _CueObjects:
    """The single-word forms of the ownership ("vel") and initiative ("pro") verbs and the
    nouns that tell a change from routine, built once per process from the cue file."""
    cues = load_evidence_cues()
    kinds = {"vel": (*cues.velocity.strong_verbs, *cues.velocity.weak_verbs),
             "pro": (*cues.proactive.strong_verbs, *cues.proactive.weak_verbs)}
    forms: dict[str, str] = {}
    for kind, verbs in kinds.items():
        for verb in verbs:
            for form in inflections(verb):
                forms.setdefault(form.split()[0].lower(), kind)
    objects = cues.cue_objects
    return _CueObjects(forms, frozenset(objects.change), frozenset(objects.routine),
                       objects.window)


def _object_signals(doc: Doc) -> list[str]:
    """What each cue verb acts on: ``obj_vel_change`` ("led the migration"), ``obj_vel_routine``
    ("led the daily stand-up") or ``obj_vel_other``; the same for initiative verbs (``obj_pro_*``).
    """
    cues = _cue_objects()
    signals = set()
    words = [t.lower_ for t in doc]
    for i, word in enumerate(words):
        kind = cues.verbs.get(word)
        if kind is None:
            continue
        after = words[i + 1:i + 1 + cues.window]
        found = ("routine" if cues.routine.intersection(after)
                 else "change" if cues.change.intersection(after) else "other")
        signals.add(f"obj_{kind}_{found}")
    return sorted(signals)


def doc_signals(doc: Doc) -> str:
    """The spaCy-computed features of one sentence as space-separated tokens.

    e.g. ``"rule_velocity_hi rule_outcome_hi gaz_event_driven qty_down qty_pct tech_2 ..."``
    """
    signals = [f"rule_{flag}_{_level(p)}" for flag, p in (doc._.evidence or {}).items()]
    tech = list(doc.spans.get(TECH_KEY, ()))
    signals += sorted({f"gaz_{s.label_}" for s in tech if s.label_ != NO_PILLAR})
    signals.append(f"tech_{min(len(tech), 4)}")
    for span in doc.spans.get(QUANTITY_KEY, ()):
        quantity = span._.quantity
        if quantity is not None:
            signals.append(f"qty_{quantity.direction}")
            signals.append("qty_pct" if quantity.unit == "%" else "qty_unit")
            if quantity.before is not None:
                signals.append("qty_from_to")
    words = [t for t in doc if not t.is_punct]
    commas = sum(1 for t in doc if t.text in {",", "/", "|", ";"})
    signals.append(f"list_shape_{min(commas * 4 // max(len(words), 1), 3)}")
    signals.append(f"len_{min(len(words) // 6, 5)}")
    if words and words[0].text[:1].isupper() and words[0].text.lower().endswith("ed"):
        signals.append("starts_past_verb")
    if len(tech) and commas >= 2 and len(tech) * 2 >= len(words) // 2:
        signals.append("mostly_tech")
    signals += _object_signals(doc)
    return " ".join(signals)


def build_estimator(seed: int = 0) -> Pipeline:
    """The untrained estimator: features → one calibrated logistic regression per label.

    Input: a DataFrame with columns ``text`` and ``signals``; target: an (n, len(LABELS)) 0/1
    matrix. Everything random is seeded, so the same data gives the same model.
    """
    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                  lowercase=True), "text"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=2, lowercase=True), "text"),
        ("signals", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True),
         "signals"),
    ])
    base = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000,
                              solver="liblinear", random_state=seed)
    # ensemble=False: calibrate on 5-fold out-of-fold scores but keep one regression per
    # label, so prediction costs one dot product per label rather than five.
    calibrated = CalibratedClassifierCV(
        base, method="sigmoid", ensemble=False,
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=seed),
    )
    return Pipeline([("features", features), ("classify", MultiOutputClassifier(calibrated))])


def frame(texts: Sequence[str], signals: Sequence[str]) -> pd.DataFrame:
    """The estimator's input table."""
    return pd.DataFrame({"text": list(texts), "signals": list(signals)})


def predict_proba(estimator: Pipeline, data: pd.DataFrame) -> np.ndarray:
    """(n, len(LABELS)) probabilities of the positive class of each label."""
    per_label = estimator.predict_proba(data)
    return np.column_stack([p[:, 1] for p in per_label])


# --- persistence --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFiles:
    """Where a model lives: the joblib file and its JSON sidecar (model card data)."""

    model: Path

    @property
    def sidecar(self) -> Path:
        return self.model.with_suffix(".json")


def _drop_process_state(estimator: Pipeline) -> None:
    """Remove what differs between processes for the same fit, so the file hash is stable.

    scikit-learn's vectorizers cache ``id(stop_words)`` (a memory address) as
    ``_stop_words_id``; it only short-cuts a consistency check and is recomputed when absent.
    """
    for _, transformer, _ in estimator.named_steps["features"].transformers_:
        if hasattr(transformer, "_stop_words_id"):
            del transformer._stop_words_id


def save_model(estimator: Pipeline, files: ModelFiles, card: dict[str, Any]) -> str:
    """Write the model and its sidecar (``card`` plus the file's SHA-256); return the hash."""
    files.model.parent.mkdir(parents=True, exist_ok=True)
    _drop_process_state(estimator)
    joblib.dump(estimator, files.model, compress=3)
    digest = file_sha256(files.model)
    sidecar = {**card, "model_file": files.model.name, "sha256": digest}
    files.sidecar.write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
    return digest


def load_model(files: ModelFiles) -> tuple[Pipeline, dict[str, Any]]:
    """Load a model after checking its SHA-256 against the sidecar.

    Raises :class:`ModelError` when the file or sidecar is missing or the hash differs (the
    file was changed after training): a joblib file is only safe to load when it is ours.
    """
    if not files.model.is_file() or not files.sidecar.is_file():
        raise ModelError(
            f"{files.model}: evidence model or its sidecar {files.sidecar.name} is missing; "
            "run `trajectory train` to build it"
        )
    try:
        card = json.loads(files.sidecar.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ModelError(f"{files.sidecar}: not valid JSON ({err})") from err
    expected = card.get("sha256")
    actual = file_sha256(files.model)
    if actual != expected:
        raise ModelError(
            f"{files.model}: SHA-256 {actual[:12]}… does not match the {expected!s:.12}… "
            f"recorded in {files.sidecar.name}; the file was modified or replaced — retrain "
            "with `trajectory train` or restore it"
        )
    estimator = joblib.load(files.model)
    if not isinstance(estimator, Pipeline):
        raise ModelError(f"{files.model}: expected a scikit-learn Pipeline")
    return estimator, card


# --- the spaCy component -------------------------------------------------------------------


class EvidenceClassifier:
    """Overwrites ``doc._.evidence`` and ``doc._.pillars`` with the model's probabilities."""

    def __init__(self, estimator: Pipeline, version: str) -> None:
        self.estimator = estimator
        self.version = version

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._predict(batch)
                batch = []
        if batch:
            yield from self._predict(batch)

    def _predict(self, docs: list[Doc]) -> list[Doc]:
        probs = predict_proba(self.estimator,
                              frame([d.text for d in docs], [doc_signals(d) for d in docs]))
        for doc, row in zip(docs, probs, strict=True):
            doc._.rule_evidence = doc._.evidence
            values = {label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)}
            doc._.evidence = {f: values[f] for f in EVIDENCE_FLAGS}
            doc._.pillars = {p: values[p] for p in PILLARS}
        return docs
