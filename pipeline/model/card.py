"""The evidence classifier's model card, rendered from measurements, never typed by hand.

Inputs: the model's sidecar JSON (written by ``trajectory train``: data, hashes, held-out
figures) and the evaluation records in ``models/evaluations/`` (written by
``trajectory evaluate --record``) that were made with this exact model file. Output: Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.records import ACCOMPLISHMENT_FLAGS, EVIDENCE_FLAGS, PILLARS

EVALUATIONS_DIR = "evaluations"
#: Figures of the design study (``scripts/cv_real.py --record``), rendered into the card.
CV_FILE = "cv-real.json"

KNOWN_LIMITS = """\
- Most training sentences were written for this project following the labelling guide; the
  real resume sentences (when the data section lists them) are fewer, labelled by one labeller
  each, and `listing` is their noisiest label (present-tense duty bullets were marked listing by
  some labellers and not by others). Figures on real resumes (the cross-validation and the
  external gold sets below) are the ones to trust, and they are lower than the held-out figures.
- One sentence is judged on its own: a result stated in the next bullet, or a "we" that hides
  who led, is not attributed. Pronoun-free duty lines ("Designed and developed …") are the
  hardest boundary between routine work and velocity.
- English only. Non-native phrasing is in the corpus, other languages are not.
- The joblib file is trusted only because its SHA-256 matches the sidecar; whoever can edit both
  files can replace the model. Keep `models/` under review like code.
