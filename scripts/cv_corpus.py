"""Leave-one-part-out cross-validation of the evidence classifier (prints figures; not a test).

Each corpus file (``models/training/evidence-X.jsonl``) is written by a different hand in a
different register, so "train on the other parts, test on this one" estimates how the design
carries to text it has not seen the style of — a better guide for design choices than the
random held-out split. Only the project's own corpus is read; external gold sets never are.

Usage: .venv/bin/python scripts/cv_corpus.py [--C 4] [--no-chars] [--no-signals] [--unbalanced]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer

from pipeline.extract.build import new_nlp
from pipeline.extract.classifier import build_estimator, doc_signals, frame, predict_proba
from pipeline.model.evaluate import LabelledUnit, load_labelled, score_predictions

ROOT = Path(__file__).resolve().parent.parent


def variant(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The estimator with the design switches of the command line applied."""
    estimator = build_estimator(seed=0)
    features: ColumnTransformer = estimator.named_steps["features"]
    drop = {"chars"} if args.no_chars else set()
    drop |= {"signals"} if args.no_signals else set()
    features.transformers = [t for t in features.transformers if t[0] not in drop]
    calibrated = estimator.named_steps["classify"].estimator
    calibrated.estimator.set_params(C=args.C,
                                    class_weight=None if args.unbalanced else "balanced")
    return estimator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "models" / "training")
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--no-chars", action="store_true")
    parser.add_argument("--no-signals", action="store_true")
    parser.add_argument("--unbalanced", action="store_true")
    args = parser.parse_args()

    parts = {p.stem: load_labelled(p) for p in sorted(args.corpus.glob("*.jsonl"))}
    units: list[LabelledUnit] = [u for part in parts.values() for u in part]
    nlp = new_nlp(classifier=False)
    signals = {u.sid: doc_signals(d)
               for u, d in zip(units, nlp.pipe([u.text for u in units], batch_size=256),
                               strict=True)}

    def table(part: list[LabelledUnit]):  # type: ignore[no-untyped-def]
        return frame([u.text for u in part], [signals[u.sid] for u in part])

    rows = []
    for name, test in parts.items():
        train = [u for other, part in parts.items() if other != name for u in part]
        estimator = variant(args)
        estimator.fit(table(train), np.asarray([u.vector() for u in train]))
        probs = predict_proba(estimator, table(test))
        result = score_predictions(np.asarray([u.vector() for u in test]), probs,
                                   extractor="model", gold_name=name, gold_sha256="")
        rows.append((result.macro_f1_flags, result.macro_f1_accomplishment,
                     result.micro_f1_pillars))
        print(f"{name:12s} n={len(test):4d}  macro-F1 4 flags {rows[-1][0]:.3f}  "
              f"v/p/o {rows[-1][1]:.3f}  pillars {rows[-1][2]:.3f}", flush=True)
    mean = np.mean(rows, axis=0)
    print(f"{'mean':12s}         macro-F1 4 flags {mean[0]:.3f}  v/p/o {mean[1]:.3f}  "
          f"pillars {mean[2]:.3f}")


if __name__ == "__main__":
    main()
