"""Design study on real sentences: grouped cross-validation by resume (prints figures; not a test).

For each real-sentence weight ``w`` (0 = written corpus alone) the real labelled set is cut into
folds by resume (``GroupKFold``, shuffled with seed 0, so no resume is on both sides); each fold
is predicted by a model trained on the whole written corpus plus the other folds' real
sentences, each weighing ``w`` written ones. The out-of-fold predictions of all folds are scored
together (per-flag F1, macro-F1 over velocity/proactive/outcome, pillars micro-F1). ``--lopo``
adds the written corpus's leave-one-part-out (train on the other parts plus every real
sentence), so a weight that helps real text at the cost of the written parts shows.

``--vectors DIM,BUCKET,EPOCH`` adds sentence-mean floret subword vectors (spaCy's own vector
format) trained on the unlabelled real resumes, single thread, so byte-reproducible, as dense
features beside the TF-IDF ones. Needs ``pip install floret==0.10.5`` (not a project
dependency: the shipped model does not use them unless this study shows they help).

The dev set is never read. ``--record`` writes the rows (figures only) to ``models/cv-real.json``,
which the model card renders.

Usage: .venv/bin/python scripts/cv_real.py [--real ../shared/data/evidence-train-real.jsonl]
       [--weights 0,1,4] [--folds 3] [--vectors 100,50000,10] [--lopo] [--record]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import spacy
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.extract.build import new_nlp
from pipeline.extract.classifier import LABELS, build_estimator, doc_signals, frame, predict_proba
from pipeline.model.evaluate import LabelledUnit, load_labelled, score_predictions
from pipeline.model.realset import load_real_set

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
#: floret's default hash seed, which spaCy's floret vectors must be told.
FLORET_HASH_SEED = 2166136261


def train_floret(corpus: Path, dim: int, bucket: int, epoch: int, work: Path) -> np.ndarray:
    """Subword vectors (mode floret, skipgram, minn 3, maxn 5, 2 hashes) from the unlabelled
    resumes, lower-cased and tokenized by spaCy, one thread: the same corpus gives the same table.
    """
    import floret  # type: ignore[import-not-found]

    tokenizer = spacy.blank("en").tokenizer
    text = work / "corpus.txt"
    with text.open("w", encoding="utf-8") as out:
        for path in sorted(corpus.glob("*.txt")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                words = [t.lower_ for t in tokenizer(line) if not (t.is_punct or t.is_space)]
                if words:
                    out.write(" ".join(words) + "\n")
    model = floret.train_unsupervised(str(text), model="skipgram", mode="floret", dim=dim,
                                      bucket=bucket, minn=3, maxn=5, epoch=epoch, hashCount=2,
                                      minCount=3, thread=1, verbose=0)
    # In floret mode the subword table is the input matrix's last ``bucket`` rows (what
    # save_floret_vectors writes); the word rows before it are not used for lookups.
    return np.asarray(model.get_input_matrix()[-bucket:], dtype=np.float32)


def sentence_vectors(texts: list[str], table: np.ndarray) -> np.ndarray:
    """The L2-normalised mean of each sentence's word vectors (spaCy floret lookup)."""
    from spacy.vectors import Vectors

    vectors = Vectors(mode="floret", shape=table.shape, data=table, minn=3, maxn=5,
                      hash_count=2, hash_seed=FLORET_HASH_SEED)
    tokenizer = spacy.blank("en").tokenizer
    words = [[t.lower_ for t in tokenizer(x) if not (t.is_punct or t.is_space)] for x in texts]
    vocab = sorted({w for ws in words for w in ws})
    lookup = dict(zip(vocab, vectors.get_batch(vocab), strict=True)) if vocab else {}
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for i, ws in enumerate(words):
        if ws:
            mean = np.mean([lookup[w] for w in ws], axis=0)
            norm = float(np.linalg.norm(mean))
            out[i] = mean / norm if norm else mean
    return out


def estimator(dim: int) -> Pipeline:
    """The shipped design, plus standardised vector columns ``v0..`` when ``dim`` > 0."""
    est = build_estimator(seed=0)
    if dim:
        est.named_steps["features"].transformers.append(
            ("vectors", StandardScaler(), [f"v{i}" for i in range(dim)]))
    return est


def table(texts: list[str], signals: list[str], vectors: np.ndarray | None) -> pd.DataFrame:
    data = frame(texts, signals)
    if vectors is not None:
        data = pd.concat([data, pd.DataFrame(vectors, columns=[f"v{i}" for i in
                                                               range(vectors.shape[1])])], axis=1)
    return data