- A probability is calibrated on the training mix: the written corpus (velocity 17%, proactive
  10%, outcome 21% of sentences) and the real sentences (about 4%, 2% and 8%), the latter
  weighted up, so the model is conservative on real text. A test holds that every "Yes"
  example of the guide outranks every "No" example and that no "No" example reaches 0.5,
  which is what the scorer, weighing evidence by probability, depends on."""


def evaluation_records(model_dir: Path, sha256: str) -> list[dict[str, Any]]:
    """The recorded evaluations made with the model whose file hash is ``sha256``."""
    folder = model_dir / EVALUATIONS_DIR
    records = []
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("model_sha256") == sha256:
            records.append(record)
    return records


def _table(evaluation: dict[str, Any]) -> list[str]:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in (*EVIDENCE_FLAGS, *PILLARS):
        s = evaluation["labels"][label]
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
                     f"| {s['support']} |")
    lines.append("")
    lines.append(f"Macro-F1, four evidence flags: **{evaluation['macro_f1_flags']:.3f}**; "
                 f"over {', '.join(ACCOMPLISHMENT_FLAGS)}: "
                 f"**{evaluation['macro_f1_accomplishment']:.3f}**; "
                 f"micro-F1 over the pillars: **{evaluation['micro_f1_pillars']:.3f}** "
                 f"(n = {evaluation['n']}).")
    return lines


def _real_lines(real: dict[str, Any] | None) -> list[str]:
    """The real labelled sets the model was trained on (hashes and counts, never text)."""
    if not real:
        return ["**No real labelled sentences** were used: the model learned from the written "
                "corpus alone (`trajectory train` found no real set).", ""]
    lines = [f"Real resume sentences labelled by the guide, kept outside the project and never "
             f"copied into it; every one is trained on, each weighing {real['weight']:g} written "
             "sentences:", ""]
    for entry in real["sets"]:
        positives = ", ".join(f"{k} {v}" for k, v in entry["positives"].items())
        lines.append(f"- `{entry['file']}`: {entry['sentences']} sentences from "
                     f"{entry['resumes']} resumes, {entry['bytes']:,} bytes, SHA-256 "
                     f"`{entry['sha256']}` (positives: {positives})")
    return [*lines, ""]


def _cv_lines(model_dir: Path | None) -> list[str]:
    """The design study of ``scripts/cv_real.py`` (``models/cv-real.json``), if recorded."""
    path = model_dir / CV_FILE if model_dir else None
    if path is None or not path.is_file():
        return []
    study = json.loads(path.read_text(encoding="utf-8"))
    labels = list(study["labels"])
    lines = ["## Design chosen by cross-validation", "", study["design"], "",
             "| design | " + " | ".join(labels) + " | macro-F1 v/p/o | written LOPO (4 flags) |",
             "|---" * (len(labels) + 3) + "|"]
    for row in study["rows"]:
        lopo = f"{row['lopo']:.3f}" if row.get("lopo") is not None else "—"
        lines.append(f"| {row['name']} | " + " | ".join(f"{row['f1'][k]:.3f}" for k in labels)
                     + f" | {row['vpo']:.3f} | {lopo} |")
    return [*lines, ""]


def render_card(sidecar: dict[str, Any], records: list[dict[str, Any]],
                model_dir: Path | None = None) -> str:
    """The model card as Markdown (``model_dir``: where ``cv-real.json`` may be)."""
    corpus = sidecar["corpus"]
    code = sidecar["code"]
    out = [
        "# Model card: evidence classifier",
        "",
        "Generated by `trajectory train` / `trajectory evaluate --record` from measurements; "
        "do not edit by hand.",
        "",
        f"- **Version** {sidecar['version']}, file `{sidecar['model_file']}`, "
        f"SHA-256 `{sidecar['sha256']}`",
        f"- **Code** trajectory {code['trajectory']}, rules {code['rules']}, "
        f"scikit-learn {code['scikit_learn']}, spaCy {code['spacy']}, "
        f"Python {code['python']}; seed {sidecar['seed']}",
        "",
        "## What it does",
        "",
        "For one resume sentence it gives a calibrated probability for each evidence flag "
        f"({', '.join(EVIDENCE_FLAGS)}) and each AWS pillar ({', '.join(PILLARS)}), as defined "
        "in `docs/evidence-labelling-guide.md`. It runs as the `evidence_classifier` component "
        "after the rule components of the spaCy pipeline (`spacy.blank(\"en\")`); the scorer "
        "weighs every sentence by these probabilities.",
        "",
        "## Data",
        "",
        f"`models/{corpus['folder']}/` ({', '.join(corpus['files'])}): {corpus['sentences']} "
        f"hand-labelled sentences, SHA-256 `{corpus['sha256'][:16]}…`. A fixed 20% chosen by "
        f"a hash of the sentence id is held out and never trained on: {corpus['train']} train, "
        f"{corpus['heldout']} held out. Share of sentences whose nearest neighbour has TF-IDF "
        f"cosine > 0.9: {corpus['near_duplicate_share']:.2%}.",
        "",
        *_real_lines(sidecar.get("real")),
        *_cv_lines(model_dir),
        "## Features and model",
        "",
        "Word 1–2-gram and character 2–5-gram TF-IDF of the sentence, plus signals the spaCy "
        "components compute: the rule-based flag levels (ownership and initiative cue verbs, "
        "negators such as \"responsible for\"), the gazetteer's pillar matches (AWS names from "
        "botocore plus curated aliases and non-AWS equivalents), quantified results and their "
        "direction, and the sentence's list shape. One logistic regression per label "
        "(balanced class weights), sigmoid-calibrated with 5-fold cross-validation. "
        f"A label is predicted at probability ≥ {sidecar['threshold']}.",
        "",
        "## Held-out split (never trained on)",
        "",
        "Learned model:",
        "",
        *_table(sidecar["heldout"]["model"]),
        "",
        "Rule-based extractor alone, same sentences:",
        "",
        *_table(sidecar["heldout"]["rules"]),
        "",
    ]
    if records:
        out += ["## External gold sets", ""]
        for record in records:
            for key in ("model", "rules"):
                if key in record:
                    out += [f"`{record['gold']}` (SHA-256 `{record['gold_sha256'][:16]}…`), "
                            f"{'learned model' if key == 'model' else 'rules alone'}:", "",
                            *_table(record[key]), ""]
    out += ["## Known limits", "", KNOWN_LIMITS, ""]
    return "\n".join(out)


def write_card(model: Path) -> Path:
    """Render the card of the model at ``model`` (its sidecar and matching evaluations)."""
    sidecar = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    card = model.with_suffix(".md")
    card.write_text(render_card(sidecar, evaluation_records(model.parent, sidecar["sha256"]),
                                model.parent), encoding="utf-8")
    return card


def record_evaluation(model: Path, gold: str, gold_sha256: str,
                      figures: dict[str, dict[str, Any]]) -> Path:
    """Store figures (``{"model": …, "rules": …}``, no sentence text) and re-render the card."""
    sidecar = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    folder = model.parent / EVALUATIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{Path(gold).stem}.json"
    record = {"model_sha256": sidecar["sha256"], "gold": gold, "gold_sha256": gold_sha256,
              **figures}
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_card(model)
    return path
