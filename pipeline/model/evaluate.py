"""Measure an extractor against sentences labelled by docs/evidence-labelling-guide.md.

Gold files are JSON Lines in the guide's format. Every label is scored as a binary decision at
probability 0.5: precision, recall and F1 per flag and per pillar, the macro-F1 over the four
evidence flags and over velocity/proactive/outcome, the micro-F1 over the pillars, and a
confusion summary (per label TP/FP/FN/TN, and which flags the extractor confuses).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError
from spacy.language import Language

from pipeline.errors import TrajectoryError
from pipeline.hashing import file_sha256
from pipeline.records import ACCOMPLISHMENT_FLAGS, EVIDENCE_FLAGS, PILLARS

LABELS: tuple[str, ...] = (*EVIDENCE_FLAGS, *PILLARS)
THRESHOLD = 0.5

Bit = Literal[0, 1]


class GoldError(TrajectoryError):
    """A labelled file does not follow the labelling guide's format."""


class LabelledUnit(BaseModel):
    """One labelled sentence, exactly the guide's format."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sid: str
    text: str
    velocity: Bit
    proactive: Bit
    outcome: Bit
    listing: Bit
    compute_network_iac: Bit
    data: Bit
    event_driven: Bit
    security_compliance: Bit
    operations: Bit

    def vector(self) -> list[int]:
        return [int(getattr(self, label)) for label in LABELS]


def load_labelled(path: Path) -> list[LabelledUnit]:
    """Read a JSON Lines gold file; errors name the file, line and field."""
    units: list[LabelledUnit] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GoldError(f"{path}: cannot read ({err.strerror})") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            units.append(LabelledUnit.model_validate_json(line))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "<line>"
            raise GoldError(f"{path}:{number}: {where}: {first['msg']} "
                            f"(expected the labelling guide's JSON format)") from err
    if not units:
        raise GoldError(f"{path}: no labelled sentences")
    return units


def predict_units(nlp: Language, texts: Sequence[str]) -> np.ndarray:
    """(n, len(LABELS)) probabilities from a pipeline, each text read as one work-history unit."""
    rows = []
    for doc in nlp.pipe(texts, batch_size=256):
        rows.append([doc._.evidence[f] for f in EVIDENCE_FLAGS]
                    + [doc._.pillars[p] for p in PILLARS])
    return np.asarray(rows, dtype=float)


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int
    tn: int


@dataclass(frozen=True)
class Evaluation:
    """The figures of one extractor on one gold set (no sentence text: safe to store)."""

    extractor: str
    gold: str
    gold_sha256: str
    n: int
    labels: dict[str, LabelScore]
    macro_f1_flags: float
    macro_f1_accomplishment: float
    micro_f1_pillars: float
    flag_confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _score(gold: np.ndarray, pred: np.ndarray) -> LabelScore:
    tp = int(np.sum((gold == 1) & (pred == 1)))
    fp = int(np.sum((gold == 0) & (pred == 1)))
    fn = int(np.sum((gold == 1) & (pred == 0)))
    tn = int(np.sum((gold == 0) & (pred == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn, tp, fp, fn, tn)


def score_predictions(gold: np.ndarray, probs: np.ndarray, *, extractor: str, gold_name: str,
                      gold_sha256: str) -> Evaluation:
    """Figures for (n, len(LABELS)) gold bits against probabilities thresholded at 0.5."""
    pred = (probs >= THRESHOLD).astype(int)
    labels = {label: _score(gold[:, i], pred[:, i]) for i, label in enumerate(LABELS)}
    pillar_idx = [LABELS.index(p) for p in PILLARS]
    pillars = _score(gold[:, pillar_idx].ravel(), pred[:, pillar_idx].ravel())
    confusion = {
        g: {p: int(np.sum((gold[:, LABELS.index(g)] == 1) & (pred[:, LABELS.index(p)] == 1)))
            for p in EVIDENCE_FLAGS}
        for g in EVIDENCE_FLAGS
    }
    return Evaluation(
        extractor=extractor, gold=gold_name, gold_sha256=gold_sha256, n=len(gold),
        labels=labels,
        macro_f1_flags=round(float(np.mean([labels[f].f1 for f in EVIDENCE_FLAGS])), 4),
        macro_f1_accomplishment=round(
            float(np.mean([labels[f].f1 for f in ACCOMPLISHMENT_FLAGS])), 4),
        micro_f1_pillars=pillars.f1,
        flag_confusion=confusion,
    )


@dataclass(frozen=True)
class Mistake:
    sid: str
    text: str
    wrong: dict[str, tuple[int, float]]  # label → (gold bit, predicted probability)


def evaluate(nlp: Language, gold_path: Path, extractor: str) -> tuple[Evaluation, list[Mistake]]:
    """Run ``nlp`` over a gold file; returns its figures and the sentences it got wrong."""
    units = load_labelled(gold_path)
    gold = np.asarray([u.vector() for u in units], dtype=int)
    probs = predict_units(nlp, [u.text for u in units])
    result = score_predictions(gold, probs, extractor=extractor, gold_name=gold_path.name,
                               gold_sha256=file_sha256(gold_path))
    mistakes = []
    for unit, g, p in zip(units, gold, probs, strict=True):
        wrong = {label: (int(g[i]), round(float(p[i]), 3)) for i, label in enumerate(LABELS)
                 if int(p[i] >= THRESHOLD) != g[i]}
        if wrong:
            mistakes.append(Mistake(unit.sid, unit.text, wrong))
    return result, mistakes


def write_json(result: Evaluation, path: Path) -> None:
    """The figures as JSON (sorted keys), for the model card and for machines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