def fit_predict(train: list[int], real_train: list[int], test_texts: list[str],
                test_signals: list[str], test_vectors: np.ndarray | None, w: float,
                d: dict) -> np.ndarray:
    """Fit on written rows ``train`` + real rows ``real_train`` (weight ``w``); predict."""
    wt, rt = d["written"], d["real"]
    texts = [wt["texts"][i] for i in train] + [rt["texts"][i] for i in real_train]
    signals = [wt["signals"][i] for i in train] + [rt["signals"][i] for i in real_train]
    vectors = None if wt["vectors"] is None else np.vstack(
        [wt["vectors"][train], rt["vectors"][real_train]])
    gold = np.vstack([wt["gold"][train], rt["gold"][real_train]])
    weights = np.concatenate([np.ones(len(train)), np.full(len(real_train), w)])
    est = estimator(0 if vectors is None else vectors.shape[1])
    est.fit(table(texts, signals, vectors), gold, classify__sample_weight=weights)
    return predict_proba(est, table(test_texts, test_signals, test_vectors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "models" / "training")
    parser.add_argument("--real", type=Path, default=SHARED / "data" /
                        "evidence-train-real.jsonl")
    parser.add_argument("--resumes", type=Path, default=SHARED / "corpus" / "real-resumes")
    parser.add_argument("--weights", default="0,1,4")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--vectors", default="", help="DIM,BUCKET,EPOCH of floret vectors")
    parser.add_argument("--lopo", action="store_true")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cv_real"))
    args = parser.parse_args()

    parts = {p.stem: load_labelled(p) for p in sorted(args.corpus.glob("*.jsonl"))}
    written: list[LabelledUnit] = [u for part in parts.values() for u in part]
    part_of = [name for name, part in parts.items() for _ in part]
    real = load_real_set(args.real)
    nlp = new_nlp(classifier=False)
    data: dict = {}
    table_vectors = None
    if args.vectors:
        dim, bucket, epoch = (int(x) for x in args.vectors.split(","))
        args.work.mkdir(parents=True, exist_ok=True)
        table_vectors = train_floret(args.resumes, dim, bucket, epoch, args.work)
    for key, units in (("written", written), ("real", list(real.units))):
        texts = [u.text for u in units]
        data[key] = {"texts": texts,
                     "signals": [doc_signals(d) for d in nlp.pipe(texts, batch_size=256)],
                     "gold": np.asarray([u.vector() for u in units], dtype=int),
                     "vectors": None if table_vectors is None
                     else sentence_vectors(texts, table_vectors)}
    rt = data["real"]
    everything = list(range(len(written)))
    rows = []
    for w in (float(x) for x in args.weights.split(",")):
        start = time.time()
        oof = np.zeros(rt["gold"].shape)
        folds = GroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
        for train_idx, test_idx in folds.split(rt["gold"], groups=list(real.resumes)):
            oof[test_idx] = fit_predict(
                everything, list(train_idx) if w > 0 else [], [rt["texts"][i] for i in test_idx],
                [rt["signals"][i] for i in test_idx],
                None if rt["vectors"] is None else rt["vectors"][test_idx], w, data)
        result = score_predictions(rt["gold"], oof, extractor="model", gold_name="real-cv",
                                   gold_sha256=real.sha256)
        lopo = None
        if args.lopo:
            scores = []
            for name in parts:
                test = [i for i, p in enumerate(part_of) if p == name]
                train = [i for i, p in enumerate(part_of) if p != name]
                wt = data["written"]
                probs = fit_predict(train, list(range(len(real.units))) if w > 0 else [],
                                    [wt["texts"][i] for i in test],
                                    [wt["signals"][i] for i in test],
                                    None if wt["vectors"] is None else wt["vectors"][test], w,
                                    data)
                scores.append(score_predictions(wt["gold"][test], probs, extractor="model",
                                                gold_name=name, gold_sha256="").macro_f1_flags)
            lopo = round(float(np.mean(scores)), 4)
        name = (f"{'TF-IDF + floret ' + args.vectors if args.vectors else 'TF-IDF'}, "
                f"{'written only' if w == 0 else f'written + real ×{w:g}'}")
        rows.append({"name": name, "f1": {k: result.labels[k].f1 for k in LABELS},
                     "vpo": result.macro_f1_accomplishment, "lopo": lopo})
        print(f"{name:48s} " + " ".join(f"{k[:4]} {result.labels[k].f1:.3f}" for k in LABELS)
              + f"  v/p/o {result.macro_f1_accomplishment:.3f}  pillars "
              f"{result.micro_f1_pillars:.3f}  lopo {lopo}  ({time.time() - start:.0f}s)",
              flush=True)
    if args.record:
        path = ROOT / "models" / "cv-real.json"
        study = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {
            "labels": list(LABELS), "rows": [], "design": ""}
        study["rows"] = [r for r in study["rows"] if r["name"] not in {x["name"] for x in rows}]
        study["rows"] += rows
        path.write_text(json.dumps(study, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded: {path}")


if __name__ == "__main__":
    main()
